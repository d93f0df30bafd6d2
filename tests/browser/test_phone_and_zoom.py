"""A participant on a phone (390 by 844, a touch screen) takes a full part: joins, sees the step
and what to do, adds stickies where they mean to, votes, sizes a step in a round and sees the
board; and a laptop at 200% zoom (1280 by 720 at 200%: a 640 by 360 page) gets the board, the
manage page and the home page without anything wider than the screen."""

import time

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.browser.board_pages import open_board
from tests.browser.conftest import AppServer
from tests.browser.test_layout import fill_scenario, open_at
from workshops import services
from workshops.models import Sticky, Vote, Workshop

BUDGET = 45  # seconds
PHONE = ViewportSize(width=390, height=844)
DOUBLE_ZOOM = ViewportSize(width=640, height=360)  # 1280 by 720 at 200%


def fits(page: Page) -> None:
    """Nothing lays the page out wider than the screen, and the page's title shows."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"  # type: ignore[index]
    title = page.locator(".board-title h1, main h1").first.bounding_box()
    assert title and title["width"] >= 60, page.url


def eventually(check: object, timeout: float = 5) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not so in time"
        time.sleep(0.1)


def test_a_participant_takes_part_from_a_phone(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    started = time.monotonic()
    fill_scenario(board, steps=6)
    here = services.facilitator_participant(workshop=board, user=board.owner)
    services.board_update(workshop=board, by=here, op=None, phase="systems")
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()

    # Joining: the name typed, the button tapped.
    phone.goto(f"{app_server.url}/j/{board.participant_token}/")
    phone.locator("input[name=name]").tap()
    phone.keyboard.type("Pia")
    phone.get_by_role("button", name="Join").tap()
    expect(phone.locator("#live-status")).to_have_text("Live")
    fits(phone)

    # The step and what to do now, at the top of the screen; the other steps and the tips one
    # tap away.
    toggle = phone.locator("#agenda-toggle")
    expect(toggle).to_contain_text("Step 5 of 10")
    expect(phone.locator("#agenda-now")).to_be_in_viewport()
    expect(phone.locator("#agenda-now")).to_contain_text("system")
    expect(phone.locator("[aria-current=step]")).to_be_hidden()
    toggle.tap()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(phone.locator("[aria-current=step]")).to_be_in_viewport()
    toggle.tap()

    # A system added under the event tapped: it lands there, in view.
    phone.locator("#timeline .kind-event", has_text="Code reviewed").tap()
    phone.locator(".kind-choice", has_text="System").tap()
    phone.locator("#add-text").fill("Gerrit")
    phone.get_by_role("button", name="Add", exact=True).tap()
    column = phone.locator(
        "#timeline > .column", has=phone.locator(".kind-event", has_text="Code reviewed")
    )
    added = column.locator('.lane[data-kind="system"] .sticky', has_text="Gerrit")
    expect(added).to_be_in_viewport()

    # One with no event selected: to the parking area, brought into view, and said.
    phone.locator("#add-text").press("Escape")
    phone.locator("#add-text").fill("Who signs off the release?")
    phone.get_by_role("button", name="Add", exact=True).tap()
    parked = phone.locator("#parked-notes .sticky", has_text="Who signs off")
    expect(parked).to_be_in_viewport()
    expect(phone.locator("#add-target")).to_contain_text("Added to the parking area")

    # Its toolbar's Delete, tapped: nothing covers it.
    parked.tap()
    delete = phone.locator("#sticky-toolbar [data-action=delete]")
    expect(delete).to_be_in_viewport()
    delete.tap()
    expect(phone.locator(".sticky", has_text="Who signs off")).to_have_count(0)
    fits(phone)

    # Dot voting: a tap on a pain point's vote button.
    services.board_update(workshop=board, by=here, op=None, phase="pain")
    pain = phone.locator("#timeline .kind-pain", has_text="Reviews wait 2 days")
    vote = pain.locator("[data-vote=add]")
    vote.scroll_into_view_if_needed()
    vote.tap()
    eventually(lambda: Vote.objects.filter(sticky__text="Reviews wait 2 days").exists())

    # An estimation round: Pia picks a size with a tap.
    services.board_update(workshop=board, by=here, op=None, phase="timings")
    event = Sticky.objects.get(workshop=board, text="Code reviewed")
    services.round_set(workshop=board, by=here, op=None, action="start", events=[event.pk])
    round_box = phone.locator("#round")
    expect(round_box).to_contain_text("Sizing “Code reviewed”")
    pick = round_box.get_by_role("button", name="M, 1-5 days")
    pick.scroll_into_view_if_needed()
    pick.tap()
    expect(phone.locator("[data-round=mine]")).to_contain_text("You picked M.")

    # And the board, whole in width, the map's steps there to scroll along.
    expect(phone.locator("#timeline > .column").first).to_be_visible()
    fits(phone)
    assert time.monotonic() - started <= BUDGET


def test_at_200_percent_nothing_is_wider_than_the_screen_and_the_board_has_the_room(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    fill_scenario(board)
    fran = open_board(browser, app_server.url, board, user=board.owner)
    fran.set_viewport_size(DOUBLE_ZOOM)
    fran.reload()
    expect(fran.locator("#live-status")).to_have_text("Live")
    fits(fran)
    expect(fran.locator(".board-title h1")).to_be_in_viewport()
    for name in ("Download the map as a PDF", "Download the map as JSON"):
        expect(fran.get_by_role("link", name=name)).to_be_in_viewport()

    # Working on the board brings the board up: it gets most of the screen.
    fran.locator("#add-text").focus()
    fran.keyboard.press("Shift+Tab")
    fran.keyboard.press("Shift+Tab")
    fran.keyboard.press("Shift+Tab")
    expect(fran.locator(".sticky[data-id]:focus")).to_be_in_viewport(ratio=1)
    fran.wait_for_timeout(100)
    canvas = fran.locator("#canvas").bounding_box()
    assert canvas and canvas["y"] >= -1 and canvas["height"] >= 0.75 * DOUBLE_ZOOM["height"]
    fits(fran)

    for path in ("/", f"/w/{board.slug}/manage/"):
        fran.goto(app_server.url + path)
        fits(fran)


# How much of the screen the board has: the part of it between the top of the screen (or what is
# above it) and the add bar (pinned to the bottom of a short screen).
BOARD_SHOWN = """() => {
  const board = document.getElementById("canvas").getBoundingClientRect();
  const addBar = document.getElementById("add-bar").getBoundingClientRect();
  const below = Math.min(innerHeight, addBar.top);
  return Math.min(board.bottom, below) - Math.max(board.top, 0);
}"""


@pytest.mark.parametrize("size", [PHONE, DOUBLE_ZOOM], ids=["phone", "200%"])
def test_at_first_load_the_board_has_half_the_screen_in_every_busy_step(
    browser: Browser, app_server: AppServer, board: Workshop, size: ViewportSize
) -> None:
    ann = fill_scenario(board)
    here = services.facilitator_participant(workshop=board, user=board.owner)
    pages = [
        open_at(browser, app_server.url, board, size, participant=ann),
        open_at(browser, app_server.url, board, size, user=board.owner),
    ]
    for phase in ("brainstorm", "pain", "timings"):
        services.board_update(workshop=board, by=here, op=None, phase=phase)
        for page in pages:
            page.reload()
            expect(page.locator("#live-status")).to_have_text("Live")
            page.wait_for_timeout(200)  # the board laid out
            shown = page.evaluate(BOARD_SHOWN)
            assert shown >= 0.5 * size["height"], (phase, page.url, shown)
            fits(page)
    # The rest of the agenda is one tap away, and nothing grows wider than the screen for it.
    toggle = pages[1].locator("#agenda-toggle")
    toggle.click()
    expect(pages[1].get_by_role("button", name="Next step →")).to_be_visible()
    fits(pages[1])
