"""The JSON export, version 2: every export holds to its schema, holds everything the board is
made of, and nothing a viewer may not see (tokens, who voted, hidden votes, private stickies)."""

import json
import time
from typing import Any

import jsonschema
import pytest

from tests.factories import make_note, make_participant, make_sticky
from tests.unit.map_files import exported, full_board, schema
from workshops import services
from workshops.kinds import Kind
from workshops.limits import LIMITS
from workshops.models import Participant, Sticky, Workshop
from workshops.services.agenda import LONGEST, MOST_VOTES, PURPOSES
from workshops.starters import FOLDER

VALIDATOR = jsonschema.Draft202012Validator(
    schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)
EVERY_FIELD = {
    "format", "version", "exported_at", "workshop", "participants", "steps", "parked", "merged",
    "timings", "votes_shown", "actions", "follow_up", "analysis", "insight", "kinds",
}  # fmt: skip


def valid(document: dict[str, Any]) -> dict[str, Any]:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(document)]
    assert not errors, errors
    return document


def test_the_schema_is_a_valid_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())


def test_an_empty_board_exports_to_the_schema(board: Workshop) -> None:
    document = valid(exported(board))
    assert set(document) == EVERY_FIELD
    assert (document["format"], document["version"]) == ("p2pboard-map", 2)
    assert document["steps"] == [] and document["merged"] == [] and document["actions"] == []


def test_a_small_map_exports_to_the_schema(board: Workshop, mapped: dict[str, Sticky]) -> None:
    document = valid(exported(board))
    review = document["steps"][1]
    assert review["id"] == str(mapped["review"].pk) and review["number"] == 2
    assert review["checks"][0] == {
        "id": review["checks"][0]["id"], "kind": "check", "text": "Two approvals", "by": "Alice",
        "anonymous": False, "authors": [], "owner": "", "merged_from": None,
    }  # fmt: skip
    assert document["parked"]["notes"][0]["event"] is None


def test_a_full_board_exports_to_the_schema_with_everything(board: Workshop) -> None:
    document = valid(exported(full_board(board)))
    assert set(document) == EVERY_FIELD
    settings = document["workshop"]["settings"]
    assert settings["votes_each"] == 5 and settings["calendar_days"] is True
    assert settings["sizes"]["XL"] == [20, 40] and settings["timer_length"] == 600
    assert settings["locked"] is True and document["workshop"]["phase"] == "actions"
    assert document["participants"][0] == {"name": "fran", "role": "facilitator"}
    assert "Lee" not in [p["name"] for p in document["participants"]]  # left: named on stickies
    assert any(note["by"] == "Lee" for note in document["parked"]["notes"])
    [merged_event] = [one for one in document["merged"] if one["kind"] == "event"]
    third = document["steps"][2]
    assert merged_event["merged_into"] == third["id"]
    assert {"Ops on call"} == {
        n["text"] for n in third["people"] if n["merged_from"] == merged_event["id"]
    }
    assert third["authors"][1:] == ["Bob"]
    waiting = [n for n in document["parked"]["notes"] if n["event"]]
    assert {n["text"] for n in waiting} == {"Pen test", "Takes weeks"}
    assert waiting[0]["event"] == document["parked"]["events"][0]["id"]
    group = next(t for t in document["timings"] if len(t["events"]) == 2)
    assert group["estimate"] == {"low": 2.5, "high": 4.0, "unit": "days"}
    assert group["work"] == {"low": 1.25, "high": 1.25, "unit": "days"}
    assert group["events"] == [document["steps"][n - 1]["id"] for n in group["steps"]]
    assert document["actions"][0]["owner_is_participant"] is True
    assert document["actions"][0]["source"] == document["steps"][0]["id"]
    assert document["follow_up"] == {
        "at": document["follow_up"]["at"], "minutes": 90, "purposes": ["improve", "risks"],
        "notes": "Bring the <em>numbers</em>.",
    }  # fmt: skip
    assert document["insight"]["lead_time"] is not None


def test_a_check_names_its_owner_and_an_anonymous_pain_point_nobody(
    board: Workshop, alice: Participant
) -> None:
    full_board(board, stickies=40)
    document = exported(board)
    notes = [note for step in document["steps"] for lane in ("checks", "pain_points")
             for note in step[lane]]  # fmt: skip
    assert {n["owner"] for n in notes if n["kind"] == "check"} == {"Change board"}
    [nameless] = [n for n in notes if n["anonymous"]]
    assert nameless["by"] is None and nameless["text"] == "Nobody says it aloud"
    assert "Alice" not in nameless["authors"]


def pain_board(board: Workshop, alice: Participant, bob: Participant) -> Sticky:
    event = make_sticky(board, alice, text="Deployed")
    pain = make_note(board, alice, Kind.PAIN, "Slow", event)
    for voter in (alice, bob):
        services.vote_add(workshop=board, by=voter, op=None, sticky_id=pain.pk)
    return pain


def test_hidden_votes_are_left_out_and_the_file_says_so(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    pain_board(board, alice, bob)
    document = valid(exported(board))
    assert document["votes_shown"] is False
    assert "votes" not in document["steps"][0]["pain_points"][0]


def test_shown_votes_are_totals_and_never_who_voted(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    pain_board(board, alice, bob)
    me = services.facilitator_participant(workshop=board, user=board.owner)
    services.board_update(workshop=board, by=me, op=None, votes_hidden=False)
    document = valid(exported(board))
    assert document["votes_shown"] is True
    assert document["steps"][0]["pain_points"][0]["votes"] == 2
    assert "votes" not in document["steps"][0]  # events get no votes
    text = json.dumps(document)
    assert "ballot" not in text and "voter" not in text


def test_no_token_leaves_in_the_file(board: Workshop, alice: Participant) -> None:
    make_sticky(board, alice, text="Built")
    text = json.dumps(exported(board))
    for token in (board.participant_token, board.observer_token, alice.rejoin_token):
        assert token not in text
    assert exported(board)["participants"] == [{"name": "Alice", "role": "participant"}]


def test_stickies_still_private_in_a_silent_brainstorm_are_left_out(
    board: Workshop, alice: Participant
) -> None:
    me = services.facilitator_participant(workshop=board, user=board.owner)
    make_sticky(board, alice, text="Shared")
    services.board_update(workshop=board, by=me, op=None, private_brainstorm=True)
    secret = make_sticky(board, alice, text="Only mine for now")
    assert secret.private
    document = valid(exported(board))
    assert [step["text"] for step in document["steps"]] == ["Shared"]
    assert "Only mine for now" not in json.dumps(document)
    assert document["workshop"]["settings"]["private_brainstorm"] is True


def test_a_merge_into_a_sticky_since_deleted_is_not_in_the_file(
    board: Workshop, alice: Participant
) -> None:
    kept, twin = make_sticky(board, alice, text="Built"), make_sticky(board, alice, text="built")
    services.stickies_merge(
        workshop=board, by=alice, op=None, sticky_id=kept.pk, stickies=[twin.pk]
    )
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=kept.pk)
    assert valid(exported(board))["merged"] == []


@pytest.mark.parametrize("path", sorted(FOLDER.glob("*.json")), ids=lambda path: path.stem)
def test_every_starter_file_holds_to_the_schema(path: Any) -> None:
    valid(json.loads(path.read_text()))


def test_the_json_of_a_300_sticky_board_takes_under_200_ms(board: Workshop) -> None:
    full_board(board, stickies=300)
    started = time.perf_counter()
    exported(board)
    took = time.perf_counter() - started
    print(f"JSON export of a 300-sticky board: {took * 1000:.0f} ms")
    assert took < 0.2


def test_a_participant_left_of_the_list_is_still_named_as_an_author(
    board: Workshop, alice: Participant
) -> None:
    gone = make_participant(board, "Gone")
    make_sticky(board, gone, text="Built")
    services.participant_remove(workshop=board, by=board.owner, participant_id=gone.pk)
    document = exported(board)
    assert document["steps"][0]["by"] == "Gone"
    assert [p["name"] for p in document["participants"]] == ["Alice"]


def test_the_schema_says_the_limits_the_board_keeps() -> None:
    definitions, top = schema()["$defs"], schema()["properties"]
    assert definitions["stickyText"]["maxLength"] == LIMITS.sticky_text
    assert definitions["name"]["maxLength"] == LIMITS.display_name
    assert definitions["workshop"]["properties"]["title"]["maxLength"] == LIMITS.workshop_title
    assert definitions["workshop"]["properties"]["goal"]["maxLength"] == LIMITS.workshop_goal
    assert definitions["followUp"]["properties"]["notes"]["maxLength"] == LIMITS.workshop_goal
    assert top["participants"]["maxItems"] == LIMITS.participants_per_board
    assert top["actions"]["maxItems"] == LIMITS.actions_per_board
    settings = definitions["settings"]["properties"]
    assert settings["votes_each"]["maximum"] == MOST_VOTES
    assert settings["timer_length"]["maximum"] == LONGEST
    assert set(definitions["followUp"]["properties"]["purposes"]["items"]["enum"]) == set(PURPOSES)
