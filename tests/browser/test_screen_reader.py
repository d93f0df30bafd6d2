"""Following and changing the board without seeing it: others' changes said in summary in the
page's polite live region, and the list view (the same timeline as a document) read, kept in
step and used to change the board, by keyboard."""

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.board_pages import add, open_board, timeline
from tests.browser.conftest import AppServer
from tests.factories import make_note, make_sticky
from workshops import services
from workshops.kinds import Kind
from workshops.models import Workshop

# Every text the live region says, in order (kept by the page from the moment this runs).
LISTEN = """() => {
  window.saidAloud = [];
  const region = document.getElementById("board-said");
  new MutationObserver(() => region.textContent && window.saidAloud.push(region.textContent))
    .observe(region, { childList: true, characterData: true, subtree: true });
}"""


def said(page: Page) -> list[str]:
    return list(page.evaluate("window.saidAloud"))


def test_others_changes_are_said_once_in_summary_and_ones_own_are_not(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    alice = open_board(browser, app_server.url, board, name="Alice")
    bob = open_board(browser, app_server.url, board, name="Bob")
    expect(alice.locator("#board-said")).to_have_text("Bob joined.")
    for page in (alice, bob):
        page.evaluate(LISTEN)

    add(alice, "Planned")
    add(alice, "Built")
    expect(bob.locator("#timeline > .column")).to_have_count(2)
    expect(bob.locator("#board-said")).to_have_text("Alice added 2 stickies.")
    assert said(bob) == ["Alice added 2 stickies."]  # one summary, not one per sticky
    assert said(alice) == []  # her own changes are on her screen already

    alice.locator("#timeline .sticky", has_text="Built").focus()
    alice.keyboard.press("Alt+ArrowLeft")
    expect(bob.locator("#board-said")).to_have_text("Alice moved “Built”.")
    assert timeline(bob) == ["Built", "Planned"]


def test_the_list_view_reads_follows_and_changes_the_board_by_keyboard(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    fran = services.facilitator_participant(workshop=board, user=board.owner)
    planned = make_sticky(board, fran, text="Planned")
    built = make_sticky(board, fran, text="Built")
    make_sticky(board, fran, text="Shipped")
    make_note(board, fran, Kind.SYSTEM, "Jenkins", built)
    make_note(board, fran, Kind.PAIN, "Flaky tests", built)
    make_note(board, fran, Kind.PERSON, "Product owner", planned)
    make_sticky(board, fran, kind=Kind.QUESTION, text="Is staging needed?")  # parked
    alice = open_board(browser, app_server.url, board, name="Alice")
    bob = open_board(browser, app_server.url, board, name="Bob")

    bob.keyboard.press("Alt+Shift+L")
    outline = bob.locator("#outline")
    expect(outline).to_be_visible()
    expect(bob.locator("#canvas")).to_be_hidden()  # the list takes the board's place
    expect(bob.locator("#outline-heading")).to_be_focused()
    expect(bob.get_by_role("button", name="List view")).to_have_attribute("aria-pressed", "true")
    steps = outline.get_by_role("heading", level=3)
    expect(steps).to_have_text(
        [
            "Step 1 of 3: Planned",
            "Step 2 of 3: Built",
            "Step 3 of 3: Shipped",
            re.compile("Parking area, not placed yet \\(1\\)"),
        ]
    )
    built_step = outline.locator(".outline-step", has_text="Step 2 of 3: Built")
    systems = built_step.get_by_role("list", name="Systems and tools (1)")
    expect(systems.get_by_role("listitem")).to_have_text(re.compile("Jenkins — Added by "))
    expect(built_step.get_by_role("list", name="Pain points (1)")).to_contain_text("Flaky tests")
    expect(outline.get_by_role("list", name="Other stickies (1)")).to_contain_text(
        "Is staging needed?"
    )

    # Someone else's change shows in the list; the focus stays where it was.
    edit_jenkins = bob.get_by_role("button", name="Edit “Jenkins”")
    edit_jenkins.focus()
    add(alice, "Released")
    expect(steps.nth(3)).to_have_text("Step 4 of 4: Released")
    expect(edit_jenkins).to_be_focused()

    # A note added from the list: on Alice's board, under the step it was added to.
    built_step = outline.locator(".outline-step", has_text="Step 2 of 4: Built")
    built_step.get_by_role("button", name="Add a note here, under “Built”").press("Enter")
    dialog = bob.get_by_role("dialog", name="Add a note")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Text")).to_be_focused()
    dialog.get_by_label("Kind").select_option("question")
    dialog.get_by_label("Text").press_sequentially("Who runs the release?")
    dialog.get_by_label("Text").press("Enter")
    expect(dialog).to_be_hidden()
    alice_built = alice.locator(
        "#timeline > .column", has=alice.locator(".kind-event", has_text="Built")
    )
    expect(alice_built.locator('.lane[data-kind="question"] .sticky')).to_have_text(
        re.compile("Who runs the release?")
    )
    expect(built_step.get_by_role("list", name="Questions (1)")).to_contain_text(
        "Who runs the release? — Added by Bob"
    )

    # A sticky edited from the list, then a step moved earlier.
    edit_jenkins.press("Enter")
    dialog = bob.get_by_role("dialog", name="Edit a sticky")
    expect(dialog.get_by_label("Text")).to_have_value("Jenkins")
    dialog.get_by_label("Text").fill("Jenkins CI")
    dialog.get_by_label("Text").press("Enter")
    expect(alice_built.locator('.lane[data-kind="system"] .sticky .text')).to_have_text(
        "Jenkins CI"
    )
    expect(bob.get_by_role("button", name="Edit “Jenkins CI”")).to_be_focused()
    bob.get_by_role("button", name=re.compile("^Earlier: move “Shipped”")).press("Enter")
    expect(alice.locator("#timeline > .column > .sticky .text")).to_have_text(
        ["Planned", "Shipped", "Built", "Released"]
    )
    expect(steps.nth(1)).to_have_text("Step 2 of 4: Shipped")

    # And back to the board, which shows the same.
    bob.keyboard.press("Alt+Shift+L")
    expect(bob.locator("#canvas")).to_be_visible()
    expect(outline).to_be_hidden()
    assert timeline(bob) == ["Planned", "Shipped", "Built", "Released"]
    expect(bob.locator('.lane[data-kind="system"] .sticky .text')).to_have_text("Jenkins CI")
