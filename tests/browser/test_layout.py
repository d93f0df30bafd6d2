"""The board's layout on real screens: a fifteen-step map with its notes fits a laptop at 100%,
lanes take the room their notes need, the parking area is at hand, the top bar fits, the
toolbar names the sticky it acts on and covers none, and a phone or a 200% zoom gets a board
that fits."""

import time
from collections.abc import Callable
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Browser, FloatRect, Locator, Page, ViewportSize, expect

from tests.browser.conftest import AppServer
from workshops import services
from workshops.access import remember_participant
from workshops.models import Participant, Sticky, Workshop
from workshops.protocol import Place

# A realistic map: fifteen steps, the notes a team puts under them, and a few not placed yet.
SCENARIO: list[tuple[str, list[tuple[str, str]]]] = [
    ("Idea raised in the quarterly review",
     [("person", "Product manager"), ("pain", "Ideas wait a quarter for a sponsor")]),
    ("Business case approved",
     [("person", "Portfolio board"), ("check", "Cost estimate signed off")]),
    ("Story picked up from the backlog", [("system", "Jira")]),
    ("Design reviewed", [("person", "Architecture forum"), ("pain", "Forum meets monthly")]),
    ("Code written on a branch", [("system", "GitHub")]),
    ("Code reviewed", [("check", "Two approvals"), ("pain", "Reviews wait 2 days")]),
    ("Merged to main", [("system", "GitHub Actions"), ("check", "Unit tests and lint")]),
    ("Deployed to the shared test environment",
     [("system", "Jenkins"), ("pain", "Environment broken most Mondays"),
      ("question", "Who owns the test data?")]),
    ("Tested by QA", [("person", "QA team")]),
    ("Security scan passed", [("person", "Security team"), ("check", "Penetration test")]),
    ("Change approved by the CAB",
     [("person", "Change advisory board"), ("check", "Release checklist (42 items)"),
      ("pain", "Meets once a week")]),
    ("Deployed to production", [("system", "Ansible")]),
    ("Smoke tested", [("check", "Smoke tests")]),
    ("Feature switched on", [("system", "LaunchDarkly")]),
    ("A customer used the new feature", [("question", "How do we know?")]),
]  # fmt: skip
PARKED = [
    ("event", "Release notes published"),
    ("system", "Excel"),
    ("question", "Can we deploy on Fridays?"),
    ("pain", "Nobody knows who owns the deployment pipeline"),
]
LAPTOP = ViewportSize(width=1440, height=900)
PHONE = ViewportSize(width=390, height=844)
DOUBLE_ZOOM = ViewportSize(width=720, height=450)  # a 1440 by 900 laptop at 200%


def fill_scenario(workshop: Workshop, steps: int = len(SCENARIO)) -> Participant:
    ann = services.participant_join(workshop=workshop, name="Ann")

    def add(kind: str, text: str, place: Place) -> Sticky:
        return services.sticky_add(
            workshop=workshop, by=ann, op=None, kind=kind, text=text, place=place
        )

    for number in range(steps):
        text, notes = SCENARIO[number % len(SCENARIO)]
        event = add(
            "event", text if number < len(SCENARIO) else f"{text} ({number})", Place(parked=False)
        )
        for kind, note in notes:
            add(kind, note, Place(parked=False, event=event.pk))
    for kind, text in PARKED:
        add(kind, text, Place(parked=True))
    return ann


def open_at(
    browser: Browser, base_url: str, workshop: Workshop, viewport: ViewportSize, **who: Any
) -> Page:
    """The board in a browser of this size, for the facilitator (`user`) or a participant
    (`participant`); a phone-sized one is a touch screen."""
    session = SessionStore()
    if user := who.get("user"):
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    else:
        remember_participant(session, who["participant"])
    session.create()
    phone = viewport["width"] < 600
    context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
    context.add_cookies([{"name": "sessionid", "value": str(session.session_key), "url": base_url}])
    page = context.new_page()
    page.goto(f"{base_url}/w/{workshop.slug}/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    return page


def eventually(check: Callable[[], bool], timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "not so in time"
        time.sleep(0.1)


def box(page: Page, selector: str) -> FloatRect:
    found = page.locator(selector).first.bounding_box()
    assert found, selector
    return found


def box_of(locator: Locator) -> FloatRect:
    found = locator.bounding_box()
    assert found, locator
    return found


def overlap(a: FloatRect, b: FloatRect) -> float:
    wide = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    high = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(0, wide) * max(0, high)


def column_of(page: Page, event_text: str) -> Locator:
    return page.locator("#timeline > .column", has=page.locator(".kind-event", has_text=event_text))


# What of the board the screen shows: columns and parked stickies outside the window, notes
# hidden under the parking area, and the smallest text as drawn (its font size times any zoom
# of the board).
ON_SCREEN = """() => {
  const inside = (r) =>
    r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.bottom <= innerHeight;
  const zoom = document.getElementById("board-content").currentCSSZoom ?? 1;
  const sizes = [...document.querySelectorAll("#board-content .sticky .text")]
    .map((text) => parseFloat(getComputedStyle(text).fontSize) * zoom);
  const outside = (selector) => [...document.querySelectorAll(selector)]
    .filter((element) => !inside(element.getBoundingClientRect()))
    .map((element) => element.querySelector(".text").textContent);
  const parking = document.getElementById("parking").getBoundingClientRect();
  return {
    columns: document.querySelectorAll("#timeline > .column").length,
    columnsOutside: outside("#timeline > .column"),
    notesUnderParking: [...document.querySelectorAll(".lane .sticky")]
      .filter((note) => note.getBoundingClientRect().bottom > parking.top)
      .map((note) => note.textContent),
    parkedOutside: outside("#parking .sticky"),
    smallestText: Math.min(...sizes),
    pageWidth: document.documentElement.scrollWidth,
  };
}"""


def test_a_fifteen_step_map_with_its_notes_fits_a_laptop_screen_at_100_percent(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    fill_scenario(board)
    fran = open_at(browser, app_server.url, board, LAPTOP, user=board.owner)
    expect(fran.locator("#zoom-level")).to_have_text("100%")
    shown = fran.evaluate(ON_SCREEN)
    assert shown["columns"] == 15
    assert shown["columnsOutside"] == []  # every step, its lanes and notes, on screen at once
    assert shown["notesUnderParking"] == []
    assert shown["parkedOutside"] == []  # and the parking area too
    assert shown["smallestText"] >= 12
    assert shown["pageWidth"] <= LAPTOP["width"]
    # The board draws the whole path with its ends; no overview strip is needed for it.
    assert box(fran, ".bookend-last")["x"] + box(fran, ".bookend-last")["width"] <= 1440
    expect(fran.locator("#overview")).to_be_hidden()

    # Parked stickies are as tall as their own text, not as the tallest beside them.
    short = box(fran, "#parked-notes .sticky:has-text('Excel')")
    long = box(fran, "#parked-notes .sticky:has-text('Nobody knows')")
    assert short["y"] == long["y"]  # side by side
    assert short["height"] < long["height"] - 10


def test_a_longer_map_fits_by_fit_and_its_overview_scrolls_the_board(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    fill_scenario(board, steps=40)
    fran = open_at(browser, app_server.url, board, LAPTOP, user=board.owner)
    overview = fran.locator("#overview")
    expect(overview).to_be_visible()
    last = fran.locator("#timeline > .column").last
    expect(last).not_to_be_in_viewport()

    # A click near the end of the overview brings the end of the path into view.
    strip = box(fran, "#overview")
    fran.mouse.click(strip["x"] + strip["width"] - 3, strip["y"] + strip["height"] / 2)
    expect(last).to_be_in_viewport(ratio=1)

    # Fit: the whole path in the width, zoomed out as far as it needs and no further.
    fran.get_by_role("button", name="Fit the whole path").click()
    expect(fran.locator("#zoom-level")).not_to_have_text("100%")
    assert fran.evaluate(ON_SCREEN)["columnsOutside"] == []
    first, end = box(fran, "#timeline > .column"), box(fran, ".bookend-last")
    assert first["x"] >= 0 and end["x"] + end["width"] <= LAPTOP["width"]
    fran.locator("[data-zoom=reset]").click()
    expect(fran.locator("#zoom-level")).to_have_text("100%")


def test_an_empty_lane_is_thin_and_still_takes_a_drop_and_a_keyboard_move(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    ann = services.participant_join(workshop=board, name="Ann")
    events = [
        services.sticky_add(
            workshop=board, by=ann, op=None, kind="event", text=text, place=Place(parked=False)
        )
        for text in ("Planned", "Built", "Shipped")
    ]
    services.sticky_add(
        workshop=board, by=ann, op=None, kind="system", text="Jenkins",
        place=Place(parked=False, event=events[1].pk),
    )  # fmt: skip
    services.sticky_add(
        workshop=board, by=ann, op=None, kind="question", text="Who approves?",
        place=Place(parked=True),
    )  # fmt: skip
    page = open_at(browser, app_server.url, board, LAPTOP, participant=ann)
    empty = column_of(page, "Built").locator('.lane[data-kind="question"]')
    full = column_of(page, "Built").locator('.lane[data-kind="system"]')
    assert box_of(empty)["height"] <= 30  # no tall row where nothing is
    assert box_of(full)["height"] <= 40  # and a row as tall as its notes

    # While a question is dragged, the question lanes open up to take it.
    start = box_of(page.locator("#parked-notes .sticky", has_text="Who approves?"))
    page.mouse.move(start["x"] + 20, start["y"] + 10)
    page.mouse.down()
    page.mouse.move(start["x"] + 40, start["y"] - 20, steps=5)
    expect(empty).to_have_attribute("data-kind", "question")
    page.wait_for_timeout(300)  # the lanes grow
    target = box_of(empty)
    assert target["height"] >= 40
    assert box_of(full)["height"] <= 40  # the others stay as they were
    page.mouse.move(target["x"] + target["width"] / 2, target["y"] + target["height"] / 2, steps=15)
    page.mouse.up()
    expect(empty.locator(".sticky", has_text="Who approves?")).to_be_visible()
    eventually(lambda: board.stickies.get(text="Who approves?").event_id == events[1].pk)

    note = empty.locator(".sticky", has_text="Who approves?")
    note.focus()
    page.keyboard.press("Alt+ArrowRight")
    shipped = column_of(page, "Shipped").locator('.lane[data-kind="question"]')
    expect(shipped.locator(".sticky", has_text="Who approves?")).to_be_visible()
    eventually(lambda: board.stickies.get(text="Who approves?").event_id == events[2].pk)
    page.keyboard.press("Control+z")  # and back, by its undo
    expect(empty.locator(".sticky", has_text="Who approves?")).to_be_visible()
    eventually(lambda: board.stickies.get(text="Who approves?").event_id == events[1].pk)


def test_the_parking_area_folds_away_and_a_key_brings_it_back(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    ann = fill_scenario(board)
    page = open_at(browser, app_server.url, board, LAPTOP, participant=ann)
    toggle = page.get_by_role("button", name="Parking area")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#parked-notes .sticky").first).to_be_hidden()

    column_of(page, "Smoke tested").locator(".sticky").first.focus()
    page.keyboard.press("Alt+Shift+P")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    parked = page.locator("#parked-events .sticky").first
    expect(parked).to_be_focused()
    expect(parked).to_be_in_viewport(ratio=1)


def test_the_top_bar_fits_and_a_participant_sees_who_they_are(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    ann = fill_scenario(board)
    Workshop.objects.filter(pk=board.pk).update(title="Checkout service: from idea to customer")
    fran = open_at(browser, app_server.url, board, LAPTOP, user=board.owner)
    bar = box(fran, ".topbar")
    assert bar["height"] <= 64  # one line
    for name in ("Download the map as a PDF", "Download the map as JSON", "Share", "Log out"):
        control = fran.get_by_role("link", name=name).or_(fran.get_by_role("button", name=name))
        found = control.first.bounding_box()
        assert found and found["height"] <= 36, name  # each on one line
        assert found["x"] + found["width"] <= LAPTOP["width"], name

    guest = open_at(browser, app_server.url, board, LAPTOP, participant=ann)
    account = guest.get_by_role("navigation", name="Account")
    expect(account).to_contain_text("Ann")
    expect(guest.get_by_role("link", name="Sign up")).to_have_count(0)
    expect(guest.get_by_role("link", name="Log in")).to_have_count(0)


# The stickies the sticky toolbar covers: each sticky's box as it shows (clipped by the board
# and the parking area that scroll it), against the toolbar's box.
UNDER_TOOLBAR = """() => {
  const bar = document.getElementById("sticky-toolbar").getBoundingClientRect();
  const shown = (sticky) => {
    let { left, top, right, bottom } = sticky.getBoundingClientRect();
    for (let box = sticky.parentElement; box; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (style.overflowX === "visible" && style.overflowY === "visible") continue;
      const clip = box.getBoundingClientRect();
      [left, top] = [Math.max(left, clip.left), Math.max(top, clip.top)];
      [right, bottom] = [Math.min(right, clip.right), Math.min(bottom, clip.bottom)];
    }
    return { left, top, right, bottom };
  };
  return [...document.querySelectorAll(".sticky[data-id]")].filter((sticky) => {
    const box = shown(sticky);
    return box.left < Math.min(box.right, bar.right) && bar.left < box.right
      && box.top < Math.min(box.bottom, bar.bottom) && bar.top < box.bottom;
  }).map((sticky) => sticky.querySelector(".text").textContent);
}"""


def test_the_toolbar_names_its_sticky_and_covers_no_sticky(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    ann = fill_scenario(board)
    for size in (LAPTOP, ViewportSize(width=1000, height=800), PHONE):
        page = open_at(browser, app_server.url, board, size, participant=ann)
        toolbar = page.get_by_role("toolbar", name="Sticky actions")
        stickies = [
            column_of(page, "Code reviewed").locator(".lane .sticky", has_text="Reviews wait"),
            column_of(page, "Change approved by the CAB").locator(":scope > .sticky"),
            page.locator("#parked-notes .sticky", has_text="Excel"),
        ]
        parking = page.get_by_role("button", name="Parking area")
        if parking.get_attribute("aria-expanded") == "false":  # folded on a phone
            parking.click()
        for sticky in stickies:
            text = sticky.locator(".text").inner_text()
            sticky.focus()
            expect(toolbar).to_contain_text(f"Actions for: {text}")
            page.wait_for_timeout(100)  # docked, and the board made room for it
            assert page.evaluate(UNDER_TOOLBAR) == [], (size, text)
            expect(sticky).to_be_in_viewport(ratio=1)  # and the sticky scrolled clear of it
            assert overlap(box_of(toolbar), box_of(sticky)) == 0, (size, text)
            for control in toolbar.locator("button:visible, select:visible").all():
                assert box_of(control)["height"] >= (44 if size == PHONE else 24), (size, control)
        # The keys stay as they were: Tab reaches it, Escape goes back to the sticky.
        page.keyboard.press("Tab")
        expect(toolbar.get_by_role("button", name="Edit")).to_be_focused()
        page.keyboard.press("Escape")
        expect(stickies[-1]).to_be_focused()
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        page.context.close()


def test_a_phone_gets_the_whole_top_bar_a_tappable_toolbar_and_a_confirmed_add(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    ann = fill_scenario(board)
    phone = open_at(browser, app_server.url, board, PHONE, participant=ann)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert box(phone, ".board-title h1")["width"] >= 100
    for name in ("Download the map as a PDF", "Download the map as JSON"):
        link = phone.get_by_role("link", name=name).bounding_box()
        assert link and link["x"] >= 0 and link["x"] + link["width"] <= PHONE["width"], name
    expect(phone.get_by_role("link", name="Sign up")).to_have_count(0)

    # A tap on a sticky, then on Delete in its toolbar: nothing covers the button.
    jira = phone.locator(".lane .sticky", has_text="Jira")
    jira.tap()
    delete = phone.locator("#sticky-toolbar [data-action=delete]")
    expect(delete).to_be_visible()
    delete.tap()
    expect(phone.locator(".sticky", has_text="Jira")).to_have_count(0)

    # A note added with no event selected: it goes to the parking area, in view, and says so.
    phone.locator("#add-text").press("Escape")
    phone.locator(".kind-choice", has_text="Question").tap()
    phone.locator("#add-text").fill("Who signs off the release?")
    phone.locator("#add-text").press("Enter")
    added = phone.locator("#parked-notes .sticky", has_text="Who signs off")
    expect(added).to_be_in_viewport()
    expect(phone.locator("#add-target")).to_contain_text("Added to the parking area")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_at_200_percent_zoom_the_board_keeps_most_of_the_screen(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    fill_scenario(board)
    fran = open_at(browser, app_server.url, board, DOUBLE_ZOOM, user=board.owner)
    assert fran.evaluate("document.documentElement.scrollWidth") <= DOUBLE_ZOOM["width"]
    assert box(fran, ".board-title h1")["width"] >= 100
    assert box(fran, "#canvas")["height"] >= 0.6 * DOUBLE_ZOOM["height"]
    expect(fran.get_by_role("link", name="Download the map as a PDF")).to_be_in_viewport()


def test_reduced_motion_and_forced_colours_are_honoured(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    fill_scenario(board, steps=3)
    fran = open_at(browser, app_server.url, board, LAPTOP, user=board.owner)
    lane = "getComputedStyle(document.querySelector('.lane')).transitionDuration"
    assert fran.evaluate(lane) != "0s"
    fran.emulate_media(reduced_motion="reduce")
    assert fran.evaluate(lane) == "0s"

    fran.emulate_media(forced_colors="active")
    fran.locator("#timeline .kind-event", has_text="Business case").click()
    fran.keyboard.press("Alt+2")
    chips = fran.evaluate(
        """() => [...document.querySelectorAll('.kind-choice > span')].map((chip) => {
          const style = getComputedStyle(chip);
          return `${style.outlineStyle} ${style.outlineWidth} ${style.borderTopWidth}`;
        })"""
    )
    assert chips[1] != chips[0] and chips.count(chips[0]) == len(chips) - 1  # the chosen differs
    edges = fran.evaluate(
        """() => [...document.querySelectorAll('#timeline > .column > .sticky')].map((event) => {
          const style = getComputedStyle(event);
          return [event.closest('.column').classList.contains('selected'),
                  style.outlineStyle, parseFloat(style.borderTopWidth)];
        })"""
    )
    assert all(width >= 1 for _, _, width in edges)  # events keep their edges
    assert [outline != "none" for selected, outline, _ in edges] == [
        selected for selected, _, _ in edges
    ]  # and the selected one is marked by more than a colour
