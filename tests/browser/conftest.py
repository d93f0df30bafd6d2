"""Browser tests: real Chromium (Debian's package) against a real Daphne serving the test
database, started once per run."""

import os
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test import TransactionTestCase
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage

from p2pboard import serve
from tests.browser.chromium import CHROMIUM_ARGS, MISSING, chromium_executable
from workshops.models import Connection

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


def wait_for_the_server_to_settle(timeout: float = 2.0) -> None:
    """After a test's pages closed: until the server has let their sockets go (their presence
    rows deleted) and no other session on the test database is inside a statement or a
    transaction, or `timeout` seconds. Emptying the tables under a transaction the server is
    still running could deadlock with it (a page closed mid-change); a test whose server was
    stopped leaves rows nobody deletes, hence the timeout."""
    deadline = time.monotonic() + timeout
    busy = """SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
              AND backend_type = 'client backend' AND pid <> pg_backend_pid()
              AND state <> 'idle'"""
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(busy)
            (sessions,) = cursor.fetchone()
        if sessions == 0 and not Connection.objects.exists():
            return
        time.sleep(0.02)


@pytest.fixture(scope="session", autouse=True)
def _patient_flush() -> Iterator[None]:
    """pytest-django empties the tables after each test; should that meet a transaction of the
    server's (a deadlock, say), it is tried again on a fresh connection, with a warning in the
    run's summary, instead of failing a test that passed. A second failure still fails."""
    flush = TransactionTestCase._fixture_teardown  # type: ignore[attr-defined]  # not in the stubs

    def patiently(self: TransactionTestCase) -> None:
        try:
            flush(self)
        except CommandError as problem:
            cause = problem.__cause__
            warnings.warn(f"Emptying the test database failed once: {cause!r}", stacklevel=2)
            connections.close_all()
            time.sleep(0.5)
            flush(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", patiently)
        yield


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
    wait_for_the_server_to_settle()
    assert not errors, "errors in the page:\n" + "\n".join(errors)


@pytest.fixture
def base_url(app_server: AppServer) -> str:
    return app_server.url
