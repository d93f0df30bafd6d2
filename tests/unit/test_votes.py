"""Dot voting on pain points: so many votes each, so many on one sticky, taken back and cleared;
while the votes are hidden the totals are the facilitators' and each person sees their own
ballot alone, and nobody but the voter ever learns who voted for what."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_note, make_sticky
from tests.unit.board_helpers import PARKED, nothing_changes
from workshops import entities, services
from workshops.kinds import Kind
from workshops.models import Operation, Participant, Sticky, Vote, Workshop
from workshops.services import Gone
from workshops.visibility import Viewer, view


@pytest.fixture
def fran(board: Workshop) -> Participant:
    return services.facilitator_participant(workshop=board, user=board.owner)


@pytest.fixture
def pain(board: Workshop, alice: Participant) -> Sticky:
    review = make_sticky(board, alice, text="Code reviewed")
    return make_note(board, alice, Kind.PAIN, "Reviewers are busy", review)


@pytest.fixture
def flaky(board: Workshop, alice: Participant) -> Sticky:
    return make_sticky(board, alice, kind=Kind.PAIN, text="Flaky tests", place=PARKED)


def vote(board: Workshop, by: Participant, sticky: Sticky) -> None:
    services.vote_add(workshop=board, by=by, op=None, sticky_id=sticky.pk)


def unvote(board: Workshop, by: Participant, sticky: Sticky) -> None:
    services.vote_remove(workshop=board, by=by, op=None, sticky_id=sticky.pk)


def settings(board: Workshop, fran: Participant, **voting: Any) -> None:
    services.board_update(workshop=board, by=fran, op=None, **voting)


def tally_seen_by(board: Workshop, viewer: Viewer) -> dict[str, Any] | None:
    fresh = Workshop.objects.get(pk=board.pk)
    return view(viewer, entities.tally_state(entities.Tally(fresh)))


def ballot_seen_by(voter: Participant, viewer: Viewer) -> dict[str, Any] | None:
    return view(viewer, entities.participant_state(Participant.objects.get(pk=voter.pk)))


def test_each_person_gives_their_votes_to_pain_points_up_to_the_boards_numbers(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant, pain: Sticky,
    flaky: Sticky,
) -> None:  # fmt: skip
    settings(board, fran, votes_each=3, votes_per_sticky=2)
    vote(board, bob, pain)
    vote(board, bob, pain)
    with nothing_changes(board), pytest.raises(ValidationError) as refused:
        vote(board, bob, pain)
    assert refused.value.messages == ["One sticky can have at most 2 votes from each person."]
    vote(board, bob, flaky)
    with nothing_changes(board), pytest.raises(ValidationError) as refused:
        vote(board, bob, flaky)
    assert refused.value.messages == ["You have given all your 3 votes: take one back to move it."]
    vote(board, alice, flaky)  # alice has her own three
    assert entities.ballot(bob) == {str(pain.pk): 2, str(flaky.pk): 1}
    assert entities.ballot(alice) == {str(flaky.pk): 1}
    totals = tally_seen_by(board, Viewer(fran.pk, facilitator=True))
    assert totals is not None and totals["totals"] == {str(pain.pk): 2, str(flaky.pk): 2}


def test_one_vote_per_sticky_to_start_with(board: Workshop, bob: Participant, pain: Sticky) -> None:
    vote(board, bob, pain)
    with nothing_changes(board), pytest.raises(ValidationError) as refused:
        vote(board, bob, pain)
    assert refused.value.messages == ["One sticky can have at most 1 vote from each person."]


def test_only_pain_points_on_the_board_get_votes(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant, pain: Sticky
) -> None:
    for kind in (Kind.EVENT, Kind.QUESTION, Kind.CHECK, Kind.PERSON, Kind.SYSTEM):
        other = make_sticky(board, alice, kind=kind, text=f"A {kind}", place=PARKED)
        with nothing_changes(board), pytest.raises(ValidationError, match="to pain points"):
            vote(board, bob, other)
    gone = make_sticky(board, alice, kind=Kind.PAIN, text="Gone", place=PARKED)
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=gone.pk)
    with nothing_changes(board), pytest.raises(Gone):
        vote(board, bob, gone)
    twin = make_sticky(board, alice, kind=Kind.PAIN, text="Reviewers busy", place=PARKED)
    services.stickies_merge(
        workshop=board, by=alice, op=None, sticky_id=pain.pk, stickies=[twin.pk]
    )
    with nothing_changes(board), pytest.raises(Gone):
        vote(board, bob, twin)
    services.board_update(workshop=board, by=fran, op=None, private_brainstorm=True)
    mine = make_sticky(board, bob, kind=Kind.PAIN, text="Mine", place=PARKED)
    alices = make_sticky(board, alice, kind=Kind.PAIN, text="Hers", place=PARKED)
    with nothing_changes(board), pytest.raises(ValidationError, match="after the reveal"):
        vote(board, bob, mine)
    with nothing_changes(board), pytest.raises(Gone):
        vote(board, bob, alices)


def test_a_vote_is_taken_back_only_where_one_was_given(
    board: Workshop, alice: Participant, bob: Participant, pain: Sticky, flaky: Sticky
) -> None:
    with nothing_changes(board), pytest.raises(ValidationError) as refused:
        unvote(board, bob, pain)
    assert refused.value.messages == ["You have no vote on “Reviewers are busy”."]
    vote(board, bob, pain)
    vote(board, alice, flaky)
    with nothing_changes(board), pytest.raises(ValidationError, match="no vote on"):
        unvote(board, bob, flaky)
    unvote(board, bob, pain)
    assert entities.ballot(bob) == {} and entities.ballot(alice) == {str(flaky.pk): 1}
    vote(board, bob, flaky)  # the vote taken back is free again


def test_a_vote_on_a_sticky_deleted_since_can_still_be_taken_back(
    board: Workshop, alice: Participant, bob: Participant, flaky: Sticky
) -> None:
    vote(board, bob, flaky)
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=flaky.pk)
    assert tally_seen_by(board, Viewer(None, facilitator=True))["totals"] == {}  # type: ignore[index]
    unvote(board, bob, flaky)
    assert entities.ballot(bob) == {}


def test_clearing_the_votes_is_for_facilitators_and_needs_votes_to_clear(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant, pain: Sticky,
    flaky: Sticky,
) -> None:  # fmt: skip
    with nothing_changes(board), pytest.raises(ValidationError, match="no votes to clear"):
        services.votes_clear(workshop=board, by=fran, op=None)
    vote(board, alice, pain)
    vote(board, bob, pain)
    vote(board, bob, flaky)
    with nothing_changes(board), pytest.raises(PermissionDenied):
        services.votes_clear(workshop=board, by=alice, op=None)

    assert services.votes_clear(workshop=board, by=fran, op=None) == 3

    assert not Vote.objects.filter(workshop=board).exists()
    last = board.operations.order_by("seq").last()
    assert last is not None and last.summary == "cleared all 3 votes"
    assert {f"ballot:{alice.pk}", f"ballot:{bob.pk}", f"tally:{board.pk}"} == set(last.entities)


@pytest.mark.parametrize(
    ("voting", "message"),
    [
        ({"votes_each": 0}, "1 to 20 votes"),
        ({"votes_each": 21}, "1 to 20 votes"),
        ({"votes_per_sticky": 0}, "1 up to the votes each person has"),
        ({"votes_per_sticky": 4}, "1 up to the votes each person has"),
        ({"votes_each": 5, "votes_per_sticky": 6}, "1 up to the votes each person has"),
    ],
)
def test_the_numbers_of_votes_stay_in_bounds(
    board: Workshop, fran: Participant, voting: dict[str, int], message: str
) -> None:
    with nothing_changes(board), pytest.raises(ValidationError, match=message):
        settings(board, fran, **voting)
    fresh = Workshop.objects.get(pk=board.pk)
    assert (fresh.votes_each, fresh.votes_per_sticky, fresh.version) == (3, 1, 1)


def test_the_numbers_of_votes_change_together_or_apart(board: Workshop, fran: Participant) -> None:
    settings(board, fran, votes_each=20, votes_per_sticky=20)
    settings(board, fran, votes_per_sticky=1)
    with pytest.raises(ValidationError, match="1 up to the votes each person has"):
        settings(board, fran, votes_each=1, votes_per_sticky=2)
    settings(board, fran, votes_each=1)
    state = entities.board_state(Workshop.objects.get(pk=board.pk)).state
    assert (state["votes_each"], state["votes_per_sticky"], state["votes_hidden"]) == (1, 1, True)


def test_while_hidden_the_totals_are_the_facilitators_and_each_ballot_its_voters(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant, pain: Sticky
) -> None:
    vote(board, bob, pain)
    facilitator = Viewer(fran.pk, facilitator=True)
    for viewer in (Viewer(alice.pk), Viewer(bob.pk), Viewer(None)):
        assert tally_seen_by(board, viewer) == {
            "entity": "tally", "id": board.slug, "version": 2, "hidden": True,
        }  # fmt: skip
    assert tally_seen_by(board, facilitator) == {
        "entity": "tally", "id": board.slug, "version": 2, "hidden": True,
        "totals": {str(pain.pk): 1},
    }  # fmt: skip
    assert ballot_seen_by(bob, Viewer(bob.pk)) == {
        "entity": "participant", "id": bob.pk, "version": 2, "name": "Bob",
        "ready_phase": None, "picked": False, "votes": {str(pain.pk): 1}, "pick": None,
    }  # fmt: skip
    for viewer in (Viewer(alice.pk), facilitator, Viewer(None)):
        seen = ballot_seen_by(bob, viewer)
        assert seen is None or not {"votes", "pick"} & set(seen)


def test_showing_the_votes_gives_everyone_the_totals(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant, pain: Sticky,
    flaky: Sticky,
) -> None:  # fmt: skip
    vote(board, bob, pain)
    vote(board, alice, pain)
    vote(board, alice, flaky)
    settings(board, fran, votes_hidden=False)
    last = board.operations.order_by("seq").last()
    assert last is not None and f"tally:{board.pk}" in last.entities
    for viewer in (Viewer(alice.pk), Viewer(bob.pk), Viewer(None)):
        seen = tally_seen_by(board, viewer)
        assert seen is not None and seen["hidden"] is False
        assert seen["totals"] == {str(pain.pk): 2, str(flaky.pk): 1}
        assert list(seen["totals"]) == [str(pain.pk), str(flaky.pk)]  # most first
    assert ballot_seen_by(bob, Viewer(alice.pk)) in (None, {
        "entity": "participant", "id": bob.pk, "version": 2, "name": "Bob",
        "ready_phase": None, "picked": False,
    })  # fmt: skip
    settings(board, fran, votes_hidden=True)
    assert "totals" not in tally_seen_by(board, Viewer(alice.pk))  # type: ignore[operator]


def test_the_history_never_says_what_was_voted_for_nor_who_voted(
    board: Workshop, fran: Participant, bob: Participant, pain: Sticky
) -> None:
    before = Operation.objects.filter(workshop=board).count()
    vote(board, bob, pain)
    unvote(board, bob, pain)
    vote(board, bob, pain)
    services.votes_clear(workshop=board, by=fran, op=None)
    operations = list(Operation.objects.filter(workshop=board).order_by("seq"))[before:]
    assert [op.summary for op in operations] == [
        "voted", "took a vote back", "voted", "cleared all 1 vote",
    ]  # fmt: skip
    assert [op.anonymous for op in operations] == [True, True, True, False]
    assert all("Reviewers" not in op.summary for op in operations)
    assert all(f"sticky:{pain.pk}" not in op.entities for op in operations)


def test_a_voters_new_ballot_goes_to_the_voter_alone(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant, pain: Sticky
) -> None:
    """Whoever sees the totals would learn what someone voted for from a patch naming the voter
    (or carrying a new version of theirs) next to the new totals."""
    vote(board, bob, pain)
    last = board.operations.order_by("seq").last()
    assert last is not None and last.anonymous
    assert sorted(last.entities) == [f"ballot:{bob.pk}", f"tally:{board.pk}"]
    loaded = {state.key: state for state in entities.states(entities.load(board, last.entities))}
    ballot, tally = loaded[f"ballot:{bob.pk}"], loaded[f"tally:{board.pk}"]
    assert view(Viewer(bob.pk), ballot) == entities.participant_state(bob).state
    for someone in (Viewer(alice.pk), Viewer(fran.pk, facilitator=True), Viewer(None)):
        assert view(someone, ballot) is None
    assert view(Viewer(fran.pk, facilitator=True), tally)["totals"] == {str(pain.pk): 1}  # type: ignore[index]


def test_the_state_a_vote_sends_its_voter_is_the_stored_one_however_old_the_senders_object(
    board: Workshop, fran: Participant, alice: Participant, pain: Sticky
) -> None:
    """A socket holds its participant from when it opened; the ready flag it set since was
    written through another object. The vote's state (sent with a newer version) must still
    say they are ready, or their screen would take the flag back."""
    services.board_update(workshop=board, by=fran, op=None, phase="pain")
    services.ready_set(workshop=board, by=alice, op=None, ready=True)
    assert alice.ready_phase == ""  # the socket's object, as it was
    vote(board, alice, pain)
    stored = Participant.objects.get(pk=alice.pk)
    sent = entities.participant_state(alice).state
    assert (sent["version"], sent["ready_phase"]) == (stored.version, "pain")
