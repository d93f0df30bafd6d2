"""Cleaning up duplicates: merging stickies of one kind into one that names every author, the
notes of a merged event following it, splitting a merge to get the board back as it was, and
pairs the group said are not duplicates never suggested again."""

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import make_note, make_participant, make_sticky
from tests.unit.board_helpers import (
    PARKED,
    fresh,
    lane,
    nothing_changes,
    parked_events,
    parked_notes,
    timeline,
)
from tests.unit.test_access_http import as_participant
from workshops import entities, services
from workshops.exports.json import map_json
from workshops.exports.map import map_of
from workshops.kinds import Kind
from workshops.models import Dismissal, Participant, Sticky, Workshop
from workshops.rendering import render_board, sticky_html
from workshops.selectors import board_of
from workshops.services import Gone
from workshops.visibility import Viewer


@pytest.fixture
def fran(board: Workshop) -> Participant:
    return services.facilitator_participant(workshop=board, user=board.owner)


def merge(board: Workshop, by: Participant, kept: Sticky, *others: Sticky) -> Sticky:
    return services.stickies_merge(
        workshop=board, by=by, op=None, sticky_id=kept.pk, stickies=[one.pk for one in others]
    )


def split(
    board: Workshop, by: Participant, kept: Sticky, *only: Sticky, everything: bool = False
) -> Sticky:
    listed = None if everything else [one.pk for one in only]
    return services.sticky_split(workshop=board, by=by, op=None, sticky_id=kept.pk, stickies=listed)


def layout(board: Workshop) -> dict[str, Any]:
    """The board as it is drawn, down to each sticky's place and rank."""
    drawn = board_of(board)
    return {
        "timeline": [
            (
                column.event.text,
                column.event.rank,
                column.event.parallel,
                {info.kind.value: [(n.text, n.rank) for n in ns] for info, ns in column.lanes},
            )
            for column in drawn.columns
        ],
        "parked_events": [(s.text, s.rank) for s in drawn.parked_events],
        "parked_notes": [(s.text, s.rank) for s in drawn.parked_notes],
    }


def suggested(board: Workshop) -> set[frozenset[str]]:
    return {
        frozenset((one["a_text"], one["b_text"]))  # type: ignore[arg-type]
        for one in services.duplicate_suggestions(board)
    }


def test_merged_duplicates_leave_the_board_and_the_kept_one_names_every_author(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    review = make_sticky(board, alice, text="Code reviewed")
    kept = make_note(board, alice, Kind.PAIN, "Reviewers are busy", review)
    twin = make_sticky(board, bob, kind=Kind.PAIN, text="Reviewers busy", place=PARKED)
    carol = make_participant(board, "Carol")
    third = make_note(board, carol, Kind.PAIN, "Nobody has time to review", review)

    merge(board, bob, kept, twin, third)

    assert lane(board, review, Kind.PAIN) == ["Reviewers are busy"]
    assert parked_notes(board) == []
    assert fresh(kept).authors == [alice.pk, bob.pk, carol.pk]
    state = entities.sticky_state(fresh(kept)).state
    assert state["authors"] == [alice.pk, bob.pk, carol.pk] and state["by"] == alice.pk
    assert "3 people" in state["html"] and "Alice, Bob and Carol" in state["html"]
    for one in (twin, third):
        gone = entities.sticky_state(fresh(one)).state
        assert gone["merged_into"] == str(kept.pk)
        assert gone["html"] is None and gone["deleted"] is False
    last = board.operations.order_by("seq").last()
    assert last is not None and last.summary == "merged 2 duplicates into “Reviewers are busy”"
    assert set(last.entities) == {f"sticky:{s.pk}" for s in (kept, twin, third)}


def test_a_merged_sticky_is_on_no_page_and_in_no_export(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    kept = make_sticky(board, alice, text="Deployed to production")
    twin = make_sticky(board, bob, text="Released to production users")
    merge(board, alice, kept, twin)
    for viewer in (Viewer(participant=alice.pk), Viewer(participant=bob.pk), Viewer(None)):
        page = render_board(Workshop.objects.get(pk=board.pk), viewer)
        assert "Deployed to production" in page and "Released to production users" not in page
    exported = map_json(map_of(board))
    assert [step["text"] for step in exported["steps"]] == ["Deployed to production"]
    assert "Released to production users" not in str(exported["steps"] + [exported["parked"]])
    assert exported["analysis"]["stickies"]["events"] == 1
    # Kept off the map, so that an import can merge it again (and a split bring it back).
    [merged] = exported["merged"]
    assert merged["text"] == "Released to production users"
    assert merged["merged_into"] == exported["steps"][0]["id"]


def test_only_stickies_of_one_kind_merge(board: Workshop, alice: Participant) -> None:
    pain = make_sticky(board, alice, kind=Kind.PAIN, text="Flaky tests")
    event = make_sticky(board, alice, text="Flaky tests")
    question = make_sticky(board, alice, kind=Kind.QUESTION, text="Flaky tests?")
    with nothing_changes(board), pytest.raises(ValidationError, match="not all pain points"):
        merge(board, alice, pain, event)
    with nothing_changes(board), pytest.raises(ValidationError, match="not all events"):
        merge(board, alice, event, question)


def test_a_sticky_is_not_merged_into_itself_nor_named_twice(
    board: Workshop, alice: Participant
) -> None:
    kept = make_sticky(board, alice, text="Built")
    twin = make_sticky(board, alice, text="Build done")
    with nothing_changes(board), pytest.raises(ValidationError, match="into itself"):
        merge(board, alice, kept, twin, kept)
    with nothing_changes(board), pytest.raises(ValidationError, match="named once"):
        merge(board, alice, kept, twin, twin)
    with nothing_changes(board), pytest.raises(ValidationError, match="Say which"):
        merge(board, alice, kept)


def test_private_stickies_merge_after_the_reveal(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant
) -> None:
    shared = make_sticky(board, alice, text="Built")
    services.board_update(workshop=board, by=fran, op=None, private_brainstorm=True)
    mine = make_sticky(board, alice, text="Build done")
    bobs = make_sticky(board, bob, text="Build finished")
    with nothing_changes(board), pytest.raises(ValidationError, match="after the reveal"):
        merge(board, alice, shared, mine)
    with nothing_changes(board), pytest.raises(ValidationError, match="after the reveal"):
        merge(board, alice, mine, shared)
    with nothing_changes(board), pytest.raises(Gone):  # bob's is not there for alice
        merge(board, alice, shared, bobs)
    services.board_reveal(workshop=board, by=fran, op=None)
    merge(board, alice, shared, mine, bobs)
    assert timeline(board) == ["Built"]


def test_stickies_off_the_board_are_not_merged(
    board: Workshop, alice: Participant, other_board: Workshop, otto: Participant
) -> None:
    kept = make_sticky(board, alice, text="Built")
    deleted = make_sticky(board, alice, text="Build done")
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=deleted.pk)
    elsewhere = make_sticky(other_board, otto, text="Built")
    for missing in (deleted, elsewhere):
        with nothing_changes(board), pytest.raises(Gone):
            merge(board, alice, kept, missing)
    with nothing_changes(board), pytest.raises(Gone):
        merge(board, alice, deleted, kept)


def test_nothing_is_merged_into_or_out_of_a_sticky_that_was_merged_itself(
    board: Workshop, alice: Participant
) -> None:
    kept = make_sticky(board, alice, text="Built")
    twin = make_sticky(board, alice, text="Build done")
    third = make_sticky(board, alice, text="Build finished")
    merge(board, alice, kept, twin)
    with nothing_changes(board), pytest.raises(Gone):
        merge(board, alice, twin, third)
    with nothing_changes(board), pytest.raises(Gone):
        merge(board, alice, third, twin)
    with nothing_changes(board), pytest.raises(Gone):
        split(board, alice, twin, everything=True)


def test_the_notes_of_a_merged_event_move_under_the_kept_event(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    review = make_sticky(board, alice, text="Code reviewed")
    make_note(board, alice, Kind.PAIN, "Reviewers are busy", review)
    twin = make_sticky(board, bob, text="Review done")
    busy = make_note(board, bob, Kind.PAIN, "Queue is long", twin)
    who = make_note(board, bob, Kind.QUESTION, "Who approves?", twin)

    merge(board, bob, review, twin)

    assert timeline(board) == ["Code reviewed"]
    assert lane(board, review, Kind.PAIN) == ["Reviewers are busy", "Queue is long"]
    assert lane(board, review, Kind.QUESTION) == ["Who approves?"]
    for note in (busy, who):
        moved = fresh(note)
        assert (moved.event_id, moved.merged_from_id, moved.parked) == (review.pk, twin.pk, False)


def test_a_split_brings_every_merged_sticky_back_where_it_was_with_its_notes(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    idea = make_sticky(board, alice, text="Story picked up")
    review = make_sticky(board, alice, text="Code reviewed")
    make_note(board, alice, Kind.PAIN, "Reviewers are busy", review)
    twin = make_sticky(board, bob, text="Review done")
    make_note(board, bob, Kind.PAIN, "Queue is long", twin)
    make_note(board, bob, Kind.QUESTION, "Who approves?", twin)
    make_note(board, bob, Kind.PAIN, "Flaky review bot", idea)
    deploy = make_sticky(board, alice, text="Deployed")
    services.sticky_update(workshop=board, by=alice, op=None, sticky_id=deploy.pk, parallel=True)
    parked = make_sticky(board, bob, text="Reviewed by a senior", place=PARKED)
    make_sticky(board, bob, kind=Kind.PAIN, text="Slow reviews", place=PARKED)
    before = layout(board)

    merge(board, bob, review, twin, parked)
    assert timeline(board) == ["Story picked up", "Code reviewed", "Deployed"]
    assert parked_events(board) == []
    split(board, alice, review, everything=True)

    assert layout(board) == before
    assert fresh(review).authors == []
    assert entities.sticky_state(fresh(review)).state["authors"] == [alice.pk]
    for one in (twin, parked):
        assert fresh(one).merged_into_id is None
    last = board.operations.order_by("seq").last()
    assert last is not None and last.summary == "split 2 stickies out of “Code reviewed”"


def test_a_split_of_the_listed_stickies_leaves_the_others_merged(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    carol = make_participant(board, "Carol")
    kept = make_sticky(board, alice, kind=Kind.PAIN, text="Flaky tests", place=PARKED)
    by_bob = make_sticky(board, bob, kind=Kind.PAIN, text="Tests are flaky", place=PARKED)
    by_carol = make_sticky(board, carol, kind=Kind.PAIN, text="Flaky test suite", place=PARKED)
    merge(board, alice, kept, by_bob, by_carol)
    assert fresh(kept).authors == [alice.pk, bob.pk, carol.pk]

    split(board, alice, kept, by_bob)

    assert parked_notes(board) == ["Flaky tests", "Tests are flaky"]
    assert fresh(by_carol).merged_into_id == kept.pk
    assert fresh(kept).authors == [alice.pk, carol.pk]  # bob's sticky is his own again
    assert "Bob" not in entities.sticky_state(fresh(kept)).state["html"]
    split(board, alice, kept, by_carol)
    assert parked_notes(board) == ["Flaky tests", "Tests are flaky", "Flaky test suite"]
    assert fresh(kept).authors == []


def test_a_split_sends_a_sticky_whose_place_is_gone_to_the_parking_area(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    review = make_sticky(board, alice, text="Code reviewed")
    deploy = make_sticky(board, alice, text="Deployed")
    kept = make_note(board, alice, Kind.PAIN, "Reviewers are busy", review)
    twin = make_note(board, bob, Kind.PAIN, "Reviewers busy", deploy)
    merge(board, bob, kept, twin)
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=deploy.pk)

    split(board, bob, kept, everything=True)

    assert parked_notes(board) == ["Reviewers busy"]
    assert lane(board, review, Kind.PAIN) == ["Reviewers are busy"]


def test_the_notes_of_an_event_merged_into_a_parked_one_wait_in_the_parking_and_come_back(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    kept = make_sticky(board, alice, text="Code reviewed", place=PARKED)
    twin = make_sticky(board, bob, text="Review done")
    make_note(board, bob, Kind.PAIN, "Queue is long", twin)
    before = layout(board)

    merge(board, alice, kept, twin)
    assert timeline(board) == [] and parked_notes(board) == ["Queue is long"]
    split(board, alice, kept, everything=True)

    assert layout(board) == before


def test_a_split_of_what_is_not_merged_is_refused(board: Workshop, alice: Participant) -> None:
    kept = make_sticky(board, alice, text="Built")
    twin = make_sticky(board, alice, text="Build done")
    other = make_sticky(board, alice, text="Tested")
    with nothing_changes(board), pytest.raises(ValidationError, match="Nothing is merged"):
        split(board, alice, kept, everything=True)
    merge(board, alice, kept, twin)
    with nothing_changes(board), pytest.raises(ValidationError, match="not merged into this"):
        split(board, alice, kept, other)
    with nothing_changes(board), pytest.raises(ValidationError, match="Say which stickies"):
        split(board, alice, kept)  # an empty list: nothing to split


def test_a_pair_said_not_to_be_duplicates_is_not_suggested_again(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    first = make_sticky(board, alice, text="Pull request merged")
    second = make_sticky(board, bob, text="PR merged")
    assert suggested(board) == {frozenset(("Pull request merged", "PR merged"))}

    dismissal = services.duplicate_dismiss(
        workshop=board, by=bob, op=None, sticky_id=second.pk, other=first.pk
    )

    assert suggested(board) == set()
    state = entities.dismissal_state(dismissal).state
    assert state["version"] == 1
    assert sorted(state["stickies"]) == sorted([str(first.pk), str(second.pk)])
    with nothing_changes(board), pytest.raises(ValidationError, match="already marked"):
        services.duplicate_dismiss(
            workshop=board, by=alice, op=None, sticky_id=first.pk, other=second.pk
        )
    assert Dismissal.objects.filter(workshop=board).count() == 1
    with nothing_changes(board), pytest.raises(ValidationError, match="itself"):
        services.duplicate_dismiss(
            workshop=board, by=alice, op=None, sticky_id=first.pk, other=first.pk
        )


def test_duplicates_are_suggested_within_a_kind_and_never_among_private_stickies(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant
) -> None:
    make_sticky(board, alice, text="Deployed to staging")
    make_sticky(board, alice, kind=Kind.PAIN, text="Deployed to staging", place=PARKED)
    make_sticky(board, bob, kind=Kind.QUESTION, text="Deployed to staging?", place=PARKED)
    assert suggested(board) == set()
    make_sticky(board, bob, kind=Kind.PAIN, text="Deployed to staging", place=PARKED)
    assert suggested(board) == {frozenset(("Deployed to staging",))}
    services.board_update(workshop=board, by=fran, op=None, private_brainstorm=True)
    make_sticky(board, bob, text="Deployed to staging")
    make_sticky(board, alice, kind=Kind.QUESTION, text="Deployed to staging?", place=PARKED)
    found = services.duplicate_suggestions(board)
    assert [(one["a_text"], one["b_text"]) for one in found] == [
        ("Deployed to staging", "Deployed to staging")
    ]
    pains = {str(s.pk) for s in Sticky.objects.filter(kind=Kind.PAIN)}
    assert {found[0]["a"], found[0]["b"]} == pains


def test_merging_a_pain_point_posted_without_a_name_never_names_its_author(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant
) -> None:
    services.board_update(workshop=board, by=fran, op=None, anonymous_pain=True)
    carol = make_participant(board, "Carol")
    unnamed = services.sticky_add(
        workshop=board, by=bob, op=None, kind=Kind.PAIN, text="Nobody owns the queue",
        place=PARKED, anonymous=True,
    )  # fmt: skip
    alices = make_sticky(board, alice, kind=Kind.PAIN, text="The queue has no owner")
    merge(board, alice, unnamed, alices)
    state = entities.sticky_state(fresh(unnamed)).state
    assert state["authors"] == [] and state["by"] is None and "Bob" not in state["html"]
    assert bob.pk not in fresh(unnamed).authors

    carols = make_sticky(board, carol, kind=Kind.PAIN, text="No owner for the queue")
    merge(board, carol, carols, unnamed)

    assert fresh(carols).authors == [carol.pk, alice.pk]
    html = entities.sticky_state(fresh(carols)).state["html"]
    assert "Carol and Alice" in html and "Bob" not in html


def test_the_board_lists_its_likely_duplicates_for_everyone_on_it(
    client: Client, board: Workshop, fran: Participant, alice: Participant, bob: Participant,
    other_board: Workshop,
) -> None:  # fmt: skip
    first = make_sticky(board, alice, text="Pull request merged")
    second = make_sticky(board, bob, text="PR merged")
    services.board_update(workshop=board, by=fran, op=None, private_brainstorm=True)
    make_sticky(board, alice, text="Pull request merged to trunk")
    url = reverse("duplicates", args=[board.slug])

    response = as_participant(client, alice).get(url)

    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    [pair] = response.json()["suggestions"]
    assert {pair["a"], pair["b"]} == {str(first.pk), str(second.pk)}
    assert {pair["a_text"], pair["b_text"]} == {"Pull request merged", "PR merged"}
    assert 0.8 <= pair["score"] <= 1
    observer = Client()
    observer.get(reverse("observe", args=[board.observer_token]))
    assert observer.get(url).json() == response.json()
    assert Client().get(url).status_code == 403
    otto = as_participant(Client(), make_participant(other_board, "Otto"))
    assert otto.get(url).status_code == 403


def test_a_sticky_with_merged_ones_says_how_many_on_the_page_so_a_split_is_offered(
    board: Workshop, alice: Participant
) -> None:
    kept = make_sticky(board, alice, text="Deployed to staging")
    twins = [make_sticky(board, alice, text="Deploy to staging") for _ in range(2)]
    services.stickies_merge(
        workshop=board, by=alice, op=None, sticky_id=kept.pk, stickies=[t.pk for t in twins]
    )
    kept.refresh_from_db()
    assert 'data-merged="2"' in sticky_html(kept)
    services.sticky_split(workshop=board, by=alice, op=None, sticky_id=kept.pk)
    kept.refresh_from_db()
    assert kept.merged_count == 0 and "data-merged" not in sticky_html(kept)


def test_a_split_naming_a_sticky_twice_is_refused_and_changes_nothing(
    board: Workshop, alice: Participant
) -> None:
    kept = make_sticky(board, alice, text="Deployed to staging")
    twin = make_sticky(board, alice, text="Deploy to staging")
    services.stickies_merge(
        workshop=board, by=alice, op=None, sticky_id=kept.pk, stickies=[twin.pk]
    )
    with pytest.raises(ValidationError, match="named once"):
        services.sticky_split(
            workshop=board, by=alice, op=None, sticky_id=kept.pk, stickies=[twin.pk, twin.pk]
        )
    twin.refresh_from_db()
    assert twin.merged_into_id == kept.pk
