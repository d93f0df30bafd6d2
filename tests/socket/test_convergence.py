"""Property: whatever several clients do at once, with dropped connections, delays and
duplicate sends, every client ends up seeing exactly what the database holds."""

from typing import Any

import pytest
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import make_participant, make_user, make_workshop
from tests.socket.conftest import session_for
from tests.socket.simulated import SimulatedClient, StickyView
from workshops.kinds import KINDS
from workshops.models import Sticky, Workshop

pytestmark = pytest.mark.django_db(transaction=True)

ACTIONS = ["add", "add", "edit", "move", "move", "delete", "restore", "drop", "duplicate", "hold"]


@database_sync_to_async
def new_board() -> tuple[Workshop, list[Any]]:
    workshop = make_workshop(owner=make_user())
    return workshop, [make_participant(workshop, name) for name in ("Ann", "Bo", "Cy")]


@database_sync_to_async
def database_view(workshop: Workshop) -> dict[str, StickyView]:
    return {
        str(s.pk): (
            s.kind,
            s.text,
            s.parked,
            str(s.event_id) if s.event_id else None,
            s.rank,
            s.version,
        )
        for s in Sticky.objects.filter(workshop=workshop, deleted_at__isnull=True)
    }


def random_command(
    data: st.DataObject, client: SimulatedClient, deleted: list[str]
) -> dict[str, Any] | None:
    action = data.draw(st.sampled_from(["add", "edit", "move", "delete", "restore"]))
    view = client.view
    events = [sid for sid, v in view.items() if v[0] == "event" and not v[2]]
    if action == "add" or not view:
        kind = data.draw(st.sampled_from(list(KINDS)))
        text = data.draw(st.text(alphabet="abc <>&é", min_size=1, max_size=12).filter(str.strip))
        place: dict[str, Any] = {"parked": data.draw(st.booleans()), "event": None}
        if kind != "event" and not place["parked"]:
            if not events:
                place["parked"] = True
            else:
                place["event"] = data.draw(st.sampled_from(events))
        return {"type": "add", "kind": kind, "text": text, "place": place}
    sticky = data.draw(st.sampled_from(sorted(view)))
    if action == "edit":
        return {
            "type": "update",
            "sticky": sticky,
            "text": data.draw(st.sampled_from(["x", "y", "z"])),
        }
    if action == "move":
        kind = view[sticky][0]
        lane = kind != "event" and bool(events) and data.draw(st.booleans())
        place = {"parked": not lane and data.draw(st.booleans()), "event": None}
        if lane:
            place = {"parked": False, "event": data.draw(st.sampled_from(events))}
        command: dict[str, Any] = {"type": "move", "sticky": sticky, "place": place}
        others = [sid for sid in view if sid != sticky]
        if len(others) > 0 and data.draw(st.booleans()):
            command["after"] = data.draw(st.sampled_from(others))  # may be refused: fine
        return command
    if action == "delete":
        deleted.append(sticky)
        return {"type": "delete", "sticky": sticky}
    if deleted:
        return {"type": "restore", "sticky": data.draw(st.sampled_from(deleted))}
    return None


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), steps=st.integers(min_value=8, max_value=30))
async def test_every_client_converges_on_the_database(data: st.DataObject, steps: int) -> None:
    workshop, people = await new_board()
    clients = [
        SimulatedClient(p.name, workshop.slug, await session_for(participant=p)) for p in people
    ]
    for client in clients:
        await client.connect()
    held: list[tuple[SimulatedClient, dict[str, Any]]] = []
    deleted: list[str] = []

    for _ in range(steps):
        client = data.draw(st.sampled_from(clients))
        action = data.draw(st.sampled_from(ACTIONS))
        if action == "drop":
            if client.socket is None:
                await client.connect()
            else:
                await client.disconnect()
        elif action == "duplicate" and client.sent:
            await client.resend(data.draw(st.sampled_from(client.sent)))
        elif action == "hold" and held:
            later, message = held.pop(0)
            await later.send(message)
        else:
            command = random_command(data, client, deleted)
            if command is not None:
                message = client.command(command)
                if action == "hold":
                    held.append((client, message))  # sent late, after other changes
                else:
                    await client.send(message)
        for other in clients:
            if other.socket is not None and data.draw(st.booleans()):
                await other.pump()

    for client, message in held:
        await client.send(message)
    for client in clients:
        if client.socket is None:
            await client.connect()
    for client in clients:
        await client.pump(quiet=0.3)
        await client.gap_check()
        await client.pump(quiet=0.2)

    truth = await database_view(workshop)
    for client in clients:
        assert client.outbox == {}, f"{client.name} still waits for {list(client.outbox)}"
        assert client.view == truth, client.name
    for client in clients:
        await client.disconnect()
