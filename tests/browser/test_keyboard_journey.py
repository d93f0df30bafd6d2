"""A whole workshop run from the keyboard alone, by the facilitator and by a participant: no
mouse event, no click, no focus set by the test: only keys, as a person who cannot use a
pointer has them. Join, add, edit, move events and notes, change a kind, mark a step
parallel, delete and undo, merge, vote, size, make an action, run the agenda and the timer,
and download the map."""

import time

from playwright.sync_api import Browser, Page, expect

from tests.browser.board_pages import open_board
from tests.browser.conftest import AppServer
from workshops.models import Action, Sticky, Timing, Vote, Workshop

BUDGET = 90  # seconds, the whole journey


def tab_to(page: Page, selector: str, *, back: bool = False, limit: int = 150) -> None:
    """Press Tab (Shift+Tab) until the focused element matches `selector`."""
    key = "Shift+Tab" if back else "Tab"
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{selector} not reached by {key}")


def tab_to_sticky(page: Page, text: str, *, back: bool = True, nth: int = 0) -> None:
    """Tab through the board to the sticky that reads `text` (the `nth` such, in page order)."""
    ids = page.evaluate(
        """(text) => [...document.querySelectorAll('.sticky[data-id]')]
             .filter((s) => s.querySelector('.text')?.textContent === text).map((s) => s.id)""",
        text,
    )
    assert len(ids) > nth, f"no sticky reads {text!r}"
    tab_to(page, f"#{ids[nth]}", back=back)


def focused_text(page: Page) -> str:
    return page.evaluate("document.activeElement.querySelector('.text')?.textContent ?? ''")


def timeline(page: Page) -> list[str]:
    return page.locator("#timeline > .column > .sticky .text").all_text_contents()


def lane(page: Page, event: str, kind: str) -> list[str]:
    column = page.locator("#timeline > .column").filter(
        has=page.locator(":scope > .sticky", has_text=event)
    )
    return column.locator(f'.lane[data-kind="{kind}"] .sticky .text').all_text_contents()


def go_to_step(fran: Page, phase: str) -> None:
    tab_to(fran, f'[data-agenda-go="{phase}"]', back=True)
    fran.keyboard.press("Enter")
    expect(fran.locator(f'li[data-phase="{phase}"]')).to_have_attribute("aria-current", "step")


def test_a_workshop_runs_from_the_keyboard_alone(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    started = time.monotonic()
    fran = open_board(browser, app_server.url, board, user=board.owner)

    # Ann joins by the link: her name, Enter.
    ann = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    ann.goto(f"{app_server.url}/j/{board.participant_token}/")
    tab_to(ann, "input[name=name]")
    ann.keyboard.type("Ann")
    ann.keyboard.press("Enter")
    expect(ann.locator("#live-status")).to_have_text("Live")

    # The help dialog: "?" opens it, Esc closes it and gives the focus back.
    ann.keyboard.press("Alt+1")
    ann.keyboard.press("Shift+Tab")  # off the text box, onto the kinds
    ann.keyboard.press("?")
    keys = ann.get_by_role("dialog", name="Keys")
    expect(keys).to_be_visible()
    expect(keys).to_contain_text("Alt+↑ ↓")
    ann.keyboard.press("Escape")
    expect(keys).to_be_hidden()
    expect(ann.locator("#add-bar input[name=kind]:checked")).to_be_focused()

    # The facilitator goes to the brainstorm and starts a timebox.
    tab_to(fran, "[data-agenda-step='1']")
    fran.keyboard.press("Enter")
    expect(ann.locator('li[data-phase="brainstorm"]')).to_have_attribute("aria-current", "step")
    tab_to(fran, "#timer-minutes")
    fran.keyboard.press("Control+a")
    fran.keyboard.type("5")
    tab_to(fran, "[data-timer=start]")
    fran.keyboard.press("Enter")
    expect(ann.locator("#agenda-timer")).to_contain_text("4:")

    # Ann writes three events, then puts the last one earlier.
    ann.keyboard.press("Alt+1")
    for text in ("Code reviewed", "Deployed to staging", "Merged to main"):
        ann.keyboard.type(text)
        ann.keyboard.press("Enter")
    expect(fran.locator("#timeline > .column")).to_have_count(3)
    tab_to_sticky(ann, "Merged to main")
    ann.keyboard.press("Alt+ArrowLeft")
    expect(fran.locator("#timeline > .column > .sticky .text")).to_have_text(
        ["Code reviewed", "Merged to main", "Deployed to staging"]
    )

    # Notes under "Code reviewed": the event focused, the kind by its key.
    tab_to_sticky(ann, "Code reviewed")
    for key, text in (("2", "GitHub"), ("2", "GitLab"), ("4", "Reviews wait 2 days")):
        ann.keyboard.press(f"Alt+{key}")
        ann.keyboard.type(text)
        ann.keyboard.press("Enter")
    expect(fran.locator(".lane .sticky")).to_have_count(3)
    assert lane(fran, "Code reviewed", "system") == ["GitHub", "GitLab"]

    # A note down its lane, then under the next event, in the same lane; then edited.
    tab_to_sticky(ann, "GitHub")
    ann.keyboard.press("Alt+ArrowDown")
    expect(fran.locator('.lane[data-kind="system"] .sticky .text')).to_have_text(
        ["GitLab", "GitHub"]
    )
    ann.keyboard.press("Alt+ArrowRight")
    expect(fran.locator('.lane[data-kind="system"] .sticky .text')).to_have_text(
        ["GitLab", "GitHub"]
    )
    deadline = time.monotonic() + 5
    while lane(fran, "Merged to main", "system") != ["GitHub"]:
        assert time.monotonic() < deadline, lane(fran, "Merged to main", "system")
        time.sleep(0.1)
    assert focused_text(ann) == "GitHub"  # the focus went with it
    ann.keyboard.press("Enter")
    ann.keyboard.press("Control+a")
    ann.keyboard.type("GitHub Actions")
    ann.keyboard.press("Enter")
    expect(fran.locator(".sticky .text", has_text="GitHub Actions")).to_be_visible()

    # The sticky's toolbar by Tab: the kind changed with the arrows, Esc back to the sticky.
    tab_to_sticky(ann, "GitLab")
    ann.keyboard.press("Tab")
    toolbar = ann.get_by_role("toolbar", name="Sticky actions")
    expect(toolbar.get_by_role("button", name="Edit")).to_be_focused()
    ann.keyboard.press("ArrowRight")
    expect(toolbar.get_by_label("Kind")).to_be_focused()
    ann.keyboard.press("ArrowDown")  # System -> People
    expect(fran.locator('.lane[data-kind="person"] .sticky', has_text="GitLab")).to_be_visible()
    ann.keyboard.press("Escape")
    assert focused_text(ann) == "GitLab"

    # A step marked parallel with the one before it, from the toolbar.
    tab_to_sticky(ann, "Deployed to staging", back=False)
    ann.keyboard.press("Tab")
    expect(toolbar.get_by_label("Kind")).to_be_focused()  # where the toolbar was left
    ann.keyboard.press("Home")
    for _ in range(2):
        ann.keyboard.press("ArrowRight")
    expect(toolbar.get_by_role("button", name="∥ Parallel")).to_be_focused()
    ann.keyboard.press("Enter")
    expect(fran.locator("#timeline .sticky.is-parallel", has_text="Deployed")).to_be_visible()
    ann.keyboard.press("Shift+Tab")  # back to its sticky
    assert focused_text(ann) == "Deployed to staging"

    # Deleted: the focus goes to a neighbour in the same place; Ctrl+Z brings it back.
    tab_to_sticky(ann, "GitLab")
    ann.keyboard.press("Delete")
    expect(fran.locator(".sticky", has_text="GitLab")).to_have_count(0)
    assert focused_text(ann) == "Code reviewed"  # alone in its lane: its event
    notice = ann.locator("#board-notice")
    expect(notice).to_contain_text("Deleted “GitLab”")
    expect(notice.get_by_role("button", name="Undo")).to_have_attribute(
        "aria-keyshortcuts", "Control+Z"
    )
    ann.keyboard.press("Control+z")
    expect(fran.locator(".sticky", has_text="GitLab")).to_have_count(1)
    expect(notice).to_be_hidden()

    # A duplicate merged: M on it, then Enter on the one to keep.
    go_to_step(fran, "dedupe")
    ann.keyboard.press("Alt+1")
    ann.keyboard.type("Code reviewed")
    ann.keyboard.press("Enter")
    expect(fran.locator("#timeline > .column")).to_have_count(4)
    tab_to_sticky(ann, "Code reviewed", nth=1)
    ann.keyboard.press("m")
    expect(ann.locator("#merge-into")).to_be_focused()
    tab_to_sticky(ann, "Code reviewed", nth=0)
    ann.keyboard.press("Enter")
    expect(fran.locator("#timeline > .column")).to_have_count(3)
    expect(ann.locator("#board-notice")).to_contain_text("Merged")

    # Dot voting in the pain step: the vote button comes after the sticky's toolbar.
    go_to_step(fran, "pain")
    tab_to_sticky(ann, "Reviews wait 2 days")
    ann.keyboard.press("Tab")  # its toolbar
    ann.keyboard.press("Tab")  # past the toolbar: the sticky's own vote button
    assert ann.evaluate("document.activeElement.dataset.vote") == "add"
    ann.keyboard.press("Enter")
    deadline = time.monotonic() + 5
    while not Vote.objects.filter(sticky__text="Reviews wait 2 days").exists():
        assert time.monotonic() < deadline, "the vote never arrived"
        time.sleep(0.1)

    # A step sized in the timings step: its size by the arrows.
    go_to_step(fran, "timings")
    tab_to(ann, "#timings-panel .timing-item input[type=radio]", back=True, limit=300)
    ann.keyboard.press("ArrowRight")
    expect(fran.locator("#timeline .timing-badge")).to_have_count(1)
    assert Timing.objects.filter(workshop=board, deleted_at=None).count() == 1

    # An action made from a sticky, owned by Ann.
    go_to_step(fran, "actions")
    tab_to_sticky(fran, "Reviews wait 2 days")
    fran.keyboard.press("Tab")
    for _ in range(12):  # the toolbar's arrows, to "Make an action"
        if fran.evaluate("document.activeElement.dataset.action") == "make-action":
            break
        fran.keyboard.press("ArrowRight")
    fran.keyboard.press("Enter")
    form = fran.locator("#actions-panel")
    expect(form.get_by_label("What will be done")).to_be_focused()
    fran.keyboard.press("Control+a")
    fran.keyboard.type("Agree a review turnaround")
    fran.keyboard.press("Tab")
    expect(form.get_by_label("Who owns it")).to_be_focused()
    fran.keyboard.type("Ann")
    tab_to(fran, "#actions-panel button[type=submit]")
    fran.keyboard.press("Enter")
    expect(ann.locator("#actions-panel .action-item")).to_contain_text("Owner Ann")
    action = Action.objects.get(workshop=board)
    assert action.text == "Agree a review turnaround" and action.owner_participant is not None

    # The map downloaded from the top bar.
    tab_to(fran, "a[download][href$='map.json']", back=True, limit=400)
    with fran.expect_download() as download:
        fran.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".json")

    kept = Sticky.objects.filter(workshop=board, deleted_at=None).values_list("text", flat=True)
    assert {"Code reviewed", "Merged to main", "Deployed to staging", "GitHub Actions"} <= set(kept)
    assert time.monotonic() - started <= BUDGET
