"""Every page works in real Chromium under the enforced Content-Security-Policy (no violation,
the board's socket included) and carries the policy headers; and the served app refuses a
socket from another origin, or to a path that leads nowhere, at the handshake."""

import json
import time
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Browser, Page, expect
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from tests.browser.conftest import AppServer, PageErrors
from tests.factories import make_sticky
from workshops.models import Participant, Workshop

# Every violation the page reports, from before its first script runs.
WATCH_VIOLATIONS = """
window.policyViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const blocked = event.blockedURI || "inline";
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.policyViolations.push(`${event.effectiveDirective}: ${blocked} (${where})`);
});
"""


def session_of(user: User) -> str:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


class Visitor:
    """One person's browser, every page of it watched for policy violations."""

    def __init__(self, browser: Browser, base_url: str, user: User | None = None) -> None:
        self.base_url = base_url
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.context.add_init_script(WATCH_VIOLATIONS)
        if user is not None:
            self.context.add_cookies(
                [{"name": "sessionid", "value": session_of(user), "url": base_url}]
            )
        self.page = self.context.new_page()

    def open(self, path: str) -> Page:
        response = self.page.goto(f"{self.base_url}{path}")
        assert response is not None
        headers = response.headers
        policy = headers["content-security-policy"]
        assert "default-src 'self'" in policy and "unsafe" not in policy, policy
        assert "camera=()" in headers["permissions-policy"]
        self.page.wait_for_load_state("load")
        self.clean()
        return self.page

    def clean(self) -> None:
        violations: list[str] = self.page.evaluate("window.policyViolations")
        assert violations == [], f"{self.page.url}: {violations}"


def test_every_page_works_under_the_content_security_policy(
    browser: Browser, app_server: AppServer, board: Workshop, page_errors: PageErrors
) -> None:
    heard: list[str] = []
    page_errors.expect("status of 404")  # the not-found page itself
    base = app_server.url

    stranger = Visitor(browser, base)
    stranger.context.on("console", lambda message: heard.append(message.text))
    for path in ["/", "/accounts/login/", "/accounts/signup/", "/no-such-page/", "/admin/login/"]:
        stranger.open(path)
    # Joining: the join page, then the board as a participant, live over its socket.
    join = stranger.open(f"/j/{board.participant_token}/")
    join.get_by_label("Your name").fill("Priya")
    join.get_by_role("button", name="Join the board").click()
    expect(join.locator("#live-status")).to_have_text("Live")
    stranger.clean()

    priya = Participant.objects.get(workshop=board, name="Priya")
    make_sticky(board, priya, text="Story picked up")

    fran = Visitor(browser, base, board.owner)
    fran.context.on("console", lambda message: heard.append(message.text))
    fran.open("/")
    fran.open("/w/new/")
    page = fran.open(f"/w/{board.slug}/")
    expect(page.locator("#live-status")).to_have_text("Live")
    expect(page.locator("#presence")).to_contain_text("Priya")
    # People's colours come from classes now, as they came from style attributes before.
    colour = "rgb({}, {}, {})".format(*bytes.fromhex(priya.colour[1:]))
    avatar = page.locator("#presence .person", has_text="Priya").locator(".avatar")
    expect(avatar).to_have_css("background-color", colour)
    expect(page.locator(".sticky .author")).to_have_css("background-color", colour)
    page.get_by_role("button", name="Share").click()
    expect(page.get_by_role("dialog", name="Invite people").locator("svg")).to_be_visible()
    page.keyboard.press("Escape")
    fran.clean()

    # The manage page, and what htmx swaps into it.
    page = fran.open(f"/w/{board.slug}/manage/")
    participants = page.locator("#participants")
    participants.get_by_label("Name of Priya").fill("Priya R")
    participants.get_by_role("button", name="Rename").click()
    expect(participants.locator(".message")).to_contain_text("Renamed to Priya R")
    page.once("dialog", lambda dialog: dialog.accept())
    participants.get_by_role("button", name="Remove Priya R").click()
    expect(participants).to_contain_text("Removed: Priya R")
    page.once("dialog", lambda dialog: dialog.accept())
    participants.get_by_role("button", name="New participant link").click()
    expect(page.locator("#links .message")).to_contain_text("The participant link is new")
    fran.clean()
    fran.open(f"/w/{board.slug}/history/")

    watcher = Visitor(browser, base)
    watcher.context.on("console", lambda message: heard.append(message.text))
    page = watcher.open(f"/o/{board.observer_token}/")
    expect(page.locator("#live-status")).to_have_text("Live")
    watcher.clean()

    policy_errors = sorted({text for text in heard if "Permissions-Policy" in text})
    assert not policy_errors  # e.g. a feature this Chromium does not know
    for visitor in (stranger, fran, watcher):
        visitor.context.close()


def refused_status(url: str, *, origin: str, headers: dict[str, str]) -> int | None:
    """The HTTP status that refused the socket, or None if it opened."""
    try:
        with connect(url, origin=Origin(origin), additional_headers=headers, proxy=None) as socket:
            welcome: dict[str, Any] = json.loads(socket.recv(timeout=5))
            assert welcome["type"] == "welcome"
            return None
    except InvalidStatus as refusal:
        return refusal.response.status_code


def test_the_served_app_refuses_a_socket_from_another_port_or_to_no_route(
    app_server: AppServer, board: Workshop
) -> None:
    logged = len(app_server.log.read_text())
    cookie = {"Cookie": f"sessionid={session_of(board.owner)}"}
    sockets = app_server.url.replace("http://", "ws://")
    board_path = f"{sockets}/ws/w/{board.slug}/"
    assert refused_status(board_path, origin=app_server.url, headers=cookie) is None
    # A page on another port of the same host does not ride the facilitator's session.
    assert refused_status(board_path, origin="http://127.0.0.1:9999", headers=cookie) == 403
    assert refused_status(f"{sockets}/ws/nowhere/", origin=app_server.url, headers=cookie) == 403
    time.sleep(0.5)  # the server writes its log as it goes
    assert "Traceback" not in app_server.log.read_text()[logged:]
