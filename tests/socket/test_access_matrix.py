"""The socket commands' table of docs/security.md, held to the code over real sockets.

Each kind of visitor, having become one as people do (logged in, by the join link, by the
observer link, removed by the facilitator), opens the board's socket and sends each command of
the registry, valid in every other way, to an open, a locked and an ended workshop, and gets what
the table says; what is refused changes nothing. The board is set up for each command so that
it is valid but for who sends it (a pain point to vote for, a vote to take back, something
merged to split, an estimation round to pick in, an action of someone else's to change). The
open rows are checked a second time on a board in another phase with a silent brainstorm on:
the phase and the brainstorm change what people see, not what they may send. (The table's rows
are held to the registry in tests/unit/test_access_matrix.py.)
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
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
from workshops.kinds import Kind
from workshops.models import Participant, Sticky, Workshop
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
    made: dict[str, str] = field(default_factory=dict)  # what the command's set-up made


@dataclass(frozen=True)
class Board:
    """A workshop being set up for a command: its facilitator's participant, the visitor's
    participant (None for those who have none on it), someone else, and an event."""

    workshop: Workshop
    me: Participant
    sender: Participant | None
    someone: Participant
    event: Sticky | None

    def duplicate(self) -> Sticky:
        return make_sticky(self.workshop, self.me, text="Code reviewed again")

    def pain(self) -> Sticky:
        return make_sticky(self.workshop, self.someone, kind=Kind.PAIN, text="Waiting for QA")

    def vote(self, by: Participant | None, sticky: Sticky) -> None:
        if by is not None:
            services.vote_add(workshop=self.workshop, by=by, op=None, sticky_id=sticky.pk)

    def action(self, *, deleted: bool = False) -> str:
        """An action of someone's (not the visitor's), deleted or not."""
        action = services.action_add(
            workshop=self.workshop,
            by=self.me,
            op=None,
            text="Automate the release notes",
            owner_participant=self.someone.pk,
        )
        if deleted:
            services.action_delete(workshop=self.workshop, by=self.me, op=None, action_id=action.pk)
        return str(action.pk)


def merged(board: Board) -> dict[str, str]:
    assert board.event is not None
    duplicate = board.duplicate()
    services.stickies_merge(
        workshop=board.workshop,
        by=board.me,
        op=None,
        sticky_id=board.event.pk,
        stickies=[duplicate.pk],
    )
    return {}


def voted(board: Board, by: Participant | None) -> dict[str, str]:
    pain = board.pain()
    board.vote(by, pain)
    return {"pain": str(pain.pk)}


def timed(board: Board) -> dict[str, str]:
    assert board.event is not None
    timing = services.timing_set(
        workshop=board.workshop, by=board.me, op=None, events=[board.event.pk], size="M"
    )
    return {"timing": str(timing.pk)}


def round_started(board: Board) -> dict[str, str]:
    assert board.event is not None
    services.round_set(
        workshop=board.workshop, by=board.me, op=None, action="start", events=[board.event.pk]
    )
    return {}


# What a command needs on the board, besides a sticky, a deleted one and someone, to be valid
# (made before the board is locked or the workshop ended): the ids it names, by name.
SET_UPS: dict[str, Callable[[Board], dict[str, str]]] = {
    "merge": lambda board: {"duplicate": str(board.duplicate().pk)},
    "split": merged,
    "dismiss": lambda board: {"duplicate": str(board.duplicate().pk)},
    "vote": lambda board: {"pain": str(board.pain().pk)},
    "unvote": lambda board: voted(board, board.sender),
    "votes_clear": lambda board: voted(board, board.someone),
    "untime": timed,
    "pick": round_started,
    "action_update": lambda board: {"action": board.action()},
    "action_delete": lambda board: {"action": board.action()},
    "action_restore": lambda board: {"action": board.action(deleted=True)},
}


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
    "merge": lambda scene: {"sticky": scene.live, "stickies": [scene.made["duplicate"]]},
    "split": lambda scene: {"sticky": scene.live},
    "dismiss": lambda scene: {"sticky": scene.live, "other": scene.made["duplicate"]},
    "vote": lambda scene: {"sticky": scene.made["pain"]},
    "unvote": lambda scene: {"sticky": scene.made["pain"]},
    "votes_clear": lambda scene: {},
    "timing": lambda scene: {"events": [scene.live], "size": "M"},
    "untime": lambda scene: {"timing": scene.made["timing"]},
    "round": lambda scene: {"action": "start", "events": [scene.live]},
    "pick": lambda scene: {"size": "M"},
    "action_add": lambda scene: {"text": "Ask ops for a staging slot"},
    "action_update": lambda scene: {"action_id": scene.made["action"], "status": "doing"},
    "action_delete": lambda scene: {"action_id": scene.made["action"]},
    "action_restore": lambda scene: {"action_id": scene.made["action"]},
    "followup": lambda scene: {"at": "2027-01-14T10:00:00+01:00", "minutes": 90},
    "end": lambda scene: {},
    "reopen": lambda scene: {},
}
EMPTY = {"starter"}  # commands whose example needs a board without live stickies


def frame(command: str, scene: Scene, op: str = OP) -> dict[str, Any]:
    fields = EXAMPLES[command](scene)
    if COMMANDS[command].changes_board:
        return {"type": command, "op": op, **fields}
    return {"type": command, **fields}


def joined(workshop: Workshop, name: str, browser: Client) -> None:
    link = reverse("join", args=[workshop.participant_token])
    assert browser.post(link, {"name": name}).status_code == 302


def scene(role: str, state: str, command: str) -> Scene:
    """A fresh workshop, set up for `command`, and `role` on it as people become one."""
    empty = command in EMPTY
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
    sender: Participant | None = None
    if role == "facilitator":
        browser.force_login(owner)
        sender = me
    elif role == "co-facilitator":
        browser.force_login(co_facilitator)
        sender = services.facilitator_participant(workshop=board, user=co_facilitator)
    elif role == "participant":
        joined(board, "Pat", browser)
        sender = board.participants.get(name="Pat")
    elif role == "removed participant":
        joined(board, "Rex", browser)
        rex = board.participants.get(name="Rex")
        services.participant_remove(workshop=board, by=owner, participant_id=rex.pk)
    elif role == "observer":
        browser.get(reverse("observe", args=[board.observer_token]))
    elif role == "participant of another workshop":
        joined(make_workshop(), "Otto", browser)
    set_up = SET_UPS.get(command)
    made = set_up(Board(board, me, sender, someone, live)) if set_up else {}
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
    return Scene(board.slug, board.pk, key, sticky, str(gone.pk), someone.pk, made)


@database_sync_to_async
def scenes(state: str, command: str) -> dict[str, Scene]:
    return {role: scene(role, state, command) for role in ROLES}


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
    return await answer(socket, frame(command, scene), first["participant"])


async def answer(socket: Socket, sent: dict[str, Any], me: int) -> str:
    """What the sender `me` gets for a frame, on a socket it was welcomed on."""
    command = sent["type"]
    await socket.send(sent)
    if command == "editing":  # it may get no answer: a ping's pong ends the wait
        await socket.send({"type": "ping"})
    while True:
        message = await socket.receive()
        kind = message["type"]
        if kind == "error":
            return str(message["code"])
        if kind == "patch" and (message["op"], message["by"]) == (sent.get("op"), me):
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
    for role, here in (await scenes(state, command)).items():
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


@database_sync_to_async
def an_action_of_the_participants_own() -> Scene:
    """An ended workshop, a participant on it, and an action that participant owns (given to
    them by the facilitator after the end)."""
    here = scene("participant", "ended", "action_add")
    board = Workshop.objects.get(pk=here.board)
    me = services.facilitator_participant(workshop=board, user=board.owner)
    pat = board.participants.get(name="Pat")
    action = services.action_add(
        workshop=board, by=me, op=None, text="Write the runbook", owner_participant=pat.pk
    )
    return replace(here, made={"action": str(action.pk)})


async def test_on_an_ended_workshop_an_actions_owner_still_works_on_it(
    sockets: list[Socket],
) -> None:
    """The table's participant owns none of the actions it names; the one who owns an action
    may still change, delete and restore it once the workshop has ended, but not add one."""
    here = await an_action_of_the_participants_own()
    socket = Socket(here.slug, here.session_key)
    sockets.append(socket)
    assert (await socket.connect())[0]
    welcome = await socket.receive_type("welcome")
    got = {}
    for number, command in enumerate(
        ("action_update", "action_delete", "action_restore", "action_add"), start=1
    ):
        got[command] = await answer(
            socket, frame(command, here, f"own-{number}"), welcome["participant"]
        )
    assert got == {
        "action_update": "allowed",
        "action_delete": "allowed",
        "action_restore": "allowed",
        "action_add": "not_allowed",
    }
