"""The socket commands' table of docs/security.md, held to the code over real sockets.

Each kind of visitor, having become one as people do (logged in, by the join link, by the
observer link, removed by the facilitator), opens the board's socket and sends each command of
the registry, valid in every other way, to an open, a locked and an ended workshop, and gets what
the table says; what is refused changes nothing. The open rows are checked a second time on a
board in another phase with a silent brainstorm on: the phase and the brainstorm change what
people see, not what they may send. (The table's rows are held to the registry in
tests/unit/test_access_matrix.py.)
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import make_sticky, make_user, make_workshop
from tests.socket.conftest import Socket
from tests.unit.test_access_matrix import ROLES, Row, command_rows
from workshops import services
from workshops.commands import COMMANDS
from workshops.models import Workshop
from workshops.protocol import Place

pytestmark = pytest.mark.django_db(transaction=True)

OP = "matrix-1"
BRAINSTORM = "open, in a silent brainstorm"


@dataclass(frozen=True)
class Scene:
    """A workshop, and one visitor's session on it (None: anonymous)."""

    slug: str
    board: int
    session_key: str | None
    live: str  # a sticky on the board
    gone: str  # a deleted sticky
    someone: int  # a participant with a sticky on the board


# An example of each command, valid in every other way: what each visitor sends. A command
# without one fails its rows: write one when adding a command to the registry.
EXAMPLES: dict[str, Callable[[Scene], dict[str, Any]]] = {
    "ping": lambda scene: {"type": "ping"},
    "sync": lambda scene: {"type": "sync", "since": 0},
    "editing": lambda scene: {"type": "editing", "sticky": scene.live},
    "add": lambda scene: {"kind": "event", "text": "Shipped", "place": {"parked": False}},
    "update": lambda scene: {"sticky": scene.live, "text": "Reviewed twice"},
    "move": lambda scene: {"sticky": scene.live, "place": {"parked": True}},
    "delete": lambda scene: {"sticky": scene.live},
    "restore": lambda scene: {"sticky": scene.gone},
    "ready": lambda scene: {"ready": True},
    "board": lambda scene: {"title": "A new title"},
    "reveal": lambda scene: {},
    "starter": lambda scene: {"starter": "enterprise"},
    "timer": lambda scene: {"action": "start", "seconds": 300},
    "follow": lambda scene: {"target": "start"},
    "undo_participant": lambda scene: {"participant": scene.someone},
    "end": lambda scene: {},
    "reopen": lambda scene: {},
}
EMPTY = {"starter"}  # commands whose example needs a board without live stickies


def frame(command: str, scene: Scene) -> dict[str, Any]:
    fields = EXAMPLES[command](scene)
    if COMMANDS[command].changes_board:
        return {"type": command, "op": OP, **fields}
    return fields


def joined(workshop: Workshop, name: str, browser: Client) -> None:
    link = reverse("join", args=[workshop.participant_token])
    assert browser.post(link, {"name": name}).status_code == 302


def scene(role: str, state: str, *, empty: bool) -> Scene:
    """A fresh workshop, and `role` on it as people become one."""
    owner = make_user()
    board = make_workshop(owner=owner)
    me = services.facilitator_participant(workshop=board, user=owner)
    live = None if empty else make_sticky(board, me, text="Code reviewed")
    gone = make_sticky(board, me, text="Deployed")
    services.sticky_delete(workshop=board, by=me, op=None, sticky_id=gone.pk)
    someone = services.participant_join(workshop=board, name="Sam")
    if not empty:
        make_sticky(board, someone, text="Tests pass", place=Place(parked=True))
    co_facilitator = make_user()
    services.co_facilitator_add(workshop=board, by=owner, username_or_email=co_facilitator.username)
    browser = Client()
    if role == "facilitator":
        browser.force_login(owner)
    elif role == "co-facilitator":
        browser.force_login(co_facilitator)
    elif role == "participant":
        joined(board, "Pat", browser)
    elif role == "removed participant":
        joined(board, "Rex", browser)
        rex = board.participants.get(name="Rex")
        services.participant_remove(workshop=board, by=owner, participant_id=rex.pk)
    elif role == "observer":
        browser.get(reverse("observe", args=[board.observer_token]))
    elif role == "participant of another workshop":
        joined(make_workshop(), "Otto", browser)
    if state == BRAINSTORM:
        services.board_update(
            workshop=board, by=me, op=None, phase="systems", private_brainstorm=True
        )
    elif state == "locked":
        services.board_update(workshop=board, by=me, op=None, locked=True)
    elif state == "ended":
        services.workshop_end(workshop=board, by=me)
    cookie = browser.cookies.get(settings.SESSION_COOKIE_NAME)
    sticky = str(live.pk) if live else str(uuid4())
    key = cookie.value if cookie else None
    return Scene(board.slug, board.pk, key, sticky, str(gone.pk), someone.pk)


@database_sync_to_async
def scenes(state: str, *, empty: bool) -> dict[str, Scene]:
    return {role: scene(role, state, empty=empty) for role in ROLES}


@database_sync_to_async
def seq_of(scene: Scene) -> int:
    return Workshop.objects.values_list("seq", flat=True).get(pk=scene.board)


async def outcome(socket: Socket, command: str, scene: Scene) -> str:
    """What the visitor gets for sending the command: a cell of the table."""
    first = await socket.receive()
    if first["type"] == "error":  # refused as it opened
        assert first["code"] == "forbidden", first
        return str(await socket.closed_with())
    assert first["type"] == "welcome", first
    me = first["participant"]
    await socket.send(frame(command, scene))
    if command == "editing":  # it may get no answer: a ping's pong ends the wait
        await socket.send({"type": "ping"})
    while True:
        message = await socket.receive()
        kind = message["type"]
        if kind == "error":
            return str(message["code"])
        if kind == "patch" and (message["op"], message["by"]) == (OP, me):
            return "allowed"
        if kind == "editing" and command == "editing" and message["participant"] == me:
            return "allowed"
        if kind in {"catchup", "snapshot"} and command == "sync":
            return "allowed"
        if kind == "pong":
            return "allowed" if command == "ping" else "ignored"


# Cells where the code answers otherwise than the table says: reported, and waiting for a fix
# to the code (the table says the rule). Their rows are expected to fail with these cells and no
# other; once the code is fixed, the row passes and the strict expectation fails: remove them.
DISAGREEMENTS: dict[tuple[str, str, str], str] = {}


class Disagreement(AssertionError):
    """A row disagrees with the table in the cells written down in DISAGREEMENTS, and no other."""


def rows_to_check() -> list[object]:
    checked: list[object] = []
    for row in command_rows():
        for state in (row.state, BRAINSTORM) if row.state == "open" else (row.state,):
            known = {
                why
                for (command, where, _), why in DISAGREEMENTS.items()
                if (command, where) == (row.what, state)
            }
            strict = pytest.mark.xfail(raises=Disagreement, strict=True, reason="; ".join(known))
            marks = [strict] if known else []
            checked.append(pytest.param(row, state, id=f"{row.what} ({state})", marks=marks))
    return checked


@pytest.mark.parametrize(("row", "state"), rows_to_check())
async def test_each_role_gets_from_each_command_what_the_table_says(
    row: Row, state: str, sockets: list[Socket]
) -> None:
    command = row.what
    assert command in EXAMPLES, f"write an example of {command!r} in {__file__}"
    wrong = {}
    for role, here in (await scenes(state, empty=command in EMPTY)).items():
        socket = Socket(here.slug, here.session_key)
        sockets.append(socket)
        connected, _ = await socket.connect()
        assert connected
        before = await seq_of(here)
        got = await outcome(socket, command, here)
        changed = await seq_of(here) != before
        await socket.close()
        if got != row.answers[role]:
            wrong[role] = got
        elif changed != (got == "allowed" and COMMANDS[command].changes_board):
            wrong[role] = f"{got}, and the board {'changed' if changed else 'did not change'}"
    said = f"{command} ({state}): the table says {row.answers}, the code answers {wrong}"
    assert all((command, state, role) in DISAGREEMENTS for role in wrong), said
    if wrong:
        raise Disagreement(said)
