"""The map as a PDF: what a reader finds in it, read back as text with pypdf."""

import dataclasses
import re
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from pypdf import PdfReader

from tests.factories import make_note, make_participant, make_sticky
from workshops.exports import pdf
from workshops.exports.map import Map, map_of
from workshops.exports.pdf import look
from workshops.kinds import Kind
from workshops.models import Participant, Sticky, Workshop
from workshops.protocol import Place

pytestmark = pytest.mark.django_db


def pages_of(workshop_map: Map) -> list[str]:
    """The text of each page, with its line breaks and spacing made single spaces."""
    reader = PdfReader(BytesIO(pdf.map_pdf(workshop_map)))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def text_of(workshop_map: Map) -> str:
    return " ".join(pages_of(workshop_map))


def test_the_first_page_says_what_was_mapped_and_what_it_shows(
    board: Workshop, alice: Participant, mapped: dict[str, Sticky], settings: Any
) -> None:
    settings.TIME_ZONE = "Europe/Paris"
    board.goal = "See where a change waits"
    board.save()
    exported = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    first_page = pages_of(dataclasses.replace(map_of(board), exported_at=exported))[0]
    assert "Our release path" in first_page
    assert "See where a change waits" in first_page
    assert board.first_event in first_page
    assert board.last_event in first_page
    assert "Frame the map" in first_page
    assert "26 Nov 2026, 10:30" in first_page  # local time
    assert "Alice, Bob" in first_page
    assert "4 Events" in first_page
    assert "4 Pain points" in first_page
    assert "What the map shows" in first_page
    assert "2 Code reviewed 2 0 67%" in first_page  # step, event, pain, questions, share
    assert "Dev team (steps 1, 2)" in first_page
    assert "GitHub (step 2)" in first_page


def test_it_says_lead_time_is_not_worked_out_when_no_timings_were_recorded(
    board: Workshop, mapped: dict[str, Sticky], monkeypatch: pytest.MonkeyPatch
) -> None:
    sentence = "Lead time and the bottleneck are not worked out: no timings were recorded"
    assert sentence in text_of(map_of(board))
    monkeypatch.setattr(Map, "timings_recorded", property(lambda self: True))
    assert sentence not in text_of(map_of(board))


def test_the_timeline_shows_the_steps_in_order_between_the_first_and_last_event(
    board: Workshop, mapped: dict[str, Sticky]
) -> None:
    timeline = " ".join(pages_of(map_of(board))[1:])
    order = [
        "First event of the map",
        "Step 1 · Event Story picked up",
        "Step 2 · Event Code reviewed",
        "Step 3 · Event Runs alongside the step before Deployed to staging",
        "Last event of the map",
    ]
    places = [timeline.find(text) for text in order]
    assert -1 not in places
    assert places == sorted(places)


def test_each_note_says_its_kind_in_a_word(board: Workshop, mapped: dict[str, Sticky]) -> None:
    timeline = " ".join(pages_of(map_of(board))[1:])
    assert "Pain Reviewers are busy" in timeline
    assert "Question Who approves?" in timeline
    assert "Check Two approvals" in timeline
    assert "System GitHub" in timeline
    assert "People Dev team" in timeline
    assert "Pain points" in timeline  # the lane's name


def test_hot_spots_are_marked_in_words_not_only_in_red(
    board: Workshop, alice: Participant, mapped: dict[str, Sticky]
) -> None:
    timeline = " ".join(pages_of(map_of(board))[1:])
    assert timeline.count("Hot spot") == 2
    assert "Hot spot: 67% of the pain Step 2 · Event Code reviewed" in timeline
    assert "Hot spot: 33% of the pain Step 3" in timeline
    assert "Hot spot: 0% of the pain Step 1" not in timeline


def test_a_map_without_pain_has_no_hot_spots(board: Workshop, alice: Participant) -> None:
    make_sticky(board, alice, text="Story picked up")
    text = text_of(map_of(board))
    assert "No pain points were placed on the timeline." in text
    assert "Hot spot:" not in text


def test_parked_events_and_notes_are_listed_at_the_end(board: Workshop, alice: Participant) -> None:
    make_sticky(board, alice, text="Story picked up")
    assert "Parked" not in text_of(map_of(board))
    make_sticky(board, alice, text="Release notes written", place=Place(parked=True))
    make_sticky(board, alice, kind=Kind.PAIN, text="Load tests have no owner")
    last_page = pages_of(map_of(board))[-1]
    assert "Parked Stickies left off the timeline" in last_page
    assert "Event Release notes written" in last_page
    assert "Pain Load tests have no owner" in last_page


def test_every_page_has_the_title_and_its_number_in_the_footer(
    board: Workshop, mapped: dict[str, Sticky]
) -> None:
    pages = pages_of(map_of(board))
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "Our release path" in page
        assert f"Page {number} of {len(pages)}" in page


def test_text_that_looks_like_markup_is_printed_as_it_was_written(
    board: Workshop, alice: Participant
) -> None:
    board.title = "Release <b path"
    board.goal = "Fast & safe <i>releases</i>"
    board.save()
    make_participant(board, "Bo <br/> & co")
    event = make_sticky(board, alice, text="Built <b")
    make_note(board, alice, Kind.PAIN, "a < b & c > d", event)
    make_note(board, alice, Kind.QUESTION, '<font color="red">&amp; <para>', event)
    make_sticky(board, alice, kind=Kind.CHECK, text="</b> parked & <b>")
    text = text_of(map_of(board))
    for written in (
        "Release <b path",
        "Fast & safe <i>releases</i>",
        "Bo <br/> & co",
        "Built <b",
        "a < b & c > d",
        '<font color="red">&amp; <para>',
        "</b> parked & <b>",
    ):
        assert written in text


def test_line_breaks_in_a_sticky_are_kept(board: Workshop, alice: Participant) -> None:
    make_sticky(board, alice, text="Merged\nto main")
    reader = PdfReader(BytesIO(pdf.map_pdf(map_of(board))))
    assert "Merged\nto main" in reader.pages[1].extract_text()


def test_text_in_other_scripts_survives(board: Workshop, alice: Participant) -> None:
    if look.fonts()[0] != "DejaVuSans":  # Vera, the fallback, has Latin letters only
        pytest.skip("DejaVu Sans is not installed here")
    board.title = "Путь к продакшену"
    board.save()
    make_participant(board, "Дмитрий")
    event = make_sticky(board, alice, text="Сборка завершена")
    make_note(board, alice, Kind.PAIN, "Ελέγχος ασφαλείας αργεί", event)
    text = text_of(map_of(board))
    for written in ("Путь к продакшену", "Дмитрий", "Сборка завершена", "Ελέγχος ασφαλείας αργεί"):
        assert written in text


def test_a_map_without_steps_still_renders(board: Workshop) -> None:
    pages = pages_of(map_of(board))
    assert len(pages) == 2
    assert "No pain points were placed on the timeline." in pages[0]
    assert "The path: no events were placed on the timeline" in pages[1]
    assert board.first_event in pages[1]
    assert board.last_event in pages[1]


def test_a_big_map_runs_over_several_pages_and_leaves_no_step_out(
    board: Workshop, alice: Participant
) -> None:
    kinds = [Kind.SYSTEM, Kind.PERSON, Kind.PAIN, Kind.QUESTION, Kind.CHECK]
    for number in range(1, 61):
        event = make_sticky(board, alice, text=f"Event number {number} happened")
        for index in range(4):
            make_note(board, alice, kinds[(number + index) % 5], f"Note {index} of {number}", event)
    workshop_map = map_of(board)
    assert sum(workshop_map.counts.values()) == 300
    pages = pages_of(workshop_map)
    assert len(pages) >= 12  # five columns a page
    timeline = " ".join(pages[1:])
    places = [timeline.find(f"Event number {number} happened") for number in range(1, 61)]
    assert -1 not in places
    assert places == sorted(places)
    assert "Note 3 of 60" in timeline
    assert "The path: steps 1 to 4 of 60" in pages[1]


def test_a_step_with_more_notes_than_a_page_holds_goes_on_over_the_next_page(
    board: Workshop, alice: Participant
) -> None:
    event = make_sticky(board, alice, text="Deployed to staging")
    for number in range(1, 41):
        make_note(board, alice, Kind.PAIN, f"Pain number {number} with a few more words", event)
    make_note(board, alice, Kind.CHECK, "The last check", event)
    pages = pages_of(map_of(board))
    timeline = " ".join(pages[1:])
    assert len(pages) >= 3
    assert "The path: step 1 of 1, continued" in timeline
    for number in range(1, 41):
        assert f"Pain number {number} with" in timeline
    assert "Check The last check" in timeline


def test_the_stickies_have_the_colours_of_the_board() -> None:
    css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text()
    board_colours = dict(re.findall(r"--k-(\w+): (#[0-9a-f]{6})", css))
    assert board_colours == look.COLOURS
