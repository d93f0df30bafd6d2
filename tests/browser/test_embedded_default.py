"""The embedded default: with no DATABASE_URL and no REDIS_URL, p2pboard runs on SQLite and the
in-memory channel layer, as `make run` starts it, and its live board works."""

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import ROOT, AppServer


@pytest.fixture
def embedded_server(tmp_path: Path) -> Iterator[tuple[AppServer, str]]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env |= {"P2PBOARD_DATA_DIR": str(tmp_path), "SECRET_KEY": ""}
    server = AppServer(env, tmp_path / "daphne.log")

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        return done.stdout

    manage("migrate", "--noinput")
    printed = manage("demo", "--url", server.url)
    password = re.search(r"with password: (\S+)", printed)
    assert password, printed
    assert (tmp_path / "p2pboard.sqlite3").exists()
    yield server.start(), password.group(1)
    server.stop()


def test_the_app_runs_live_with_no_servers_at_all(
    browser: Browser, embedded_server: tuple[AppServer, str]
) -> None:
    server, password = embedded_server
    facilitator = browser.new_page()
    facilitator.goto(f"{server.url}/accounts/login/")
    facilitator.get_by_label("Username").fill("demo")
    facilitator.get_by_label("Password").fill(password)
    facilitator.get_by_role("button", name="Log in").click()
    facilitator.get_by_role("link", name="Demo: from idea to customer").first.click()
    expect(facilitator.locator("#live-status")).to_have_text("Live")
    facilitator.get_by_role("button", name="Share").click()
    link = facilitator.get_by_label("Participant link").input_value()
    facilitator.keyboard.press("Escape")

    guest = browser.new_context().new_page()
    guest.goto(link)
    guest.get_by_label("Your name").fill("Sam")
    guest.get_by_role("button", name="Join the board").click()
    expect(guest.locator("#presence")).to_contain_text("demo")
    expect(facilitator.locator("#presence")).to_contain_text("Sam")
    for page in (guest, facilitator):  # before the server stops
        page.context.close()
