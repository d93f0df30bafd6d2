"""The insight strip, live: a facilitator sizes the steps in the timings panel, and a
participant's strip and timeline say the new lead time and where the time goes within a few
seconds, in words, without reloading."""

from playwright.sync_api import Browser, Locator, Page, expect

from tests.browser.board_pages import open_board
from tests.browser.conftest import AppServer
from tests.browser.test_timings_actions_followup import STEPS, a_path_at, size, step
from workshops.models import Workshop

LIVE = 5_000  # ms: a change reaches the strip a second or two after its patch


def event(page: Page, text: str) -> Locator:
    return page.locator("#timeline > .column > .sticky").filter(has_text=text)


def test_the_strip_and_the_timeline_follow_the_sizes_as_they_are_given(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    a_path_at(board, "timings")
    fran = open_board(browser, app_server.url, board, user=board.owner)
    ann = open_board(browser, app_server.url, board, name="Ann")
    strip = ann.get_by_role("region", name="Insight")
    expect(strip).to_contain_text("Lead time not known yet")
    expect(ann.locator(".insight-mark")).to_have_count(0)

    size(step(fran, STEPS[0]), "S").click()  # up to 1 day
    expect(strip).to_contain_text("Lead time 0-1 day", timeout=LIVE)
    size(step(fran, STEPS[3]), "L").click()  # 5-20 days
    expect(strip).to_contain_text("Lead time 5-21 days", timeout=LIVE)
    expect(strip).to_contain_text(f"Slowest: step 4 “{STEPS[3]}”, 95% of the time")

    # On the timeline, in words on the event and in its description; its column shaded.
    slowest = event(ann, STEPS[3])
    expect(slowest.locator(".insight-mark")).to_have_text("Insight: Bottleneck 1 · 95% of the time")
    expect(slowest).to_have_accessible_description(
        "Timing: L Insight: Bottleneck 1 · 95% of the time"
    )
    expect(ann.locator(f"#c-{slowest.get_attribute('data-id')}")).to_have_attribute(
        "data-insight-time", "4"
    )
    expect(event(ann, STEPS[0]).locator(".insight-mark")).to_have_text(
        "Insight: Bottleneck 2 · 5% of the time"
    )
    expect(event(ann, STEPS[1]).locator(".insight-mark")).to_have_count(0)  # not timed yet
    # Said once, politely, not a flood: the live region holds the last summary.
    expect(ann.locator("#insight [data-insight-said]")).to_have_text(
        "Insight: Lead time 5-21 days. Slowest: step 4, 95% of the time."
    )

    # The details open by keyboard and say what is missing.
    toggle = strip.get_by_role("button", name="Insight")
    toggle.focus()
    ann.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(strip.get_by_role("heading", name="What is missing")).to_be_visible()
    expect(strip).to_contain_text("6 steps have no timing yet (2, 3, 5, 6, 7, 8)")
