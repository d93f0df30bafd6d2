"""The past-tense hint: rarely nags an event that reads as a fact, catches most that do not,
on a committed labelled set of event texts; suggests, never changes the text."""

import json
from pathlib import Path

import pytest

from tests.factories import make_sticky
from workshops.kinds import Kind
from workshops.models import Participant, Workshop
from workshops.nudges import past_tense_hint, reads_as_past_fact
from workshops.rendering import sticky_html

LABELLED = json.loads((Path(__file__).parent / "data" / "event_texts.json").read_text())["texts"]


def test_the_labelled_set_is_big_enough_and_mixed() -> None:
    facts = [entry for entry in LABELLED if entry["fact"]]
    assert len(LABELLED) >= 60 and 0.3 < len(facts) / len(LABELLED) < 0.7


def test_it_rarely_nags_a_fact_and_catches_most_of_what_is_not_one() -> None:
    nagged = {entry["text"] for entry in LABELLED if not reads_as_past_fact(entry["text"])}
    not_facts = {entry["text"] for entry in LABELLED if not entry["fact"]}
    precision = len(nagged & not_facts) / len(nagged)
    recall = len(nagged & not_facts) / len(not_facts)
    print(f"past-tense hint: precision {precision:.2f}, recall {recall:.2f}")
    assert precision >= 0.9
    assert recall >= 0.7


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("Run the smoke tests", "Smoke tests ran?"),
        ("Deploy to staging", "Deployed to staging?"),
        ("Write unit tests", "Unit tests written?"),
        ("Reviewing the code", "Code reviewed?"),
        ("Code review", "Code review done?"),
        ("Code reviewed", None),
        ("Got sign-off from security", None),
        ("", None),
    ],
)
def test_the_hint_suggests_the_same_step_as_a_fact(text: str, hint: str | None) -> None:
    assert past_tense_hint(text) == hint


def test_an_event_that_is_not_a_fact_shows_the_hint_and_keeps_its_text(
    board: Workshop, alice: Participant
) -> None:
    event = make_sticky(board, alice, text="Run the smoke tests")
    html = sticky_html(event)
    assert "Smoke tests ran?" in html and ">Run the smoke tests</p>" in html
    note = make_sticky(board, alice, kind=Kind.QUESTION, text="Who runs them?")
    assert "past-hint" not in sticky_html(note)  # events only
    assert "past-hint" not in sticky_html(make_sticky(board, alice, text="Smoke tests ran"))
