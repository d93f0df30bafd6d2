"""Presence and access over the websocket, with the real channel layer and database."""

import pytest
from channels.db import database_sync_to_async

from tests.factories import make_participant
from tests.socket.conftest import Socket, session_for
from workshops import protocol, services
from workshops.models import Connection, Participant, Workshop

pytestmark = pytest.mark.django_db(transaction=True)


async def open_socket(sockets: list[Socket], workshop: Workshop, **who: object) -> Socket:
    key = await session_for(**who) if who else None
    socket = Socket(workshop.slug, key)
    sockets.append(socket)
    connected, _ = await socket.connect()
    assert connected
    return socket


async def test_people_appear_and_disappear_as_they_connect_and_leave(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    fran = await open_socket(sockets, board, user=board.owner)
    welcome = await fran.receive()
    assert welcome["type"] == "welcome" and welcome["role"] == "facilitator"
    assert "fran" in (await fran.receive_type("presence"))["html"]

    alice_socket = await open_socket(sockets, board, participant=alice)
    assert (await alice_socket.receive())["role"] == "participant"
    presence = await fran.receive_type("presence")
    assert "Alice" in presence["html"] and presence["count"] == 2

    await alice_socket.close()
    presence = await fran.receive_type("presence")
    assert "Alice" not in presence["html"] and presence["count"] == 1


async def test_observers_are_counted_but_not_listed(sockets: list[Socket], board: Workshop) -> None:
    fran = await open_socket(sockets, board, user=board.owner)
    await fran.receive_type("presence")
    watcher = await open_socket(sockets, board, observing=board)
    assert (await watcher.receive())["role"] == "observer"
    presence = await fran.receive_type("presence")
    assert "1 observer watching" in presence["html"] and presence["count"] == 1


async def test_a_name_with_html_arrives_escaped(sockets: list[Socket], board: Workshop) -> None:
    mallory = await database_sync_to_async(make_participant)(board, "<img src=x onerror=alert(1)>")
    socket = await open_socket(sockets, board, participant=mallory)
    html = (await socket.receive_type("presence"))["html"]
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


async def test_a_stranger_is_refused_with_a_reason(sockets: list[Socket], board: Workshop) -> None:
    socket = Socket(board.slug, None)
    sockets.append(socket)
    await socket.connect()
    error = await socket.receive()
    assert error["code"] == "forbidden" and "Ask the facilitator" in error["message"]
    assert await socket.closed_with() == protocol.CLOSE_FORBIDDEN


async def test_an_unknown_workshop_is_refused(sockets: list[Socket], db: None) -> None:
    socket = Socket("nope", None)
    sockets.append(socket)
    await socket.connect()
    assert (await socket.receive())["code"] == "not_found"
    assert await socket.closed_with() == protocol.CLOSE_NOT_FOUND


async def test_a_participant_of_another_workshop_is_refused(
    sockets: list[Socket], other_board: Workshop, alice: Participant
) -> None:
    key = await session_for(participant=alice)
    socket = Socket(other_board.slug, key)
    sockets.append(socket)
    await socket.connect()
    assert (await socket.receive())["code"] == "forbidden"
    assert await socket.closed_with() == protocol.CLOSE_FORBIDDEN


async def test_a_socket_from_a_foreign_origin_is_refused(
    sockets: list[Socket], board: Workshop
) -> None:
    key = await session_for(user=board.owner)
    socket = Socket(board.slug, key, origin=b"https://evil.example.com")
    sockets.append(socket)
    connected, _ = await socket.connect()
    assert not connected


async def test_a_removed_participant_is_disconnected_and_cannot_return(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    fran = await open_socket(sockets, board, user=board.owner)
    alice_socket = await open_socket(sockets, board, participant=alice)
    await alice_socket.receive_type("presence")
    await database_sync_to_async(services.participant_remove)(
        workshop=board, by=board.owner, participant_id=alice.pk
    )
    revoked = await alice_socket.receive_type("revoked")
    assert "removed you" in revoked["message"]
    assert await alice_socket.closed_with() == protocol.CLOSE_FORBIDDEN
    while "Alice" in (await fran.receive_type("presence"))["html"]:
        pass
    assert not await database_sync_to_async(Connection.objects.filter(participant=alice).exists)()

    again = await open_socket(sockets, board, participant=alice)
    assert (await again.receive())["code"] == "forbidden"
    assert await again.closed_with() == protocol.CLOSE_FORBIDDEN


async def test_observers_lose_the_board_when_their_link_is_regenerated(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    watcher = await open_socket(sockets, board, observing=board)
    alice_socket = await open_socket(sockets, board, participant=alice)
    await watcher.receive_type("welcome")
    await database_sync_to_async(services.link_regenerate)(
        workshop=board, by=board.owner, link="observer"
    )
    assert (await watcher.receive_type("revoked"))["message"].startswith("The facilitator changed")
    assert await watcher.closed_with() == protocol.CLOSE_FORBIDDEN
    await alice_socket.send({"type": "ping"})
    assert (await alice_socket.receive_type("pong"))["type"] == "pong"


async def test_a_ping_keeps_presence_fresh_and_returns_the_sequence_number(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    socket = await open_socket(sockets, board, participant=alice)
    await socket.receive_type("presence")
    await socket.send({"type": "ping"})
    assert (await socket.receive_type("pong"))["seq"] == 0
