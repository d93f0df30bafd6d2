"""Running the commands that come over the socket: each by the service the registry names
(`workshops/commands.py`), several together in one transaction when they arrive together."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, connection, transaction

from workshops.commands import COMMANDS, Command
from workshops.models import Participant, Workshop
from workshops.services import (
    actions,
    agenda,
    merges,
    moderation,
    sizing,
    starters,
    stickies,
    votes,
)
from workshops.services.changes import all_or_nothing

type Outcome = Any  # what the service returned, or the exception that refused the command

# The modules whose functions the registry names as services.
SERVICE_MODULES = (stickies, agenda, moderation, starters, merges, votes, sizing, actions)


def service_of(name: str) -> Any:
    """The function that runs the registry's command `name`."""
    wanted = COMMANDS[name].service
    for module in SERVICE_MODULES:
        if hasattr(module, wanted):
            return getattr(module, wanted)
    raise LookupError(f"No service {wanted!r} runs the command {name!r}.")


def run(command: Command, *, workshop: Workshop, by: Participant | None) -> Any:
    """Apply one command that came over the socket, by its service in the registry."""
    service = _services.get(command.name) or _services.setdefault(
        command.name, service_of(command.name)
    )
    return service(workshop=workshop, by=by, op=command.op, **command.values)


_services: dict[str, Any] = {}


@contextmanager
def _pipelined() -> Iterator[None]:
    """On PostgreSQL, send statements without waiting for each one's answer until an answer is
    needed (a read, the end): a change's writes and the savepoints around it then cost no
    round trip of their own. A statement's error surfaces at the next read or at the end (as
    Django's own error, like any other)."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    with connection.wrap_database_errors, connection.connection.pipeline():
        yield


def run_together(
    commands: list[tuple[Command, Workshop, Participant | None]],
) -> list[Outcome]:
    """Apply several commands in one transaction, each in a savepoint of its own (a lone
    command needs none), so that one refused leaves the others be. All are committed, then
    broadcast, with one commit: the disk is flushed once for all of them. Returns each
    command's outcome, or why it was refused.

    Boards are taken in the order of their ids (a board's own commands keep their order), so
    two processes doing this at once wait for each other's boards but never deadlock.

    A statement the database refuses (which checks in Python should have prevented) may
    surface, in a pipeline, only at a later command's read: then nothing is committed and the
    commands are applied again one by one, so that only the faulty one is refused."""
    try:
        return _run_group(commands)
    except DatabaseError:
        if len(commands) == 1:
            raise
    outcomes: list[Outcome] = []
    for command in commands:
        try:
            outcomes.extend(_run_group([command]))
        except DatabaseError as failure:
            outcomes.append(failure)
    return outcomes


def _run_group(commands: list[tuple[Command, Workshop, Participant | None]]) -> list[Outcome]:
    if len(commands) == 1:
        return [_run_alone(*commands[0])]
    outcomes: list[Outcome] = [RuntimeError("not run")] * len(commands)
    by_board = sorted(range(len(commands)), key=lambda index: commands[index][1].pk)
    # (The transaction opens first: psycopg can't leave autocommit within a pipeline.)
    with transaction.atomic(), _pipelined():
        for index in by_board:
            command, workshop, by = commands[index]
            try:
                outcomes[index] = run(command, workshop=workshop, by=by)
            except DatabaseError:
                raise  # the whole group is rolled back: see run_together
            except Exception as refusal:  # rolled back to its savepoint; raised to its sender
                outcomes[index] = refusal
    return outcomes


def _run_alone(command: Command, workshop: Workshop, by: Participant | None) -> Outcome:
    """One command, in a transaction of its own without a savepoint: a refusal rolls the
    whole transaction back, which is all the savepoint would have undone (most commands come
    alone, and the savepoint and its release were a tenth of a change's CPU)."""
    try:
        with all_or_nothing(), _pipelined():
            return run(command, workshop=workshop, by=by)
    except DatabaseError:
        raise
    except Exception as refusal:  # nothing of it was committed
        return refusal
