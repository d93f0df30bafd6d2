"""The first journey: sign up, create a workshop, share the link, see people come and go."""

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import AppServer
from tests.factories import PASSWORD


def sign_up_and_create_a_workshop(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill("fran")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="New workshop")).to_be_visible()
    page.get_by_label("Title").fill("Checkout service release")
    page.get_by_label("Goal").fill("See where a change waits.")
    page.get_by_role("button", name="Create workshop").click()
    expect(page.get_by_role("heading", name="Checkout service release")).to_be_visible()


def test_a_participant_joins_by_link_and_the_facilitator_sees_them_come_and_go(
    browser: Browser, app_server: AppServer
) -> None:
    base = app_server.url
    facilitator = browser.new_context()
    facilitator.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    page = facilitator.new_page()
    sign_up_and_create_a_workshop(page, base)
    expect(page.locator("#live-status")).to_have_text("Live")
    presence = page.locator("#presence")
    expect(presence).to_contain_text("fran")

    page.get_by_role("button", name="Share").click()
    dialog = page.get_by_role("dialog", name="Invite people")
    dialog.get_by_role("button", name="Copy").first.click()
    expect(dialog.get_by_role("button", name="Copied ✓")).to_be_visible()
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == dialog.get_by_label("Participant link").input_value()
    assert "/j/" in link
    page.keyboard.press("Escape")

    guest = browser.new_context()
    guest_page = guest.new_page()
    guest_page.goto(link)
    expect(guest_page.get_by_role("heading", name="Checkout service release")).to_be_visible()
    guest_page.get_by_label("Your name").fill("Priya")
    guest_page.get_by_role("button", name="Join the board").click()
    expect(guest_page.locator("#live-status")).to_have_text("Live")
    expect(guest_page.locator("#presence")).to_contain_text("fran")

    expect(presence).to_contain_text("Priya")
    expect(presence.locator(".count")).to_have_text("2")

    guest_page.close()
    expect(presence).not_to_contain_text("Priya")
    expect(presence.locator(".count")).to_have_text("1")

    # Coming back by the same link in the same browser: the same participant, no new name asked.
    again = guest.new_page()
    again.goto(link)
    expect(again.locator("#live-status")).to_have_text("Live")
    expect(presence).to_contain_text("Priya")
    guest.close()
    facilitator.close()
