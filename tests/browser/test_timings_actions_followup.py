"""The end of a workshop in p2pboard, by a facilitator and two participants: the steps timed
(one alone, three together, an estimate the server cannot read), an estimation round whose
picks stay hidden until the reveal; then actions with owners, and the follow-up with its
calendar invitation."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from icalendar import Calendar
from playwright.sync_api import Browser, Locator, Page, WebSocket, expect

from tests.browser.board_pages import open_board
from tests.browser.conftest import AppServer
from workshops import services
from workshops.models import Action, Timing, Workshop

# The "enterprise" starter's events, in order.
STEPS = [
    "Idea proposed",
    "Approval granted",
    "Design agreed",
    "Change engineered",
    "Testing completed",
    "Deployed to production",
    "Released to customers",
    "Handed over for maintenance",
]


def a_path_at(workshop: Workshop, phase: str) -> None:
    here = services.facilitator_participant(workshop=workshop, user=workshop.owner)
    services.workshop_apply_starter(workshop=workshop, by=here, starter="enterprise")
    services.board_update(workshop=workshop, by=here, op=None, phase=phase)


def open_as_facilitator(browser: Browser, base_url: str, workshop: Workshop, zone: str) -> Page:
    """The workshop's owner, on a laptop whose clock is set to time zone `zone`."""
    session = SessionStore()
    session[SESSION_KEY] = str(workshop.owner.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = workshop.owner.get_session_auth_hash()
    session.create()
    context = browser.new_context(viewport={"width": 1440, "height": 900}, timezone_id=zone)
    context.add_cookies([{"name": "sessionid", "value": str(session.session_key), "url": base_url}])
    page = context.new_page()
    page.goto(f"{base_url}/w/{workshop.slug}/")
    expect(page.locator("#live-status")).to_have_text("Live")
    return page


def step(page: Page, text: str) -> Locator:
    """A step's row in the timings panel."""
    row = page.locator("#timings-panel .timing-item")
    return row.filter(has=page.locator(".step-text", has_text=text))


def size(scope: Locator, size: str) -> Locator:
    return scope.locator(f"label.size-option:has(input[value='{size}'])")


def badge(page: Page, text: str) -> Locator:
    event = page.locator("#timeline > .column > .sticky").filter(has_text=text)
    return event.locator(".timing-badge")


def next_step(page: Page) -> None:
    """The next step, once this page shows it (a second click before then asks for the same
    step again: a double click never skips a step)."""
    now = page.locator("[data-board=phase_label]")
    was = now.inner_text()
    agenda = page.get_by_role("toolbar", name="Run the workshop")
    agenda.get_by_role("button", name="Next step →").click()
    expect(now).not_to_have_text(was)


def entities(frames: list[str]) -> list[dict[str, Any]]:
    return [state for frame in frames for state in json.loads(frame).get("entities", [])]


def test_steps_are_timed_alone_and_together_and_a_round_keeps_picks_hidden_until_shown(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    a_path_at(board, "timings")
    fran = open_board(browser, app_server.url, board, user=board.owner)
    ann = open_board(browser, app_server.url, board, name="Ann")
    bo = open_board(browser, app_server.url, board, name="Bo")
    frames: list[str] = []

    def listen(socket: WebSocket) -> None:
        socket.on("framereceived", lambda frame: frames.append(str(frame)))

    bo.on("websocket", listen)
    bo.reload()
    expect(bo.locator("#live-status")).to_have_text("Live")
    for page in (fran, ann, bo):  # the step puts the timings forward: open on a laptop
        expect(page.locator("#timings-panel .timing-item")).to_have_count(len(STEPS))

    # One step sized with a size button; another given an estimate, by keyboard.
    size(step(fran, STEPS[0]), "S").click()
    expect(badge(bo, STEPS[0])).to_have_text("Timing: S")
    estimate = step(ann, STEPS[1]).get_by_role("textbox", name=f"Estimate for “{STEPS[1]}”")
    estimate.focus()
    ann.keyboard.type("2 to 5 days")
    ann.keyboard.press("Enter")
    expect(badge(bo, STEPS[1])).to_have_text("Timing: 2-5 days")
    expect(estimate).to_have_value("2-5 days")  # as the server reads it

    # Three steps side by side, ticked and sized together: each carries the group's badge.
    for text in STEPS[2:5]:
        step(fran, text).get_by_role("checkbox").focus()
        fran.keyboard.press("Space")
    expect(fran.locator("[data-selection=what]")).to_contain_text("Selected: 3 steps")
    size(fran.locator("[data-selection=sizes]"), "L").click()
    for text in STEPS[2:5]:
        expect(badge(ann, text)).to_have_text("Timing: L · group of 3")
    expect(ann.locator("#timings-panel .timing-item.is-group")).to_contain_text("Group of 3")

    # An estimate the server cannot read: refused in words beside the field, the text kept.
    bad = step(ann, STEPS[5]).get_by_role("textbox", name=f"Estimate for “{STEPS[5]}”")
    bad.fill("about a fortnight")
    bad.press("Enter")
    expect(step(ann, STEPS[5]).locator(".field-error")).to_contain_text("should read like")
    expect(bad).to_have_value("about a fortnight")
    expect(bad).to_have_attribute("aria-invalid", "true")
    expect(ann.locator("#board-notice")).not_to_contain_text("should read like")  # said once
    expect(badge(bo, STEPS[5])).to_have_count(0)

    # A timing taken away.
    step(bo, STEPS[0]).get_by_role("button", name=f"Remove the timing of “{STEPS[0]}”").click()
    expect(badge(fran, STEPS[0])).to_have_count(0)

    # The estimation round: everyone picks; nobody sees another's pick until it is shown.
    step(fran, STEPS[6]).get_by_role("checkbox").check()
    fran.get_by_role("button", name="Start an estimation round on it").click()
    for page in (ann, bo):
        expect(page.locator("#round")).to_contain_text(f"Sizing “{STEPS[6]}”")
    expect(badge(bo, STEPS[6])).to_contain_text("sizing now")
    ann.locator("#round").get_by_role("button", name="M, 1-5 days").click()
    expect(ann.locator("[data-round=mine]")).to_contain_text("You picked M.")
    expect(bo.locator("[data-round=picked]")).to_contain_text("✓ Ann")
    bo.locator("#round").get_by_role("button", name="L, 5-20 days").click()
    expect(fran.locator("[data-round=picked]")).to_contain_text("2 of 3 picked")
    expect(bo.locator("[data-round=revealed]")).to_be_hidden()
    expect(bo.locator(".round-pick-item")).to_have_count(0)
    ann_id = ann.locator("#board").get_attribute("data-participant")
    bo_id = bo.locator("#board").get_attribute("data-participant")
    for state in entities(frames):
        assert state["entity"] != "participant" or str(state["id"]) != ann_id or "pick" not in state
        assert state["entity"] != "round" or state["picks"] == {}
    fran.get_by_role("button", name="Show the picks").click()
    picks = bo.locator("[data-round=picks]")
    expect(picks).to_contain_text("AnnM")
    expect(picks).to_contain_text("BoL")
    expect(bo.locator("[data-round=spread]")).to_contain_text("From M to L")
    rounds = [state for state in entities(frames) if state["entity"] == "round"]
    assert rounds[-1]["picks"] == {ann_id: "M", bo_id: "L"}

    # The facilitator records the size the group agreed, and the round ends.
    size(fran.locator("[data-round=agreed]"), "M").click()
    fran.get_by_role("button", name="Record it and end the round").click()
    for page in (fran, ann, bo):
        expect(page.locator("#round")).to_be_hidden()
    expect(badge(ann, STEPS[6])).to_have_text("Timing: M")
    timed = Timing.objects.filter(workshop=board, deleted_at=None)
    assert sorted((len(timing.events), timing.size) for timing in timed) == [
        (1, ""), (1, "M"), (3, "L"),
    ]  # fmt: skip
    assert [timing.estimate for timing in timed if timing.estimate] == [
        {"low": 2.0, "high": 5.0, "unit": "days"}
    ]


def test_actions_get_owners_and_the_follow_up_its_invitation(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    a_path_at(board, "pain")
    fran = open_as_facilitator(browser, app_server.url, board, "Europe/Berlin")
    ann = open_board(browser, app_server.url, board, name="Ann")
    bo = open_board(browser, app_server.url, board, name="Bo")

    # The "actions" step puts the actions forward; the first comes from a sticky's toolbar.
    next_step(fran)  # timings
    next_step(fran)  # actions
    actions = fran.locator("#actions-panel")
    expect(actions).to_be_visible()
    expect(fran.locator("#timings-panel")).to_be_hidden()
    fran.locator("#timeline .sticky", has_text=STEPS[5]).focus()
    toolbar = fran.get_by_role("toolbar", name="Sticky actions")
    toolbar.get_by_role("button", name="Make an action").click()
    expect(actions.locator("[data-source]")).to_contain_text(f"From the sticky “{STEPS[5]}”")
    expect(actions.get_by_label("What will be done")).to_have_value(STEPS[5])
    actions.get_by_label("What will be done").fill("Find out who owns the staging cluster")
    actions.get_by_label("Who owns it").select_option(label="Ann")
    actions.get_by_label("Due", exact=True).fill("2027-01-20")
    actions.get_by_role("button", name="Add the action").click()
    actions.get_by_label("What will be done").fill(
        "Ask whether standard changes can be pre-approved"
    )
    actions.get_by_label("Who owns it").select_option("other")
    actions.get_by_label("Person or team").fill("Change advisory board")
    actions.get_by_role("button", name="Add the action").click()
    listed = ann.locator("#actions-panel .action-item")
    expect(listed).to_have_count(2)
    expect(listed.first).to_contain_text("Owner Ann")  # sorted by due date: dated ones first
    expect(listed.first).to_contain_text(f"From “{STEPS[5]}”")
    expect(listed.last).to_contain_text("Owner Change advisory board")

    # The owner moves hers on; everyone sees it.
    mine = listed.filter(has_text="staging cluster")
    mine.get_by_label("Status of “Find out who owns the staging cluster”").select_option("doing")
    bos = bo.locator("#actions-panel .action-item", has_text="staging cluster")
    expect(bos.get_by_role("combobox")).to_have_value("doing")

    # Deleted, then brought back with the notice's Undo.
    other = fran.locator("#actions-panel .action-item", has_text="pre-approved")
    other.get_by_role("button", name="Delete").click()
    expect(bo.locator("#actions-panel .action-item")).to_have_count(1)
    fran.locator("#board-notice").get_by_role("button", name="Undo").click()
    expect(bo.locator("#actions-panel .action-item")).to_have_count(2)
    stored = {action.text: action for action in Action.objects.filter(deleted_at=None)}
    cluster = stored["Find out who owns the staging cluster"]
    assert (cluster.status, str(cluster.due), cluster.owner_participant_id) == (
        "doing", "2027-01-20", int(str(ann.locator("#board").get_attribute("data-participant"))),
    )  # fmt: skip
    assert cluster.source is not None and cluster.source.text == STEPS[5]
    assert stored["Ask whether standard changes can be pre-approved"].owner_name == (
        "Change advisory board"
    )

    # The follow-up, set in Berlin's time; its invitation downloaded by a participant.
    next_step(fran)
    follow = fran.locator("#followup-panel")
    follow.get_by_label("Date and time").fill("2027-01-14T10:00")
    follow.get_by_label("Length").fill("90")
    follow.get_by_label("Improve the path").check()
    follow.get_by_label("Mitigate the risks").check()
    follow.get_by_label("Notes").fill("Bring the release calendar")
    follow.get_by_role("button", name="Save the follow-up").click()
    shown = ann.locator("#followup-panel")
    expect(shown.locator("[data-followup=purposes]")).to_contain_text("Mitigate the risks")
    expect(shown.locator("[data-followup=notes]")).to_have_text("Bring the release calendar")
    with ann.expect_download() as started:
        shown.get_by_role("link", name="Download the invitation (.ics)").click()
    invitation = Calendar.from_ical(Path(started.value.path()).read_bytes())
    meeting = next(iter(invitation.walk("VEVENT")))
    assert meeting.decoded("dtstart") == datetime(2027, 1, 14, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
    assert (meeting.decoded("dtend") - meeting.decoded("dtstart")).seconds == 90 * 60
    assert "mitigate the risks" in str(meeting.get("description"))
