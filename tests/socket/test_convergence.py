"""Property: whatever several clients do at once, with dropped connections, delays and
duplicate sends, every client ends up seeing exactly what the database holds, as far as it may
see it: the stickies (others' private ones left out), the board's own state and the phase
work (merges, timings, actions; the vote totals only where it may see them, its own votes)."""

from typing import Any

import pytest
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.board_views import stickies_seen, work_seen
from tests.factories import make_participant, make_user, make_workshop
from tests.socket.conftest import session_for
from tests.socket.simulated import BoardView, SimulatedClient
from workshops import services
from workshops.agenda import Phase
from workshops.kinds import KINDS
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db(transaction=True)

ACTIONS = ["add", "add", "edit", "move", "move", "delete", "restore", "drop", "duplicate", "hold"]
BOARD_ACTIONS = ["title", "phase", "private", "reveal", "lock", "votes"]  # the facilitator's own
WORK_ACTIONS = ["merge", "split", "vote", "unvote", "timing", "untime", "action", "action_edit"]


class Roll:
    """One step's randomness, drawn whole before the step looks at the boards: hypothesis
    replays examples draw for draw, so what is drawn must not depend on what the clients hold
    (which depends on timing). Each use takes the next number or flag."""

    NUMBERS, FLAGS = 16, 16

    def __init__(self, data: st.DataObject) -> None:
        self.numbers = data.draw(
            st.lists(st.integers(0, 9_999), min_size=self.NUMBERS, max_size=self.NUMBERS)
        )
        self.flags = data.draw(st.lists(st.booleans(), min_size=self.FLAGS, max_size=self.FLAGS))

    def pick(self, items: list[Any]) -> Any:
        return items[self.numbers.pop() % len(items)]

    def flag(self) -> bool:
        return self.flags.pop()


@database_sync_to_async
def new_board() -> tuple[Workshop, list[Any]]:
    owner = make_user()
    workshop = make_workshop(owner=owner)
    people = [make_participant(workshop, name) for name in ("Ann", "Bo", "Cy")]
    return workshop, [*people, services.facilitator_participant(workshop=workshop, user=owner)]


database_view = database_sync_to_async(stickies_seen)
database_work = database_sync_to_async(work_seen)


@database_sync_to_async
def database_board(workshop: Workshop) -> BoardView:
    board = Workshop.objects.get(pk=workshop.pk)
    return (board.title, board.phase, board.private_brainstorm, board.locked, board.version)


@database_sync_to_async
def database_people(workshop: Workshop) -> dict[int, str | None]:
    """Everyone's ready flag (a screen that never heard of a person's shows them not ready)."""
    people = Participant.objects.filter(workshop=workshop)
    return {person.pk: person.ready_phase or None for person in people}


def board_command(roll: Roll) -> dict[str, Any]:
    action = roll.pick(BOARD_ACTIONS)
    if action == "title":
        return {"type": "board", "title": roll.pick(["Payments", "Release path", "Onboarding"])}
    if action == "phase":
        return {"type": "board", "phase": roll.pick(list(Phase.values))}
    if action == "private":
        return {"type": "board", "private_brainstorm": roll.flag()}
    if action == "lock":
        return {"type": "board", "locked": roll.flag()}
    if action == "votes":
        return {"type": "board", "votes_hidden": roll.flag()}
    return {"type": "reveal"}


def work_command(roll: Roll, client: SimulatedClient) -> dict[str, Any] | None:
    """A command of the phase work, about what this client sees (it may well be refused:
    another kind, a non-consecutive group, a vote on an event; refusals change nothing)."""
    action = roll.pick(WORK_ACTIONS)
    view = client.view
    stickies = sorted(view)
    if action == "action":
        return {"type": "action_add", "text": roll.pick(["Fix it", "Ask <ops>"]),
                "owner": roll.pick(["Ops team", "Ann"])}  # fmt: skip
    if action == "action_edit" and client.actions:
        return {"type": "action_update", "action_id": roll.pick(sorted(client.actions)),
                "status": roll.pick(["open", "doing", "done"])}  # fmt: skip
    if action == "untime" and client.timings:
        return {"type": "untime", "timing": roll.pick(sorted(client.timings))}
    if not stickies:
        return None
    sticky = roll.pick(stickies)
    if action == "merge":
        same = [other for other in stickies if view[other][0] == view[sticky][0] != ""]
        others = [other for other in same if other != sticky]
        return {"type": "merge", "sticky": sticky, "stickies": others[:2]} if others else None
    if action == "split":
        return {"type": "split", "sticky": sticky}
    if action in ("vote", "unvote"):
        return {"type": action, "sticky": sticky}
    if action == "timing":
        events = [sid for sid in stickies if view[sid][0] == "event" and not view[sid][2]]
        chosen = sorted({roll.pick(events) for _ in range(roll.pick([1, 2, 3]))}) if events else []
        size = {"size": roll.pick(["S", "M", "L"])}
        return {"type": "timing", "events": chosen, **size} if chosen else None
    return None


def random_command(
    roll: Roll, client: SimulatedClient, deleted: list[str], *, facilitator: bool
) -> dict[str, Any] | None:
    action = roll.pick(["add", "edit", "move", "delete", "restore", "board", "ready", "work"])
    if action == "board":
        return board_command(roll) if facilitator else None
    if action == "work":
        return work_command(roll, client)
    if action == "ready":
        return {"type": "ready", "ready": roll.flag()}
    view = client.view
    events = [sid for sid, v in view.items() if v[0] == "event" and not v[2]]
    if action == "add" or not view:
        kind = roll.pick(list(KINDS))
        text = roll.pick(["a", "b <c>", "&é", "deploy", "review"])
        place: dict[str, Any] = {"parked": roll.flag(), "event": None}
        if kind != "event" and not place["parked"]:
            if not events:
                place["parked"] = True
            else:
                place["event"] = roll.pick(events)
        return {"type": "add", "kind": kind, "text": text, "place": place}
    sticky = roll.pick(sorted(view))
    if action == "edit":
        edit = {"type": "update", "sticky": sticky, "text": roll.pick(["x", "y", "z"])}
        base = roll.pick([None, 1, 2, 3])  # the text seen when the edit began: may be stale
        return edit if base is None else {**edit, "base": base}
    if action == "move":
        kind = view[sticky][0]
        lane = kind != "event" and bool(events) and roll.flag()
        place = {"parked": not lane and roll.flag(), "event": None}
        if lane:
            place = {"parked": False, "event": roll.pick(events)}
        command: dict[str, Any] = {"type": "move", "sticky": sticky, "place": place}
        others = [sid for sid in view if sid != sticky]
        if roll.flag() and others:
            command["after"] = roll.pick(others)  # may be refused: fine
        return command
    if action == "delete":
        deleted.append(sticky)
        return {"type": "delete", "sticky": sticky}
    if deleted:
        return {"type": "restore", "sticky": roll.pick(deleted)}
    return None


async def client_session(participant: Participant) -> str:
    if participant.user is not None:
        return await session_for(user=participant.user)
    return await session_for(participant=participant)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), steps=st.integers(min_value=8, max_value=30))
async def test_every_client_converges_on_the_database(data: st.DataObject, steps: int) -> None:
    workshop, people = await new_board()
    clients = [SimulatedClient(p.name, workshop.slug, await client_session(p)) for p in people]
    for client in clients:
        await client.connect()
    held: list[tuple[SimulatedClient, dict[str, Any]]] = []
    deleted: list[str] = []

    for _ in range(steps):
        roll = Roll(data)
        client = roll.pick(clients)
        action = roll.pick(ACTIONS)
        if action == "drop":
            if client.socket is None:
                await client.connect()
            else:
                await client.disconnect()
        elif action == "duplicate" and client.sent:
            await client.resend(roll.pick(client.sent))
        elif action == "hold" and held:
            later, message = held.pop(0)
            await later.send(message)
        else:
            facilitator = client.name == people[-1].name
            command = random_command(roll, client, deleted, facilitator=facilitator)
            if command is not None:
                message = client.command(command)
                if action == "hold":
                    held.append((client, message))  # sent late, after other changes
                else:
                    await client.send(message)
        pumps = [roll.flag() for _ in clients]
        for other, pump in zip(clients, pumps, strict=True):
            if other.socket is not None and pump:
                await other.pump()

    for client, message in held:
        await client.send(message)
    for client in clients:
        if client.socket is None:
            await client.connect()
    for client in clients:
        await client.settle()
        await client.gap_check()
        await client.pump(quiet=0.2)

    board = await database_board(workshop)
    for client in clients:
        assert client.outbox == {}, f"{client.name} still waits for {list(client.outbox)}"
        assert client.view == await database_view(workshop, client.me), client.name
        if board[-1] > 1:  # the board's own state changed: everyone has its newest
            assert client.board == board, client.name
        truth = await database_people(workshop)
        assert {pk: client.people.get(pk) for pk in truth} == truth, client.name
        # (No totals, and none seen: the same to a screen. A viewer who may not see totals and
        # holds some shows up here: the truth has none for it.)
        work, shown = await database_work(workshop, client.me), client.work
        work.totals, shown.totals = work.totals or {}, shown.totals or {}
        assert shown == work, f"{client.name}: {shown} != {work}"
    for client in clients:
        await client.disconnect()
