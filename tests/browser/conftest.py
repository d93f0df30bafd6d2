"""Browser tests: real Chromium (Debian's package) against a real Daphne serving the test
database, started once per run."""

import os
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage

from p2pboard import serve
from tests.browser.chromium import CHROMIUM_ARGS, MISSING, chromium_executable

ROOT = Path(__file__).resolve().parents[2]
# The tests read the database Playwright's pages wrote, from inside its event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    chromium = chromium_executable()
    if chromium is None:
        pytest.fail(MISSING)
    return {"executable_path": chromium, "args": CHROMIUM_ARGS}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class AppServer:
    """A process serving p2pboard (Daphne as `make run` starts it, or Uvicorn as the Docker
    image does), its output in a log file."""

    def __init__(self, env: dict[str, str], log: Path, server: str = "daphne") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env, self.log, self.server = env, log, server
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "AppServer":
        command = serve.command(self.server, host="127.0.0.1", port=self.port)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        serve.wait_serving(self.url, self.process, self.log, timeout=30)
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def database_url_for_tests() -> str:
    """DATABASE_URL, pointed at the database pytest-django made for this run."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        pytest.fail("Browser tests need PostgreSQL and Redis: run them with `make test`.")
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + str(connection.settings_dict["NAME"])))


@pytest.fixture(scope="session")
def app_server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AppServer]:
    data = tmp_path_factory.mktemp("app-data")
    env = os.environ | {
        "DATABASE_URL": database_url_for_tests(),
        "P2PBOARD_DATA_DIR": str(data),
        # The same key as this process, so sessions made here are valid there.
        "SECRET_KEY": settings.SECRET_KEY,
    }
    server = AppServer(env, data / "daphne.log").start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _clean_database(transactional_db: None) -> None:
    """What the server wrote is flushed after each test."""


class PageErrors(list[str]):
    """Every uncaught error and console error of every page a test opened. A test fails on any
    of them, but for what it says it expects (`expect`: a fragment of the message, such as the
    failed socket of a server the test stops on purpose)."""

    def __init__(self) -> None:
        super().__init__()
        self.expected: list[str] = []

    def expect(self, fragment: str) -> None:
        self.expected.append(fragment)

    def watch(self, context: BrowserContext) -> None:
        context.on("weberror", lambda error: self.heard(f"page error: {error.error}"))
        context.on("console", self.console)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.heard(f"console error: {message.text} ({message.location.get('url')})")

    def heard(self, text: str) -> None:
        if not any(fragment in text for fragment in self.expected):
            self.append(text)


@pytest.fixture(autouse=True)
def page_errors(monkeypatch: pytest.MonkeyPatch, transactional_db: None) -> Iterator[PageErrors]:
    """Fail the test on any page error in any browser context it opens; close them all at its
    end, before the database is emptied (a page left open would reconnect into the next test)."""
    errors = PageErrors()
    opened = Browser.new_context
    contexts: list[BrowserContext] = []

    def new_context(self: Browser, *args: Any, **kwargs: Any) -> BrowserContext:
        context = opened(self, *args, **kwargs)
        errors.watch(context)
        contexts.append(context)
        return context

    monkeypatch.setattr(Browser, "new_context", new_context)
    yield errors
    for context in contexts:
        context.close()
    assert not errors, "errors in the page:\n" + "\n".join(errors)


@pytest.fixture
def base_url(app_server: AppServer) -> str:
    return app_server.url
