"""Taking the map away: a participant downloads it from the board, a facilitator from the page
of people and links; both files hold the board as it stands."""

import io
import json
from pathlib import Path

from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.browser.board_pages import add, open_board
from tests.browser.conftest import AppServer
from workshops.models import Workshop


def download(page: Page, link_name: str) -> tuple[str, bytes]:
    with page.expect_download() as started:
        page.get_by_role("link", name=link_name).click()
    saved = started.value
    return saved.suggested_filename, Path(saved.path()).read_bytes()


def test_the_map_downloads_as_pdf_and_json_with_what_is_on_the_board(
    browser: Browser, app_server: AppServer, board: Workshop
) -> None:
    ann = open_board(browser, app_server.url, board, name="Ann")
    for text in ("Story picked up", "Code reviewed", "Deployed to production"):
        add(ann, text)
    add(ann, "Staging is shared", "4")  # a pain point, parked
    expect(ann.locator("#timeline > .column")).to_have_count(3)

    name, body = download(ann, "Download the map as JSON")
    assert name.endswith(".json")
    exported = json.loads(body)
    assert [step["text"] for step in exported["steps"]] == [
        "Story picked up", "Code reviewed", "Deployed to production",
    ]  # fmt: skip
    assert [note["text"] for note in exported["parked"]["notes"]] == ["Staging is shared"]
    assert [person["name"] for person in exported["participants"]] == ["Ann"]

    name, body = download(ann, "Download the map as a PDF")
    assert name.endswith(".pdf")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    for expected in (board.title, "Code reviewed", "Staging is shared"):
        assert expected in text

    fran = open_board(browser, app_server.url, board, user=board.owner)
    fran.get_by_role("link", name="Manage").click()
    name, body = download(fran, "Download PDF")
    assert body.startswith(b"%PDF")
    ann.context.close()
    fran.context.close()
