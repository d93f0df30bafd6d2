"""Several server processes behave as one, and a restarted server loses nothing confirmed."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, expect

from tests.browser.board_pages import add, open_board, seen, stored, wait_until_same
from tests.browser.conftest import AppServer, PageErrors, database_url_for_tests
from workshops.models import Workshop


def server_env(data: Path) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": database_url_for_tests(),
        "P2PBOARD_DATA_DIR": str(data),
        "SECRET_KEY": settings.SECRET_KEY,
    }


@pytest.fixture
def second_server(app_server: AppServer, tmp_path: Path) -> Iterator[AppServer]:
    """Uvicorn, as the Docker image runs it, beside the tests' Daphne."""
    server = AppServer(server_env(tmp_path), tmp_path / "second.log", "uvicorn").start()
    yield server
    server.stop()


@pytest.fixture
def own_server(app_server: AppServer, tmp_path: Path) -> Iterator[AppServer]:
    """A server of this test's own (Uvicorn, as deployed), which it may kill and start again
    on the same port."""
    server = AppServer(server_env(tmp_path), tmp_path / "own.log", "uvicorn").start()
    yield server
    server.stop()


def test_a_sticky_added_through_one_process_appears_on_a_page_of_another(
    browser: Browser, app_server: AppServer, second_server: AppServer, board: Workshop
) -> None:
    fran = open_board(browser, app_server.url, board, user=board.owner)
    ann = open_board(browser, second_server.url, board, name="Ann")
    expect(fran.locator("#presence")).to_contain_text("Ann")

    add(fran, "Deployed to staging")
    expect(ann.locator("#timeline .sticky", has_text="Deployed to staging")).to_be_visible()
    add(ann, "Smoke tests were slow", "4")
    expect(fran.locator(".sticky", has_text="Smoke tests were slow")).to_be_visible()
    wait_until_same(fran, ann)


def test_pages_recover_on_their_own_when_the_server_restarts(
    browser: Browser, own_server: AppServer, board: Workshop, page_errors: PageErrors
) -> None:
    # While the server is down, the pages' attempts to reconnect fail, as they should.
    page_errors.expect("net::ERR_CONNECTION_REFUSED")
    fran = open_board(browser, own_server.url, board, user=board.owner)
    ann = open_board(browser, own_server.url, board, name="Ann")
    add(fran, "Built")
    add(ann, "Tested")
    expect(fran.locator("#timeline > .column")).to_have_count(2)

    own_server.stop()  # killed mid-session
    expect(fran.locator("#live-status")).to_contain_text("Reconnecting")
    add(fran, "Released while the server was down")
    expect(fran.locator("#live-status")).to_contain_text("1 unsent")

    own_server.start()
    for page in (fran, ann):
        expect(page.locator("#live-status")).to_have_text("Live", timeout=20_000)
        expect(
            page.locator(".sticky", has_text="Released while the server was down")
        ).to_be_visible()
    final = wait_until_same(fran, ann)
    assert (
        {row[2] for row in final}
        == stored(board)
        == {
            "Built",
            "Tested",
            "Released while the server was down",
        }
    )
    # Still live after the restart.
    add(ann, "Monitored")
    expect(fran.locator(".sticky", has_text="Monitored")).to_be_visible()
    assert seen(fran) == seen(ann)
