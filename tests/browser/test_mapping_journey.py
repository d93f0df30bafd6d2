"""A facilitator maps a few steps as a new user would: events typed one after another after a
selected one, notes under them, a deleted event undone, an over-long paste refused."""

from playwright.sync_api import Browser, expect

from tests.browser.board_pages import add, open_board, stored, timeline, wait_until_same
from tests.browser.conftest import AppServer
from workshops.limits import LIMITS
from workshops.models import Workshop


def test_mapping_steps_in_order_undoing_a_delete_and_an_over_long_paste(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    fran = open_board(browser, app_server.url, board, user=board.owner)
    ann = open_board(browser, app_server.url, board, name="Ann")
    add(fran, "Story picked up")
    add(fran, "Released")
    expect(fran.locator("#timeline > .column")).to_have_count(2)

    # Select the first event, then type two more: they read in the order typed.
    fran.locator("#timeline .sticky", has_text="Story picked up").click()
    add(fran, "Code reviewed")
    add(fran, "Merged to trunk")
    expected = ["Story picked up", "Code reviewed", "Merged to trunk", "Released"]
    expect(ann.locator("#timeline > .column > .sticky .text")).to_have_text(expected)
    assert timeline(fran) == expected
    expect(fran.locator("#add-target")).to_have_text("→ after “Merged to trunk”")

    # Notes under "Code reviewed" (selected by a click), then the event deleted and undone.
    reviewed = fran.locator("#timeline .sticky", has_text="Code reviewed")
    reviewed.click()
    add(fran, "Dev team", "3")
    add(fran, "Reviewers are busy", "4")
    column = ann.locator("#timeline > .column", has=ann.locator(".kind-event", has_text="Code"))
    expect(column.locator(".lane .sticky")).to_have_count(2)
    reviewed.focus()
    fran.keyboard.press("Delete")
    expect(ann.locator("#parked-notes .sticky")).to_have_count(2)
    fran.get_by_role("button", name="Undo").click()
    for page in (fran, ann):
        column = page.locator(
            "#timeline > .column", has=page.locator(".kind-event", has_text="Code")
        )
        expect(column.locator('.lane[data-kind="person"] .text')).to_have_text("Dev team")
        expect(column.locator('.lane[data-kind="pain"] .text')).to_have_text("Reviewers are busy")
        expect(page.locator("#parked-notes .sticky")).to_have_count(0)
    wait_until_same(fran, ann)

    # Editing an event by key and by double-click (no error in the page: see conftest).
    reviewed.focus()
    fran.keyboard.press("Enter")
    fran.keyboard.press("End")
    fran.keyboard.type(" twice")
    fran.keyboard.press("Enter")
    expect(ann.locator("#timeline .sticky", has_text="Code reviewed twice")).to_be_visible()
    fran.locator("#timeline .sticky", has_text="Released").dblclick()
    fran.keyboard.press("Escape")

    # A long paste: the counter says how far over the limit it is; adding is refused, the
    # text is kept, nothing is saved.
    before = stored(board)
    long_text = "Waited for the change board " * 200
    fran.locator("#add-text").fill(long_text)
    count = fran.locator("#add-text-count")
    expect(count).to_be_visible()
    over = len(long_text.strip()) - LIMITS.sticky_text
    expect(count).to_have_text(f"{len(long_text.strip())}/{LIMITS.sticky_text}: {over} too many")
    fran.locator("#add-text").press("Enter")
    expect(fran.locator("#board-notice")).to_contain_text("280 characters at most")
    expect(fran.locator("#add-text")).to_have_value(long_text)
    assert stored(board) == before
    fran.locator("#add-text").fill("Waited for the change board")
    expect(count).to_be_hidden()
    fran.locator("#add-text").press("Enter")
    expect(ann.locator(".sticky", has_text="Waited for the change board")).to_have_count(1)
