"""A facilitator and two participants clean up the board and vote on the pain points: a
suggested pair merged from the panel and split again, a pair said not to be duplicates, a drag
onto a sticky that merges it (undone, redone), a merge by keyboard, dot voting to the limit with
the totals hidden (nobody else's screen, nor any frame it receives, holds one person's votes)
and then shown, ranked; and a pain point posted without a name."""

import json
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.board_pages import add, drag
from tests.browser.conftest import AppServer
from workshops import services
from workshops.access import remember_participant
from workshops.models import Participant, Sticky, Workshop
from workshops.protocol import Place


def open_as(browser: Browser, base_url: str, workshop: Workshop, **who: Any) -> Page:
    """The board on a laptop for the facilitator (`user`) or a participant (`participant`)."""
    session = SessionStore()
    if user := who.get("user"):
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    else:
        remember_participant(session, who["participant"])
    session.create()
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": str(session.session_key), "url": base_url}])
    page = context.new_page()
    page.goto(f"{base_url}/w/{workshop.slug}/")
    expect(page.locator("#live-status")).to_have_text("Live")
    return page


def sticky(page: Page, text: str) -> Locator:
    exact = page.locator(".text").get_by_text(text, exact=True)
    return page.locator(".sticky[data-id]").filter(has=exact)


def leaks(frame: str, voter: int) -> list[str]:
    """What a frame says of `voter`'s votes, or of the totals: nothing, while they are hidden."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, dict):
            theirs = value.get("entity") == "participant" and value.get("id") == voter
            if theirs and "votes" in value:
                found.append(f"their votes: {value['votes']}")
            if value.get("entity") == "tally" and "totals" in value:
                found.append(f"the totals: {value['totals']}")
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(json.loads(frame))
    return found


def test_a_facilitator_and_two_participants_merge_duplicates_and_vote(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    ann = services.participant_join(workshop=board, name="Ann")
    bo = services.participant_join(workshop=board, name="Bo")

    def put(by: Participant, text: str, kind: str = "event", under: Sticky | None = None) -> Sticky:
        place = Place(parked=False, event=under.pk if under else None)
        return services.sticky_add(
            workshop=board, by=by, op=None, kind=kind, text=text, place=place
        )

    reviewed = put(ann, "Code reviewed")
    put(bo, "Pull request reviewed")
    put(ann, "Deployed to staging")
    staging = put(bo, "Deploy to staging")
    put(bo, "Argo CD", "system", staging)
    tested = put(ann, "Tested by QA")
    put(ann, "Released to production")
    put(bo, "Released")
    pains = ["Reviews wait 2 days", "Staging broken on Mondays", "One QA team for six teams"]
    for text, under in zip(pains, [reviewed, staging, tested], strict=True):
        put(bo, text, "pain", under)

    fran = open_as(browser, app_server.url, board, user=board.owner)
    ann_page = open_as(browser, app_server.url, board, participant=ann)
    bo_page = open_as(browser, app_server.url, board, participant=bo)
    frames: list[str] = []
    bo_page.on(
        "websocket",
        lambda socket: socket.on("framereceived", lambda frame: frames.append(str(frame))),
    )
    bo_page.reload()  # every frame Bo's page receives, from its first
    expect(bo_page.locator("#live-status")).to_have_text("Live")

    # The clean-up step puts the suggested duplicates forward, beside the board.
    fran.locator('[data-agenda-go="dedupe"]').click()
    panel = fran.get_by_role("region", name="Suggested duplicates")
    expect(panel).to_be_visible()
    expect(ann_page.get_by_role("region", name="Suggested duplicates")).to_be_visible()
    pair = panel.locator(".pair", has_text="Deploy to staging")
    expect(pair).to_contain_text("Deployed to staging")
    pair.get_by_role("button", name="Merge: keep “Deployed to staging”").click()
    expect(fran.locator("#board-notice")).to_contain_text(
        "Merged “Deploy to staging” into “Deployed to staging”."
    )
    merged = sticky(bo_page, "Deployed to staging")
    expect(merged.locator(".authors")).to_have_text("2 people")
    expect(merged.locator(".authors")).to_have_attribute("title", "Written by Ann and Bo")
    expect(sticky(bo_page, "Deploy to staging")).to_have_count(0)
    expect(ann_page.locator("#merges-panel .pair", has_text="Deploy to staging")).to_have_count(0)

    # Split in the merged sticky's toolbar brings the other back, with its note.
    sticky(fran, "Deployed to staging").focus()
    fran.get_by_role("toolbar", name="Sticky actions").get_by_role("button", name="Split").click()
    expect(sticky(bo_page, "Deploy to staging")).to_be_visible()
    expect(sticky(ann_page, "Deployed to staging").locator(".authors")).to_have_count(0)
    column = bo_page.locator("#timeline > .column", has=sticky(bo_page, "Deploy to staging"))
    expect(column.locator(".lane .sticky", has_text="Argo CD")).to_be_visible()

    # The pair is suggested again; "Not duplicates" takes it off everyone's list.
    pair = ann_page.locator("#merges-panel .pair", has_text="Deploy to staging")
    pair.get_by_role("button", name="Not duplicates").click()
    expect(panel.locator(".pair")).to_have_count(0)
    expect(panel.locator("[data-merges=status]")).to_contain_text("No likely duplicates left")

    # Ann drags one event onto the middle of another: merged, said with an Undo; redone.
    drag(ann_page, sticky(ann_page, "Pull request reviewed"), sticky(ann_page, "Code reviewed"))
    expect(ann_page.locator("#board-notice")).to_contain_text(
        "Merged “Pull request reviewed” into “Code reviewed”."
    )
    expect(sticky(bo_page, "Pull request reviewed")).to_have_count(0)
    ann_page.locator("#board-notice").get_by_role("button", name="Undo").click()
    expect(sticky(bo_page, "Pull request reviewed")).to_be_visible()
    expect(sticky(bo_page, "Code reviewed").locator(".authors")).to_have_count(0)
    ann_page.keyboard.press("Control+Shift+Z")
    expect(sticky(fran, "Pull request reviewed")).to_have_count(0)
    expect(sticky(fran, "Code reviewed").locator(".authors")).to_have_text("2 people")

    # Bo merges by keyboard: M on a sticky, Escape cancels; M again, then Enter on the one to keep.
    released = sticky(bo_page, "Released")
    released.focus()
    bo_page.keyboard.press("m")
    merge_bar = bo_page.get_by_role("group", name="Merge “Released” into")
    expect(merge_bar).to_be_visible()
    expect(bo_page.get_by_label("The sticky to keep")).to_be_focused()
    bo_page.keyboard.press("Escape")
    expect(merge_bar).to_be_hidden()
    expect(released).to_be_focused()
    bo_page.keyboard.press("m")
    sticky(bo_page, "Released to production").focus()
    bo_page.keyboard.press("Enter")
    expect(sticky(ann_page, "Released")).to_have_count(0)
    expect(sticky(ann_page, "Released to production").locator(".authors")).to_have_text("2 people")
    assert Sticky.objects.get(text="Released").merged_into == Sticky.objects.get(
        text="Released to production"
    )

    # The pain step puts dot voting forward; the totals are hidden to start with.
    fran.locator('[data-agenda-go="pain"]').click()
    voting = ann_page.get_by_role("region", name="Dot voting")
    expect(voting).to_be_visible()
    expect(voting.locator("[data-votes=left]")).to_have_text("3 of 3 votes left.")
    sticky(ann_page, "Reviews wait 2 days").get_by_role("button", name="Vote for").click()
    expect(voting.locator("[data-votes=left]")).to_have_text("2 of 3 votes left.")
    for text in pains[1:]:
        voting.get_by_role("button", name=f"Vote for “{text}”").click()
    expect(voting.locator("[data-votes=left]")).to_contain_text("0 of 3 votes left")
    voting.get_by_role("button", name="Vote for “Reviews wait 2 days”").click()
    expect(ann_page.locator("#board-notice")).to_contain_text("You have given all your 3 votes")
    voting.get_by_role("button", name="Take back a vote from “One QA team for six teams”").click()
    expect(voting.locator("[data-votes=left]")).to_have_text("1 of 3 votes left.")
    bo_page.get_by_role("region", name="Dot voting").get_by_role(
        "button", name="Vote for “Reviews wait 2 days”"
    ).click()
    expect(bo_page.locator("#votes-opener")).to_contain_text("2 of 3 left")

    # The facilitator sees the totals; Bo sees his own vote only, on screen and on the wire,
    # and after a reload.
    results = fran.get_by_role("region", name="Dot voting").locator(".vote-row")
    expect(results.first).to_contain_text("Reviews wait 2 days")
    expect(results.first).to_contain_text("2 votes")
    expect(sticky(bo_page, "Reviews wait 2 days").locator(".vote-dots")).to_have_text("●")
    bo_page.reload()
    expect(bo_page.locator("#live-status")).to_have_text("Live")
    expect(bo_page.locator(".vote-total")).to_have_count(0)
    expect(sticky(bo_page, "Staging broken on Mondays").locator(".vote-dots")).to_have_count(0)
    expect(bo_page.locator("[data-votes=hidden-note]")).to_contain_text("hidden")
    people = json.loads(bo_page.locator("#people-state").text_content() or "[]")
    assert all("votes" not in person for person in people if person["id"] == ann.pk)
    assert frames and not [leak for frame in frames for leak in leaks(frame, ann.pk)]

    # Shown: everyone gets the totals, ranked, most votes first.
    fran.get_by_role("button", name="Show the votes to everyone").click()
    bo_results = bo_page.get_by_role("region", name="Dot voting")
    expect(bo_results.get_by_role("heading", name="Results, most votes first")).to_be_visible()
    rows = bo_results.locator(".vote-row")
    expect(rows.first).to_contain_text("Reviews wait 2 days")
    expect(rows.first).to_contain_text("2 votes")
    expect(rows.nth(1)).to_contain_text("Staging broken on Mondays")
    expect(rows.nth(1)).to_contain_text("1 vote")
    expect(rows.nth(2)).to_contain_text("no votes")
    expect(sticky(bo_page, "Reviews wait 2 days").locator(".vote-total")).to_have_text("2 votes")

    # Someone else's vote leaves the buttons on Bo's screen where they are (drawn again, a
    # button taken out and put back loses a click under way on it): his list keeps its rows, the
    # focus stays on the one he is on, and a sticky whose votes did not change keeps its mark.
    give = rows.nth(2).get_by_role("button", name="Vote for “One QA team for six teams”")
    give.focus()
    row = rows.nth(2).element_handle()
    mark = sticky(bo_page, "Staging broken on Mondays").locator(".vote-mark").element_handle()
    row.evaluate(
        """row => { window.rowsTakenOut = 0; new MutationObserver((records) => {
             window.rowsTakenOut += records.filter((r) => [...r.removedNodes].includes(row)).length;
           }).observe(row.parentElement, { childList: true }); }"""
    )
    voting.get_by_role("button", name="Vote for “One QA team for six teams”").click()
    expect(rows.nth(2)).to_contain_text("1 vote")
    expect(give).to_be_focused()
    assert bo_page.evaluate("window.rowsTakenOut") == 0
    assert mark.evaluate("mark => mark.isConnected")

    # Pain points without a name, once the facilitator allows them.
    add_anonymously = ann_page.get_by_label("Post without my name")
    fran.get_by_label("Allow pain points without a name").check()
    ann_page.keyboard.press("Alt+1")
    expect(add_anonymously).to_be_hidden()
    ann_page.keyboard.press("Alt+4")
    add_anonymously.check()
    add(ann_page, "Nobody owns the release checklist", "4")
    for page in (fran, bo_page, ann_page):
        nameless = sticky(page, "Nobody owns the release checklist")
        expect(nameless).to_be_visible()
        expect(nameless.locator(".author")).to_have_count(0)
    stored = Sticky.objects.get(text="Nobody owns the release checklist")
    assert stored.anonymous and stored.created_by_id == ann.pk
