"""A big board on Daphne (the server of `make run`, which refuses frames over 1 MiB): it opens,
and a screen that missed everything catches up over HTTP instead of reconnecting in a loop."""

from playwright.sync_api import Browser, WebSocket, expect

from benchmarks.seed import fill
from tests.browser.board_pages import add, open_board
from tests.browser.conftest import AppServer
from workshops.models import Workshop


def test_a_screen_that_missed_a_big_board_catches_up_without_losing_its_socket(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    fill(board, board.owner, 2100)
    fran = open_board(browser, app_server.url, board, user=board.owner)
    ann = open_board(browser, app_server.url, board, name="Ann")
    sockets: list[WebSocket] = []
    fran.on("websocket", lambda socket: sockets.append(socket))
    expect(fran.locator(".sticky[data-id]")).to_have_count(2100)

    fran.evaluate("p2pboard.live.raw({type: 'sync', since: 0})")  # as if it had missed it all
    add(ann, "Released to everyone")
    # Found by its accessible name, which CSS matches: Playwright's has_text reads each of the
    # 2,100 stickies' text with a layout of its own while the page is changing (traced: 1,569
    # layouts, 16.8 s in one task of the page's, which held back the patch it waited for).
    named = '#timeline .sticky[aria-label^="Event: Released to everyone."]'
    expect(ann.locator(named)).to_be_visible()
    released = fran.locator(named)
    # A big page to fetch and draw again, on a machine that may be running other tests.
    expect(released).to_be_visible(timeout=30_000)
    expect(fran.locator(".sticky[data-id]")).to_have_count(2101)
    expect(fran.locator("#live-status")).to_have_text("Live")
    assert sockets == []  # the socket it had is the one it still has: no reconnection
    assert fran.evaluate("p2pboard.live.seq") == board.stickies.count()


def test_a_board_drawn_before_a_patch_this_page_applied_gets_that_change_back(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    """A snapshot can be overtaken by a patch made after it was taken: the board it draws lacks
    that change, and the page asks for it again at once (not at the next ping, 25 s later)."""
    fran = open_board(browser, app_server.url, board, user=board.owner)
    ann = open_board(browser, app_server.url, board, name="Ann")
    add(ann, "Built")
    expect(fran.locator("#timeline .sticky", has_text="Built")).to_be_visible()
    drawn = fran.evaluate(
        """() => ({html: document.getElementById("board-content").outerHTML,
                   seq: p2pboard.live.seq,
                   board: JSON.parse(document.getElementById("board-state").textContent)})"""
    )
    add(ann, "Released to everyone")
    released = fran.locator("#timeline .sticky", has_text="Released to everyone")
    expect(released).to_be_visible()
    count = fran.locator("#timeline .sticky").count()

    fran.evaluate("(d) => p2pboard.live.replaceBoard(d.html, d.seq, d.board)", drawn)

    expect(released).to_be_visible(timeout=3_000)
    expect(fran.locator("#timeline .sticky")).to_have_count(count)
    assert fran.evaluate("p2pboard.live.seq") == drawn["seq"] + 1
