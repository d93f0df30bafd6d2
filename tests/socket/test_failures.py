"""When the database or Redis fails under a socket: a clear answer where one can be given, and a
socket that fails never stays in the fan-out (or the process would write to it for good)."""

from typing import Any

import pytest
from django.db import OperationalError, connection

from tests.socket.conftest import Socket, session_for
from tests.socket.test_board_sync import joined, settled
from workshops import fanout, services
from workshops.consumers import keep_or_close
from workshops.models import Participant, Workshop

pytestmark = pytest.mark.django_db(transaction=True)


def sockets_of(board: Workshop) -> set[Any]:
    return set(fanout.hub.boards.get(board.pk, set()))


async def test_a_catch_up_the_database_cannot_give_is_answered_failed_and_the_socket_lives(
    sockets: list[Socket], board: Workshop, alice: Participant, monkeypatch: pytest.MonkeyPatch
) -> None:
    ally = await joined(sockets, board, participant=alice)
    await settled(ally)

    def unreachable(**_: Any) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(services, "catch_up", unreachable)
    await ally.send({"type": "sync", "since": 0})
    error = await ally.receive_type("error")
    assert error["code"] == "failed" and "asks again" in error["message"]
    monkeypatch.undo()
    await ally.send({"type": "sync", "since": 0})
    assert (await ally.receive_type("catchup"))["type"] == "catchup"


async def test_a_socket_whose_handler_fails_leaves_the_fan_out(
    sockets: list[Socket], board: Workshop, alice: Participant, monkeypatch: pytest.MonkeyPatch
) -> None:
    ally = await joined(sockets, board, participant=alice)
    await settled(ally)
    assert len(sockets_of(board)) == 1

    def broken(**_: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(services, "presence_seen", broken)
    await ally.send({"type": "ping"})
    with pytest.raises(RuntimeError):
        await ally.communicator.receive_output(5)
    assert sockets_of(board) == set()


async def test_a_socket_that_cannot_subscribe_is_refused_and_the_next_one_subscribes(
    sockets: list[Socket], board: Workshop, alice: Participant, monkeypatch: pytest.MonkeyPatch
) -> None:
    tries: list[int] = []
    subscribe = fanout.Hub._subscribe

    async def flaky(self: fanout.Hub, board_id: int) -> None:
        tries.append(board_id)
        if len(tries) == 1:
            raise ConnectionError("Redis is restarting")
        await subscribe(self, board_id)

    monkeypatch.setattr(fanout.Hub, "_subscribe", flaky)
    monkeypatch.setattr(fanout.hub, "redis_url", fanout.hub.redis_url or "redis://unused")
    first = Socket(board.slug, await session_for(participant=alice))
    sockets.append(first)
    await first.connect()
    with pytest.raises(ConnectionError):
        await first.communicator.receive_output(5)
    assert sockets_of(board) == set()
    if not fanout.hub.redis_url.startswith("redis://unused"):
        await joined(sockets, board, participant=alice)
        assert tries == [board.pk, board.pk] and len(sockets_of(board)) == 1


def test_the_database_thread_keeps_a_working_connection_and_drops_a_broken_one() -> None:
    """Between two pieces of socket work the thread's connection stays open, whatever its age
    (no new connection, no health check each time); one an error left unusable is closed, so
    the next piece opens another (after a database outage)."""
    connection.ensure_connection()
    kept = connection.connection
    keep_or_close()
    assert connection.connection is kept
    connection.errors_occurred = True  # an error that left the connection working
    keep_or_close()
    assert connection.connection is kept and not connection.errors_occurred
    kept.close()  # the server went away
    connection.errors_occurred = True
    keep_or_close()
    assert connection.connection is None
    Workshop.objects.exists()  # the next piece of work opens another
    assert connection.connection is not None and connection.connection is not kept
