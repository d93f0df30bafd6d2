"""Two people editing one sticky at once: nobody's typing is thrown away or saved over someone
else's by surprise."""

import re

from playwright.sync_api import Browser, expect

from tests.browser.board_pages import add, open_board, wait_until_same
from tests.browser.conftest import AppServer
from workshops.models import Workshop


def test_the_second_to_save_keeps_their_editor_and_chooses_which_text_to_keep(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    ann = open_board(browser, app_server.url, board, name="Ann")
    bo = open_board(browser, app_server.url, board, name="Bo")
    add(ann, "Review")
    expect(bo.locator("#timeline .sticky", has_text="Review")).to_be_visible()

    # Ann starts typing; Bo opens the same sticky while Ann's marker shows, types and saves.
    ann.locator("#timeline .sticky", has_text="Review").dblclick()
    ann.keyboard.press("Control+A")
    ann.keyboard.type("Code reviewed by two people")
    expect(bo.locator("#timeline .sticky.being-edited .editor-mark")).to_have_text("✎ Ann")
    expect(bo.locator("#timeline .sticky.being-edited")).to_have_accessible_name(
        re.compile(r"^Event: Review\. Added by Ann\..* \(Ann is editing it\)$")
    )
    bo.locator("#timeline .sticky", has_text="Review").dblclick()
    bo.keyboard.press("Control+A")
    bo.keyboard.type("Peer review done")
    bo.keyboard.press("Enter")
    expect(bo.locator("#timeline > .column .text", has_text="Peer review done")).to_be_visible()

    # Ann's editor stays open with her text, and says the sticky changed meanwhile.
    editor = ann.locator("#timeline .sticky textarea")
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Code reviewed by two people")
    expect(ann.locator(".edit-warning")).to_contain_text("“Peer review done”")
    assert board.stickies.get().text == "Peer review done"

    # Saving asks which text to keep; nothing of Ann's was saved over Bo's meanwhile.
    ann.keyboard.press("Enter")
    conflict = ann.get_by_role("alertdialog", name="Someone else changed this sticky")
    expect(conflict).to_be_visible()
    expect(conflict.locator(".theirs")).to_have_text("Peer review done")
    expect(conflict.locator(".yours")).to_have_text("Code reviewed by two people")
    assert board.stickies.get().text == "Peer review done"
    expect(conflict.get_by_role("button", name="Keep my text")).to_be_focused()
    ann.keyboard.press("Enter")
    expect(conflict).to_be_hidden()
    for page in (ann, bo):
        expect(page.locator("#timeline > .column .text")).to_have_text(
            "Code reviewed by two people"
        )
    wait_until_same(ann, bo)

    # Keeping the other text saves nothing.
    bo.locator("#timeline > .column .sticky").dblclick()
    bo.keyboard.press("Control+A")
    bo.keyboard.type("Reviewed")
    ann.locator("#timeline > .column .sticky").dblclick()
    ann.keyboard.press("Control+A")
    ann.keyboard.type("Reviewed twice")
    ann.keyboard.press("Enter")
    bo.keyboard.press("Enter")
    other = bo.get_by_role("alertdialog", name="Someone else changed this sticky")
    other.get_by_role("button", name="Keep their text").click()
    expect(other).to_be_hidden()
    for page in (ann, bo):
        expect(page.locator("#timeline > .column .text")).to_have_text("Reviewed twice")
    assert board.stickies.get().text == "Reviewed twice"
