"""Journeys on the live board: several people at once, dragging, keys, undo."""

import json
import time
import uuid

from playwright.sync_api import Browser, WebSocket, WebSocketRoute, expect

from tests.browser.board_pages import (
    add,
    drag,
    open_board,
    stored,
    timeline,
    wait_until_same,
)
from tests.browser.conftest import AppServer
from workshops.models import Workshop


def test_three_people_editing_at_once_end_with_identical_boards(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    fran = open_board(browser, app_server.url, board, user=board.owner)
    ann = open_board(browser, app_server.url, board, name="Ann")
    bo = open_board(browser, app_server.url, board, name="Bo")

    for step in range(3):
        add(fran, f"Fran event {step}")
        add(ann, f"Ann event {step}")
        add(bo, f"Bo pain {step}", "4")
    expect(fran.locator(".sticky[data-id]")).to_have_count(9)
    wait_until_same(fran, ann, bo)

    # Everyone changes something at the same time.
    ann.locator("#timeline .sticky", has_text="Fran event 0").dblclick()
    ann.keyboard.press("Control+A")
    ann.keyboard.type("Code reviewed")
    bo_target = bo.locator("#timeline .sticky", has_text="Ann event 1")
    bo_target.focus()
    bo.keyboard.press("Alt+ArrowLeft")
    fran.locator("#timeline .sticky", has_text="Fran event 2").focus()
    fran.keyboard.press("Delete")
    ann.keyboard.press("Enter")
    bo.locator("#parked-notes .sticky", has_text="Bo pain 0").focus()
    bo.keyboard.press("Delete")

    for page in (fran, ann, bo):
        expect(page.locator(".sticky[data-id] .text", has_text="Code reviewed")).to_have_count(1)
        expect(page.locator(".sticky[data-id] .text", has_text="Fran event 2")).to_have_count(0)
        expect(page.locator(".sticky[data-id] .text", has_text="Bo pain 0")).to_have_count(0)
        expect(page.locator(".sticky[data-id]")).to_have_count(7)
    final = wait_until_same(fran, ann, bo)
    assert {row[2] for row in final} == stored(board)
    expect(fran.get_by_role("button", name="Undo")).to_be_visible()


def test_a_drag_on_one_screen_reorders_the_others(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    fran = open_board(browser, app_server.url, board, user=board.owner)
    ann = open_board(browser, app_server.url, board, name="Ann")
    for text in ("Planned", "Built", "Shipped"):
        add(fran, text)
    expect(ann.locator("#timeline > .column")).to_have_count(3)

    shipped = fran.locator("#timeline .sticky", has_text="Shipped")
    drag(fran, shipped, fran.locator("#timeline .sticky", has_text="Planned"), x=0.2)
    expect(ann.locator("#timeline > .column > .sticky .text").first).to_have_text("Shipped")
    assert timeline(ann) == timeline(fran) == ["Shipped", "Planned", "Built"]

    # A parked note dragged into a lane lands there on every screen.
    fran.locator("#add-text").press("Escape")  # no event selected: notes go to the parking area
    add(fran, "Jenkins", "2")
    note = fran.locator("#parked-notes .sticky", has_text="Jenkins")
    expect(note).to_be_visible()
    built = fran.locator("#timeline > .column", has=fran.locator(".kind-event", has_text="Built"))
    lane = built.locator('.lane[data-kind="system"]')
    drag(fran, note, lane)
    expect(ann.locator('.lane[data-kind="system"] .sticky', has_text="Jenkins")).to_be_visible()
    wait_until_same(fran, ann)


def test_the_page_opens_one_socket_before_its_script_runs_and_keeps_it(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    fran = open_board(browser, app_server.url, board, user=board.owner)
    tab = fran.context.new_page()
    sockets: list[WebSocket] = []
    tab.on("websocket", lambda socket: sockets.append(socket))
    tab.goto(fran.url)
    expect(tab.locator("#live-status")).to_have_text("Live")
    add(tab, "Deployed")  # the adopted socket carries commands and patches both ways
    expect(fran.locator("#timeline .sticky", has_text="Deployed")).to_be_visible()
    expect(tab.locator("#timeline .sticky", has_text="Deployed")).to_be_visible()
    assert len(sockets) == 1
    assert tab.evaluate("window.p2pboardEarlySocket") is None


def test_a_refused_drag_puts_the_sticky_back_where_it_was(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    fran = open_board(browser, app_server.url, board, user=board.owner)
    add(fran, "Built")
    fran.locator("#add-text").press("Escape")
    add(fran, "Jenkins", "2")
    expect(fran.locator("#parked-notes .sticky", has_text="Jenkins")).to_be_visible()

    # A second tab whose moves the server must refuse: each says it goes after a sticky that
    # is not in that place (as when someone moved that one away a moment before).
    def refuse_moves(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def send(message: str | bytes) -> None:
            command = json.loads(message)
            if command.get("type") == "move":
                command["after"] = str(uuid.uuid4())
            server.send(json.dumps(command))

        socket.on_message(send)

    tab = fran.context.new_page()
    tab.route_web_socket("**/ws/w/**", refuse_moves)
    tab.goto(fran.url)
    expect(tab.locator("#live-status")).to_have_text("Live")
    note = tab.locator("#parked-notes .sticky", has_text="Jenkins")
    built = tab.locator("#timeline > .column", has=tab.locator(".kind-event", has_text="Built"))
    drag(tab, note, built.locator('.lane[data-kind="system"]'))

    expect(tab.locator("#board-notice")).to_contain_text("not in that place any more")
    expect(note).to_be_visible()  # back in the parking area
    expect(tab.locator(".lane .sticky", has_text="Jenkins")).to_have_count(0)
    assert board.stickies.get(text="Jenkins").parked
    wait_until_same(tab, fran)


def test_moving_with_the_keyboard_alone(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    fran = open_board(browser, app_server.url, board, user=board.owner)
    ann = open_board(browser, app_server.url, board, name="Ann")
    for text in ("First", "Second", "Third"):
        add(fran, text)
    expect(ann.locator("#timeline > .column")).to_have_count(3)

    fran.locator("#timeline .sticky", has_text="First").focus()
    fran.keyboard.press("Alt+ArrowRight")
    expect(ann.locator("#timeline > .column > .sticky .text").nth(1)).to_have_text("First")
    # Fran's screen moves it when the server's patch comes back to her too (Ann may get hers
    # first): the next move starts from where her screen shows it.
    expect(fran.locator("#timeline > .column > .sticky .text").nth(1)).to_have_text("First")
    expect(fran.locator("#timeline .sticky", has_text="First")).to_be_focused()
    fran.keyboard.press("Alt+ArrowRight")
    expect(ann.locator("#timeline > .column > .sticky .text").last).to_have_text("First")
    fran.keyboard.press("Alt+p")
    expect(ann.locator("#parked-events .sticky", has_text="First")).to_be_visible()
    assert timeline(ann) == ["Second", "Third"]

    # Undo and redo one's own changes.
    fran.keyboard.press("Control+z")
    expect(ann.locator("#timeline .sticky", has_text="First")).to_be_visible()
    # Redo is offered once the undo is confirmed, which is when Fran's own screen shows it.
    expect(fran.locator("#timeline .sticky", has_text="First")).to_be_visible()
    fran.keyboard.press("Control+Shift+z")
    expect(ann.locator("#parked-events .sticky", has_text="First")).to_be_visible()
    wait_until_same(fran, ann)


def test_an_observer_sees_changes_but_cannot_make_any(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    fran = open_board(browser, app_server.url, board, user=board.owner)
    watcher_context = browser.new_context()
    watcher = watcher_context.new_page()
    watcher.goto(f"{app_server.url}/o/{board.observer_token}/")
    expect(watcher.locator("#live-status")).to_have_text("Live")
    assert watcher.locator("#add-bar").count() == 0
    add(fran, "Released")
    expect(watcher.locator("#timeline .sticky", has_text="Released")).to_be_visible()
    watcher.locator("#timeline .sticky", has_text="Released").focus()
    watcher.keyboard.press("Delete")
    watcher.keyboard.press("Alt+ArrowLeft")
    time.sleep(0.5)
    assert stored(board) == {"Released"}


def test_others_see_who_is_editing_a_sticky(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    fran = open_board(browser, app_server.url, board, user=board.owner)
    ann = open_board(browser, app_server.url, board, name="Ann")
    add(fran, "Approved")
    sticky = ann.locator("#timeline .sticky", has_text="Approved")
    sticky.focus()
    ann.keyboard.press("Enter")
    expect(ann.locator("#timeline .sticky textarea")).to_be_focused()
    marker = fran.locator("#timeline .sticky.being-edited .editor-mark")
    expect(marker).to_have_text("✎ Ann")
    ann.keyboard.press("End")
    ann.keyboard.type(" by the board")
    ann.keyboard.press("Enter")
    expect(fran.locator("#timeline .sticky", has_text="Approved by the board")).to_be_visible()
    expect(marker).to_have_count(0)
