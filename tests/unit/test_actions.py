"""Follow-up actions: what will be done, by whom (a participant, or a person or team in words), by
when and how far it got, from a sticky or not; still worked on by the facilitators and each
action's owner once the workshop has ended."""

from typing import Any
from uuid import UUID, uuid4

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_participant, make_sticky, make_user
from tests.unit.board_helpers import PARKED, nothing_changes
from workshops import entities, services
from workshops.kinds import Kind
from workshops.limits import Limits
from workshops.models import Action, Participant, Workshop
from workshops.services import Gone
from workshops.services import actions as action_services


@pytest.fixture
def fran(board: Workshop) -> Participant:
    return services.facilitator_participant(workshop=board, user=board.owner)


def add(
    board: Workshop, by: Participant, text: str = "Automate the release notes", **fields: Any
) -> Action:
    return services.action_add(workshop=board, by=by, op=None, text=text, **fields)


def update(board: Workshop, by: Participant, action: Action, **fields: Any) -> Action:
    return services.action_update(workshop=board, by=by, op=None, action_id=action.pk, **fields)


def delete(board: Workshop, by: Participant, action: Action) -> Action:
    return services.action_delete(workshop=board, by=by, op=None, action_id=action.pk)


def restore(board: Workshop, by: Participant, action: Action) -> Action:
    return services.action_restore(workshop=board, by=by, op=None, action_id=action.pk)


def state(action: Action) -> dict[str, Any]:
    return entities.action_state(Action.objects.get(pk=action.pk)).state


def test_an_action_from_a_sticky_with_an_owner_a_due_date_and_a_status(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    question = make_sticky(board, alice, kind=Kind.QUESTION, text="Who approves?", place=PARKED)
    chosen = uuid4()
    action = add(
        board, alice, "  Ask the CAB\nwho signs off  ", owner_participant=bob.pk,
        due="2027-01-31", status="doing", source=question.pk, action_id=chosen,
    )  # fmt: skip
    assert action.pk == chosen
    assert state(action) == {
        "entity": "action", "id": str(chosen), "version": 1, "text": "Ask the CAB\nwho signs off",
        "owner": None, "owner_participant": bob.pk, "due": "2027-01-31", "status": "doing",
        "source": str(question.pk), "by": alice.pk, "deleted": False,
    }  # fmt: skip
    last = board.operations.order_by("seq").last()
    assert last is not None and last.summary == "added the action “Ask the CAB\nwho signs off”"
    assert last.entities == [f"action:{chosen}"]


def test_an_action_starts_open_with_nobody_and_no_date(board: Workshop, alice: Participant) -> None:
    action = add(board, alice)
    assert state(action) | {"id": ""} == {
        "entity": "action", "id": "", "version": 1, "text": "Automate the release notes",
        "owner": None, "owner_participant": None, "due": None, "status": "open",
        "source": None, "by": alice.pk, "deleted": False,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"text": " \n "}, "An action needs some text: what will be done."),
        ({"text": "x" * 281}, "An action holds 280 characters at most."),
        ({"status": "finished"}, "An action's status is one of open, doing, done."),
        ({"status": "OPEN"}, "An action's status is one of open, doing, done."),
        ({"due": "31/01/2027"}, "The due date should be a date like 2027-01-31, not “31/01/2027”."),
        ({"due": "2027-02-30"}, "The due date should be a date like 2027-01-31"),
        ({"due": "20270131"}, "The due date should be a date like 2027-01-31"),
        ({"due": "2027-W05-1"}, "The due date should be a date like 2027-01-31"),
        ({"due": "2027-01-31T10:00"}, "The due date should be a date like 2027-01-31"),
        ({"owner": "x" * 81}, "An owner's name holds 80 characters at most."),
        ({"owner": "Ops", "owner_participant": 1}, "as a participant or in words, not both"),
    ],
)
def test_an_action_that_breaks_a_rule_is_refused_with_a_clear_message(
    board: Workshop, alice: Participant, fields: dict[str, Any], message: str
) -> None:
    fields = {"text": "Automate the release notes", **fields}
    with nothing_changes(board), pytest.raises(ValidationError) as refused:
        add(board, alice, **fields)
    [said] = refused.value.messages
    assert said.startswith(message) or message in said, said
    assert not Action.objects.exists()
    action = add(board, alice)
    with nothing_changes(board), pytest.raises(ValidationError) as refused:
        update(board, alice, action, **fields)
    assert refused.value.messages == [said]
    assert Action.objects.get(pk=action.pk).version == 1


def test_an_owner_is_a_participant_of_this_workshop_still_on_it(
    board: Workshop, fran: Participant, alice: Participant, otto: Participant
) -> None:
    removed = make_participant(board, "Rita")
    services.participant_remove(workshop=board, by=board.owner, participant_id=removed.pk)
    action = add(board, alice)
    for stranger in (otto, removed):
        with nothing_changes(board), pytest.raises(ValidationError) as refused:
            update(board, alice, action, owner_participant=stranger.pk)
        assert refused.value.messages == ["That person is not a participant of this workshop."]
    with nothing_changes(board), pytest.raises(ValidationError, match="not a participant"):
        add(board, alice, owner_participant=987654)
    assert update(board, alice, action, owner_participant=fran.pk).owner_participant == fran


def test_an_owner_in_words_and_a_participant_owner_take_each_others_place(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    action = add(board, alice, owner="  Platform   team ")
    assert (state(action)["owner"], state(action)["owner_participant"]) == ("Platform team", None)
    update(board, alice, action, owner_participant=bob.pk)
    assert (state(action)["owner"], state(action)["owner_participant"]) == (None, bob.pk)
    update(board, alice, action, owner="Ops")
    assert (state(action)["owner"], state(action)["owner_participant"]) == ("Ops", None)
    update(board, alice, action, owner="")
    assert (state(action)["owner"], state(action)["owner_participant"]) == (None, None)


def test_each_field_given_is_set_and_an_empty_due_date_clears_it(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    action = add(board, alice, due="2027-01-31")
    update(board, bob, action, text="Automate the changelog", status="done")
    assert (state(action)["text"], state(action)["status"]) == ("Automate the changelog", "done")
    assert state(action)["due"] == "2027-01-31" and state(action)["version"] == 2
    update(board, bob, action, due=" ")
    assert state(action)["due"] is None
    last = board.operations.order_by("seq").last()
    assert last is not None and last.summary == "changed the action “Automate the changelog”"


def test_an_action_comes_from_a_sticky_on_the_board_that_everyone_sees(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant,
    other_board: Workshop, otto: Participant,
) -> None:  # fmt: skip
    deleted = make_sticky(board, alice, kind=Kind.PAIN, text="Flaky", place=PARKED)
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=deleted.pk)
    kept = make_sticky(board, alice, kind=Kind.PAIN, text="Flaky tests", place=PARKED)
    merged = make_sticky(board, bob, kind=Kind.PAIN, text="Tests are flaky", place=PARKED)
    services.stickies_merge(
        workshop=board, by=alice, op=None, sticky_id=kept.pk, stickies=[merged.pk]
    )
    elsewhere = make_sticky(other_board, otto, kind=Kind.PAIN, text="Flaky", place=PARKED)
    services.board_update(workshop=board, by=fran, op=None, private_brainstorm=True)
    bobs = make_sticky(board, bob, kind=Kind.QUESTION, text="Private", place=PARKED)
    mine = make_sticky(board, alice, kind=Kind.QUESTION, text="Mine", place=PARKED)
    for source in (deleted, merged, elsewhere, bobs, mine, None):
        with nothing_changes(board), pytest.raises(Gone, match="not on the board"):
            add(board, alice, source=source.pk if source else uuid4())
    assert add(board, alice, source=kept.pk).source == kept


def test_an_action_is_deleted_and_restored(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    action = add(board, alice)
    with nothing_changes(board), pytest.raises(ValidationError, match="on the board already"):
        restore(board, bob, action)
    delete(board, bob, action)
    assert state(action)["deleted"] is True and state(action)["version"] == 2
    for gone in (update, delete):
        with nothing_changes(board), pytest.raises(Gone):
            gone(board, alice, action, **({"text": "Again"} if gone is update else {}))
    restore(board, alice, action)
    assert state(action)["deleted"] is False and state(action)["version"] == 3
    summaries = [op.summary for op in board.operations.order_by("seq")][-2:]
    assert summaries == [
        "deleted the action “Automate the release notes”",
        "restored the action “Automate the release notes”",
    ]


def test_an_action_of_another_board_is_not_there(
    board: Workshop, alice: Participant, other_board: Workshop, otto: Participant
) -> None:
    theirs = add(other_board, otto)
    for attempt in (update, delete, restore):
        with nothing_changes(board), pytest.raises(Gone):
            attempt(board, alice, theirs, **({"status": "done"} if attempt is update else {}))
    with nothing_changes(board), pytest.raises(ValidationError, match="id is taken"):
        add(board, alice, action_id=theirs.pk)


def test_a_board_holds_so_many_actions(
    board: Workshop, alice: Participant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(action_services, "LIMITS", Limits(actions_per_board=2))
    first = add(board, alice)
    add(board, alice)
    with nothing_changes(board), pytest.raises(ValidationError) as refused:
        add(board, alice)
    assert refused.value.messages == ["A board holds 2 actions at most."]
    delete(board, alice, first)
    third = add(board, alice)  # a deleted action leaves room
    with nothing_changes(board), pytest.raises(ValidationError, match="2 actions at most"):
        restore(board, alice, first)
    delete(board, alice, third)
    restore(board, alice, first)


@pytest.fixture
def ended(board: Workshop, fran: Participant, alice: Participant, bob: Participant) -> Action:
    """An ended workshop with an action that alice owns (and bob added)."""
    action = add(board, bob, owner_participant=alice.pk)
    services.workshop_end(workshop=board, by=fran, op=None)
    return action


def test_on_an_ended_workshop_the_facilitators_and_the_owner_still_work_on_actions(
    board: Workshop, fran: Participant, alice: Participant, ended: Action
) -> None:
    update(board, alice, ended, status="doing")
    update(board, fran, ended, due="2027-03-01")
    added = add(board, fran, "Run the next mapping", owner="Ops")
    delete(board, fran, added)
    restore(board, fran, added)
    delete(board, alice, ended)
    restore(board, alice, ended)
    update(board, alice, ended, status="done")
    assert (state(ended)["status"], state(ended)["due"]) == ("done", "2027-03-01")


def test_a_co_facilitator_works_on_actions_of_an_ended_workshop(
    board: Workshop, ended: Action
) -> None:
    co = make_user("cora")
    services.co_facilitator_add(workshop=board, by=board.owner, username_or_email=co.username)
    cora = services.facilitator_participant(workshop=board, user=co)
    update(board, cora, ended, status="done")
    add(board, cora, "Share the map")


def test_on_an_ended_workshop_everyone_else_only_looks_at_the_actions(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant, ended: Action
) -> None:
    named = add(board, fran, "Name an owner", owner="Bob")
    for attempt in (
        lambda: update(board, bob, ended, status="done"),  # bob added it, alice owns it
        lambda: delete(board, bob, ended),
        lambda: update(board, bob, named, status="done"),  # "Bob" in words is not bob
        lambda: add(board, alice, "Mine"),
        lambda: add(board, bob, "Mine", owner_participant=bob.pk),
    ):
        with nothing_changes(board), pytest.raises(PermissionDenied) as refused:
            attempt()
        assert "only its facilitators and an action's owner" in str(refused.value)
    delete(board, alice, ended)
    with nothing_changes(board), pytest.raises(PermissionDenied):
        restore(board, bob, ended)


def test_a_sticky_change_on_an_ended_workshop_is_still_refused(
    board: Workshop, alice: Participant, ended: Action
) -> None:
    with pytest.raises(PermissionDenied, match="has ended"):
        make_sticky(board, alice, text="Built")


def test_an_unknown_action_is_gone(board: Workshop, alice: Participant) -> None:
    missing = Action(pk=UUID(int=7))
    with nothing_changes(board), pytest.raises(Gone, match="not on this board"):
        update(board, alice, missing, text="x")
