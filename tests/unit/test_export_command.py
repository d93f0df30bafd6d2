"""`manage.py export_workshop <slug> --format …`: every format of the registry, to standard
output or to a file, and a clear refusal for a workshop that is not there or a follow-up
without a time."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from icalendar import Calendar

from tests.unit.export_helpers import an_exported_board
from workshops.exports.formats import EXPORTS
from workshops.models import Participant, Workshop, new_slug


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("export_workshop", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_each_text_format_goes_to_standard_output(board: Workshop, alice: Participant) -> None:
    board = an_exported_board(board, alice).board

    exported = json.loads(run(board.slug, "--format", "json"))
    assert [step["text"] for step in exported["steps"]][:1] == ["Story picked up"]
    for name in ("csv", "csv-azure"):
        actions = list(csv.reader(io.StringIO(run(board.slug, "--format", name).lstrip("\ufeff"))))
        assert len(actions) == 5, name  # the header and four actions
    assert run(board.slug, "--format", "md").startswith("# Our release path")
    assert "BEGIN:VCALENDAR" in run(board.slug, "--format", "ics")
    assert run(board.slug).startswith("{")  # JSON unless told


def test_every_format_of_the_registry_writes_its_file(
    board: Workshop, alice: Participant, tmp_path: Path
) -> None:
    board = an_exported_board(board, alice).board
    for name, export in EXPORTS.items():
        target = tmp_path / f"out.{export.extension}"
        assert run(board.slug, "--format", name, "-o", str(target)) == ""
        body = target.read_bytes()
        assert body, name
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")
    [event] = Calendar.from_ical((tmp_path / "out.ics").read_bytes()).walk("VEVENT")
    assert str(event["summary"]) == "Follow-up: Our release path"
    assert f"/w/{board.slug}/" in str(event["url"])


def test_the_pdf_goes_to_a_binary_standard_output_as_it_is(
    board: Workshop, alice: Participant
) -> None:
    board = an_exported_board(board, alice).board
    out = io.BytesIO()
    call_command("export_workshop", board.slug, "--format", "pdf", stdout=out)
    assert out.getvalue().startswith(b"%PDF")
    with pytest.raises(CommandError, match="binary: write it to a file with -o FILE"):
        run(board.slug, "--format", "pdf")  # a text stream cannot take it


def test_an_unknown_workshop_is_refused_in_words(db: None) -> None:
    with pytest.raises(CommandError, match="There is no workshop with the slug “nowhere”"):
        run("nowhere", "--format", "md")


def test_a_follow_up_without_a_time_has_no_invitation(board: Workshop) -> None:
    with pytest.raises(CommandError, match="The follow-up has no date and time yet"):
        run(board.slug, "--format", "ics")


def test_an_unknown_format_is_refused_with_the_known_ones(board: Workshop) -> None:
    with pytest.raises(CommandError, match="invalid choice: 'docx'"):
        run(board.slug, "--format", "docx")


def test_no_workshop_address_starts_like_a_command_line_option() -> None:
    assert not any(new_slug().startswith("-") for _ in range(5_000))  # 1 in 64 did
