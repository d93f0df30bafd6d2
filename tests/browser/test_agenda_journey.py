"""A facilitator and two participants run the workshop's agenda in p2pboard: every step from
framing to wrap-up (and one step back), a silent brainstorm, the timer across a reload, ready
flags, the lock and follow-me."""

import json

from playwright.sync_api import Browser, WebSocket, expect

from tests.browser.board_pages import add, open_board
from tests.browser.conftest import AppServer
from workshops.agenda import PHASES
from workshops.models import Workshop

SECRET = "Canary 51b: approved by the CAB"


def test_a_facilitator_runs_every_step_with_two_participants(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    fran = open_board(browser, app_server.url, board, user=board.owner)
    ann = open_board(browser, app_server.url, board, name="Ann")
    frames: list[str] = []
    bo_context = browser.new_context(viewport={"width": 1400, "height": 900})
    bo = bo_context.new_page()

    def listen(socket: WebSocket) -> None:
        socket.on("framereceived", lambda frame: frames.append(str(frame)))

    bo.on("websocket", listen)
    bo_page = open_board(browser, app_server.url, board, name="Bo")
    bo.close()
    bo = bo_page
    bo.on("websocket", listen)
    bo.reload()
    expect(bo.locator("#live-status")).to_have_text("Live")

    controls = fran.get_by_role("toolbar", name="Run the workshop")
    steps = list(PHASES.values())
    now = ann.locator("#agenda-now")
    expect(now).to_contain_text(steps[0].now)

    # Step 2: a silent brainstorm, with a timer.
    controls.get_by_role("button", name="Next step →").click()
    expect(now).to_contain_text(steps[1].now)
    controls.get_by_role("button", name="Silent brainstorm").click()
    expect(ann.locator("[data-board-flag=private_brainstorm]")).to_be_visible()
    fran.locator("#timer-minutes").fill("5")
    controls.get_by_role("button", name="Start").click()
    for page in (fran, ann, bo):
        expect(page.locator("#agenda-timer")).to_contain_text("4:5")
    add(ann, SECRET)
    expect(ann.locator(".sticky.is-private", has_text=SECRET)).to_be_visible()
    expect(bo.locator("#private-counts")).to_contain_text("Ann: 1")
    expect(fran.locator("#private-counts")).to_contain_text("Ann: 1")
    assert SECRET not in bo.content()
    assert not any(SECRET in frame for frame in frames)

    # Ready flags: the facilitator sees who is done.
    ann.get_by_role("button", name="✓ I'm done with this step").click()
    expect(fran.locator("#ready-count")).to_have_text("1 of 2 ready")
    expect(fran.locator("#ready-waiting")).to_have_text("(waiting for Bo)")

    # The timer survives a reload; a pause shows on every screen.
    bo.reload()
    expect(bo.locator("#agenda-timer")).to_contain_text("4:")
    controls.get_by_role("button", name="Pause").click()
    expect(ann.locator("#agenda-timer")).to_contain_text("(paused)")

    # The reveal shows everyone's stickies at once.
    controls.get_by_role("button", name="Reveal").click()
    expect(bo.locator(".sticky", has_text=SECRET)).to_be_visible()
    expect(bo.locator("#private-counts")).to_be_hidden()

    # The lock: participants cannot change the board; facilitators can.
    controls.get_by_role("button", name="Lock board").click()
    add(bo, "Tried while locked")
    expect(bo.locator("#board-notice")).to_contain_text("locked")
    controls.get_by_role("button", name="Lock board").click()

    # Follow me: everyone's screen goes to the selected event; a participant steps out.
    fran.locator("#timeline .sticky", has_text=SECRET).click()
    controls.get_by_role("button", name="Follow me").click()
    expect(ann.locator("#following")).to_be_visible()
    ann.keyboard.press("Escape")
    expect(ann.locator("#following")).to_be_hidden()
    controls.get_by_role("button", name="Follow me").click()

    # Every step to the end, one step back, and the ready flags reset on the way; each step
    # puts its kind of sticky first in the add bar.
    for info in steps[2:]:
        controls.get_by_role("button", name="Next step →").click()
        expect(now).to_contain_text(info.now)
        if info.kinds:
            expect(ann.locator(f"#add-bar input[value={info.kinds[0]}]")).to_be_checked()
    expect(fran.locator("#ready-count")).to_have_text("0 of 2 ready")
    controls.get_by_role("button", name="← Back").click()
    expect(bo.locator("#agenda-now")).to_contain_text(steps[-2].now)
    expect(bo.locator(".agenda-steps li[aria-current=step]")).to_contain_text(
        str(steps[-2].phase.label)
    )
    # The workshop's own details, edited live.
    controls.get_by_role("button", name="Edit details").click()
    dialog = fran.get_by_role("dialog", name="The workshop's details")
    dialog.get_by_label("Title").fill("Payments: path to production")
    dialog.get_by_label("Last event of the map").fill("A customer paid with it")
    dialog.get_by_role("button", name="Save the details").click()
    expect(ann.locator("h1[data-board=title]")).to_have_text("Payments: path to production")
    expect(bo.locator("[data-board=last_event]")).to_have_text("A customer paid with it")
    assert {json.loads(frame)["type"] for frame in frames} >= {"welcome", "patch"}
    board.refresh_from_db()
    assert board.phase == steps[-2].phase and board.stickies.filter(text=SECRET).exists()
