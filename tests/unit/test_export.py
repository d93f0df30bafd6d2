"""The exported map: what it holds, what it works out, the JSON tools read, and who may download
it. (The PDF's own drawing is tested in test_export_pdf.py.)"""

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_note, make_participant, make_sticky
from tests.unit.test_access_http import as_participant
from workshops import services
from workshops.exports.json import FORMAT, VERSION, map_json
from workshops.exports.map import map_of
from workshops.kinds import Kind
from workshops.models import Participant, Sticky, Workshop


def test_the_map_holds_the_steps_in_order_with_their_lanes(
    board: Workshop, mapped: dict[str, Sticky]
) -> None:
    workshop_map = map_of(board)
    assert [(s.number, s.event.text, s.parallel) for s in workshop_map.steps] == [
        (1, "Story picked up", False),
        (2, "Code reviewed", False),
        (3, "Deployed to staging", True),
    ]
    review = workshop_map.steps[1]
    assert [lane.kind.kind for lane in review.lanes] == [
        Kind.SYSTEM, Kind.PERSON, Kind.PAIN, Kind.QUESTION, Kind.CHECK,
    ]  # fmt: skip
    assert [n.text for n in review.notes(Kind.PAIN)] == [
        "Reviewers are busy",
        "Nobody owns the queue",
    ]
    assert {n.by for n in review.notes(Kind.PAIN)} == {"Bob"}
    assert [n.text for n in workshop_map.parked_events] == ["Released"]
    assert [n.text for n in workshop_map.parked_notes] == ["Flaky tests"]
    assert workshop_map.counts == {
        "event": 4, "system": 1, "person": 3, "pain": 4, "question": 1, "check": 1,
    }  # fmt: skip


def test_hot_spots_are_the_steps_with_the_most_pain_points(
    board: Workshop, mapped: dict[str, Sticky]
) -> None:
    spots = map_of(board).hot_spots
    assert [(s.step.number, s.pain_points, s.questions) for s in spots] == [(2, 2, 0), (3, 1, 1)]
    assert [round(s.share, 3) for s in spots] == [0.667, 0.333]  # parked pain is not on a step


def test_a_tie_in_pain_goes_to_the_step_with_more_open_questions(
    board: Workshop, alice: Participant
) -> None:
    first, second = (
        make_sticky(board, alice, text="Built"),
        make_sticky(board, alice, text="Tested"),
    )
    make_note(board, alice, Kind.PAIN, "Slow", first)
    make_note(board, alice, Kind.PAIN, "Flaky", second)
    make_note(board, alice, Kind.QUESTION, "Which suite?", second)
    assert [s.step.event.text for s in map_of(board).hot_spots] == ["Tested", "Built"]


def test_people_and_systems_are_matched_by_their_words_and_ranked_by_how_many_steps(
    board: Workshop, mapped: dict[str, Sticky]
) -> None:
    workshop_map = map_of(board)
    assert [(p.name, p.steps) for p in workshop_map.people] == [("Dev team", [1, 2]), ("Ops", [3])]
    assert [(s.name, s.steps) for s in workshop_map.systems] == [("GitHub", [2])]


def test_the_json_is_the_documented_format(board: Workshop, mapped: dict[str, Sticky]) -> None:
    exported = map_json(map_of(board))
    assert (exported["format"], exported["version"]) == (FORMAT, VERSION) == ("p2pboard-map", 2)
    assert exported["workshop"]["title"] == board.title
    assert exported["workshop"]["first_event"] == board.first_event
    review = exported["steps"][1]
    assert set(review) == {
        "number", "id", "kind", "text", "by", "anonymous", "authors", "parallel",
        "systems", "people", "pain_points", "questions", "checks",
    }  # fmt: skip
    assert review["id"] == str(mapped["review"].pk)
    assert review["checks"] == [
        {
            "id": review["checks"][0]["id"], "kind": "check", "text": "Two approvals",
            "by": "Alice", "anonymous": False, "authors": [], "owner": "", "merged_from": None,
        }
    ]  # fmt: skip
    analysis = exported["analysis"]
    assert analysis["steps"] == 3
    assert analysis["stickies"]["pain_points"] == 4
    assert analysis["timings_recorded"] is False
    assert exported["insight"]["lead_time"] is None
    assert analysis["pain_hot_spots"][0]["step"] == 2
    assert analysis["pain_hot_spots"][0]["pain_points"] == 2
    assert exported["parked"]["notes"][0]["text"] == "Flaky tests"
    assert [p["name"] for p in exported["participants"]] == ["Alice", "Bob"]


def test_an_empty_board_exports_an_empty_map(board: Workshop) -> None:
    exported = map_json(map_of(board))
    assert exported["steps"] == [] and exported["analysis"]["pain_hot_spots"] == []
    assert exported["analysis"]["stickies"]["events"] == 0


def test_deleted_stickies_are_not_on_the_map(board: Workshop, alice: Participant) -> None:
    gone = make_sticky(board, alice, text="Gone")
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=gone.pk)
    assert map_of(board).steps == []


# ----- downloading -----


def download(client: Client, board: Workshop, file_type: str) -> Any:
    return client.get(reverse(f"export_{file_type}", args=[board.slug]))


@pytest.mark.parametrize("file_type", ["json", "pdf"])
def test_a_participant_downloads_the_map(
    client: Client, board: Workshop, alice: Participant, file_type: str
) -> None:
    board.title = "Path to prod: payments"
    board.save()
    response = download(as_participant(client, alice), board, file_type)
    assert response.status_code == 200
    assert (
        response["Content-Type"]
        == {"json": "application/json", "pdf": "application/pdf"}[file_type]
    )
    assert response["Content-Disposition"].startswith(
        'attachment; filename="path-to-prod-payments-map-'
    )
    assert response["Content-Disposition"].endswith(f'.{file_type}"')
    body = response.content
    assert body.startswith(b"%PDF") if file_type == "pdf" else json.loads(body)["version"] == 2


def test_a_facilitator_and_an_observer_download_it_too(
    client: Client, board: Workshop, mapped: dict[str, Sticky]
) -> None:
    client.force_login(board.owner)
    assert json.loads(download(client, board, "json").content)["analysis"]["steps"] == 3
    observer = Client()
    observer.get(reverse("observe", args=[board.observer_token]))
    assert download(observer, board, "json").status_code == 200


def test_a_stranger_cannot_download_the_map(
    client: Client, board: Workshop, other_board: Workshop, mapped: dict[str, Sticky]
) -> None:
    assert download(client, board, "json").status_code == 403
    otto = make_participant(other_board, "Otto")
    assert download(as_participant(client, otto), board, "pdf").status_code == 403


def test_user_text_goes_into_the_json_as_text(board: Workshop, alice: Participant) -> None:
    make_sticky(board, alice, text='</script><b>"Deployed"</b> ✓ Сборка')
    [step] = map_json(map_of(board))["steps"]
    assert step["text"] == '</script><b>"Deployed"</b> ✓ Сборка'


def test_the_board_and_the_manage_page_link_to_both_downloads(
    client: Client, board: Workshop
) -> None:
    client.force_login(board.owner)
    for page in ("board", "manage"):
        html = client.get(reverse(page, args=[board.slug])).content.decode()
        assert reverse("export_pdf", args=[board.slug]) in html
        assert reverse("export_json", args=[board.slug]) in html
