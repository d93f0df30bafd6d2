"""Commands from the socket: run by the registry's services, resends applied once, groups in
one transaction."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection

from tests.factories import command, make_sticky
from tests.unit.board_helpers import (
    EDITS,
    PARKED,
    TIMELINE,
    fresh,
    nothing_changes,
    seq_of,
    target_for,
    timeline,
)
from workshops import protocol, services
from workshops.commands import Command
from workshops.kinds import Kind
from workshops.models import Operation, Participant, Sticky, Workshop


def test_run_applies_each_command_from_the_socket(board: Workshop, alice: Participant) -> None:
    def run(command: Command) -> Sticky:
        return services.run(command, workshop=board, by=alice)

    review = run(command("add", op="1", kind=Kind.EVENT, text="Review", place=TIMELINE))
    idea = run(command("add", op="2", kind=Kind.EVENT, text="Idea", place=TIMELINE, after=None))
    assert timeline(board) == ["Idea", "Review"]

    run(command("update", op="3", sticky=review.pk, text="Code reviewed", parallel=True))
    assert (fresh(review).text, fresh(review).parallel) == ("Code reviewed", True)

    run(command("move", op="4", sticky=idea.pk, place=TIMELINE, after=review.pk))
    assert timeline(board) == ["Code reviewed", "Idea"]

    run(command("delete", op="5", sticky=idea.pk))
    assert timeline(board) == ["Code reviewed"]

    run(command("restore", op="6", sticky=idea.pk))
    assert timeline(board) == ["Code reviewed", "Idea"]
    assert list(Operation.objects.filter(workshop=board).values_list("client_op", flat=True)) == [
        "1", "2", "3", "4", "5", "6",
    ]  # fmt: skip


def test_a_resent_command_is_confirmed_with_its_original_seq_and_not_applied_again(
    board: Workshop, alice: Participant
) -> None:
    def add() -> Sticky:
        return services.run(
            command("add", op="abc", kind=Kind.EVENT, text="Review", place=TIMELINE),
            workshop=board, by=alice,
        )  # fmt: skip

    add()
    applied_at = seq_of(board)
    make_sticky(board, alice, text="Deploy")
    with nothing_changes(board), pytest.raises(services.AlreadyApplied) as resent:
        add()
    assert resent.value.seq == applied_at
    assert timeline(board) == ["Review", "Deploy"]


@pytest.mark.parametrize("change", EDITS)
def test_a_command_id_already_applied_is_not_applied_again_whatever_the_command(
    board: Workshop, alice: Participant, change: str
) -> None:
    sticky = target_for(change, board, alice)
    first = services.sticky_add(
        workshop=board, by=alice, op="same-op", kind=Kind.EVENT, text="Deploy", place=TIMELINE
    )
    resends: dict[str, Command] = {
        "update": command("update", op="same-op", sticky=sticky.pk, text="Merged"),
        "move": command("move", op="same-op", sticky=sticky.pk, place=PARKED),
        "delete": command("delete", op="same-op", sticky=sticky.pk),
        "restore": command("restore", op="same-op", sticky=sticky.pk),
    }
    with nothing_changes(board), pytest.raises(services.AlreadyApplied) as resent:
        services.run(resends[change], workshop=board, by=alice)
    assert resent.value.seq == seq_of(board)
    assert fresh(first).deleted_at is None


def test_the_same_command_id_is_applied_once_on_each_board(
    board: Workshop, alice: Participant, other_board: Workshop, otto: Participant
) -> None:
    for workshop, by in [(board, alice), (other_board, otto)]:
        services.sticky_add(
            workshop=workshop, by=by, op="1", kind=Kind.EVENT, text="Review", place=TIMELINE
        )
    assert timeline(board) == timeline(other_board) == ["Review"]


def test_changes_without_a_command_id_are_each_applied(board: Workshop, alice: Participant) -> None:
    for _ in range(2):
        services.sticky_add(
            workshop=board, by=alice, op=None, kind=Kind.EVENT, text="Review", place=TIMELINE
        )
    assert timeline(board) == ["Review", "Review"]
    assert seq_of(board) == 2


def test_commands_run_together_each_stand_or_fall_alone_and_broadcast_after_one_commit(
    board: Workshop,
    alice: Participant,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(protocol, "publish", lambda workshop_id, message: sent.append(message))
    review = make_sticky(board, alice, text="Review")
    commands: list[Command] = [
        command("add", op="t1", kind=Kind.EVENT, text="Deploy", place=TIMELINE),
        command("update", op="t2", sticky=review.pk, text=" "),  # refused: no text
        command("update", op="t3", sticky=review.pk, text="Code reviewed"),
        command("add", op="t1", kind=Kind.EVENT, text="Deploy", place=TIMELINE),  # a resend
    ]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcomes = services.run_together([(command, board, alice) for command in commands])
    assert sent == []  # nothing is broadcast before the commit
    for callback in callbacks:
        callback()

    deploy, refused, updated, resent = outcomes
    assert isinstance(deploy, Sticky) and isinstance(updated, Sticky)
    assert isinstance(refused, ValidationError)
    assert isinstance(resent, services.AlreadyApplied) and resent.seq == 2
    assert timeline(board) == ["Code reviewed", "Deploy"]
    assert [(message["op"], message["seq"]) for message in sent] == [("t1", 2), ("t3", 3)]
    assert seq_of(board) == 3  # the refused command took no sequence number


@contextmanager
def stickies_refusing(text: str) -> Iterator[None]:
    """A real trigger in the database that refuses a sticky with this text: a statement that
    fails in the database itself, which no check in Python foresaw."""
    table = Sticky._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_text() RETURNS trigger AS $$ BEGIN"
                f" IF NEW.text = '{text}' THEN RAISE EXCEPTION 'refused by the test';"
                " END IF; RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_text BEFORE INSERT OR UPDATE ON {table}"
                " FOR EACH ROW EXECUTE FUNCTION refuse_text()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse_text BEFORE UPDATE ON {table} WHEN NEW.text = '{text}'"
                " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DROP TRIGGER refuse_text ON {table}"
                if connection.vendor == "postgresql"
                else "DROP TRIGGER refuse_text"
            )
            if connection.vendor == "postgresql":
                cursor.execute("DROP FUNCTION refuse_text()")


def test_a_command_the_database_itself_refuses_is_refused_alone(
    board: Workshop, alice: Participant, django_capture_on_commit_callbacks: Any
) -> None:
    review = make_sticky(board, alice, text="Review")
    commands: list[Command] = [
        command("add", op="t1", kind=Kind.EVENT, text="Deploy", place=TIMELINE),
        command("update", op="t2", sticky=review.pk, text="Boom"),
        command("update", op="t3", sticky=review.pk, text="Code reviewed"),
    ]
    with stickies_refusing("Boom"), django_capture_on_commit_callbacks() as callbacks:
        deploy, refused, updated = services.run_together(
            [(command, board, alice) for command in commands]
        )
    assert isinstance(deploy, Sticky) and isinstance(updated, Sticky)
    assert isinstance(refused, DatabaseError)
    assert timeline(board) == ["Code reviewed", "Deploy"]
    assert seq_of(board) == 3
    assert len(callbacks) == 2  # a broadcast for each applied command, no more
    assert list(Operation.objects.filter(workshop=board).values_list("client_op", flat=True)) == [
        None, "t1", "t3",
    ]  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_a_group_in_a_transaction_of_its_own_commits_once_then_broadcasts(
    board: Workshop, alice: Participant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on the server: no enclosing transaction, so the group commits for real, and what the
    database refuses in it is refused alone."""
    review = make_sticky(board, alice, text="Review")
    sent: list[dict[str, Any]] = []
    monkeypatch.setattr(protocol, "publish", lambda workshop_id, message: sent.append(message))
    commands: list[Command] = [
        command("add", op="t1", kind=Kind.EVENT, text="Deploy", place=TIMELINE),
        command("update", op="t2", sticky=review.pk, text="Boom"),
        command("update", op="t3", sticky=review.pk, text="Code reviewed"),
    ]
    with stickies_refusing("Boom"):
        deploy, refused, updated = services.run_together(
            [(command, board, alice) for command in commands]
        )
    assert isinstance(deploy, Sticky) and isinstance(updated, Sticky)
    assert isinstance(refused, DatabaseError)
    assert not connection.in_atomic_block
    assert timeline(board) == ["Code reviewed", "Deploy"]
    assert [(message["op"], message["seq"]) for message in sent] == [("t1", 2), ("t3", 3)]

    [alone] = services.run_together(
        [(command("update", op="t4", sticky=review.pk, text="Reviewed"), board, alice)]
    )
    assert isinstance(alone, Sticky) and fresh(review).text == "Reviewed"
    assert sent[-1]["seq"] == seq_of(board) == 4
