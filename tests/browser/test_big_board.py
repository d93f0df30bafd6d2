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
    released = fran.locator("#timeline .sticky", has_text="Released to everyone")
    expect(released).to_be_visible(timeout=15_000)  # a big page to fetch and draw again
    expect(fran.locator(".sticky[data-id]")).to_have_count(2101)
    expect(fran.locator("#live-status")).to_have_text("Live")
    assert sockets == []  # the socket it had is the one it still has: no reconnection
    assert fran.evaluate("p2pboard.live.seq") == board.stickies.count()
