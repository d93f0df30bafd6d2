"""Bad frames get a clear error on that socket only; the connection stays usable."""

import pytest
from channels.db import database_sync_to_async

from tests.socket.conftest import Socket, session_for
from workshops import protocol, rates
from workshops.limits import LIMITS
from workshops.models import Connection, Participant, Sticky, Workshop

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def stored(board: Workshop) -> list[str]:
    return list(Sticky.objects.filter(workshop=board).values_list("text", flat=True))


@database_sync_to_async
def connections(board: Workshop) -> int:
    return Connection.objects.filter(workshop=board).count()


async def participant_socket(sockets: list[Socket], board: Workshop, alice: Participant) -> Socket:
    socket = Socket(board.slug, await session_for(participant=alice))
    sockets.append(socket)
    await socket.connect()
    await socket.receive_type("presence")
    return socket


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ("[1, 2]", "bad_frame"),
        ('{"type": "launch_rockets", "op": "c1-1"}', "unknown_command"),
        ('{"type": 42}', "unknown_command"),
        ('{"type": "ping", "pad": "' + "x" * LIMITS.frame_bytes + '"}', "too_large"),
        ("[" * 5000 + "]" * 5000, "bad_json"),  # nested deeper than any parser should follow
        ('{"type": "add", "op": "a1", "kind": "event", "text": "\\ud800",'
         ' "place": {"parked": true}}', "invalid"),  # half a surrogate pair: not text
        ('{"type": "add", "op": "\\ud800", "kind": "event", "text": "Deployed",'
         ' "place": {"parked": true}}', "invalid"),
        ('{"type": "add", "op": "a1", "kind": "event", "text": "\\u200b\\u202e \\u2066",'
         ' "place": {"parked": true}}', "invalid"),  # nothing visible
    ],
)  # fmt: skip
async def test_a_bad_frame_gets_an_error_and_the_socket_stays_usable(
    sockets: list[Socket], board: Workshop, alice: Participant, frame: str, code: str
) -> None:
    watcher = Socket(board.slug, await session_for(user=board.owner))
    sockets.append(watcher)
    await watcher.connect()
    await watcher.receive_type("welcome")
    socket = await participant_socket(sockets, board, alice)
    await watcher.drain()

    await socket.send(frame)
    error = await socket.receive_type("error")
    assert error["code"] == code and error["message"]
    if code == "unknown_command":
        assert error["op"] in {"c1-1", None}
    assert await stored(board) == []
    await socket.send({"type": "ping"})
    assert (await socket.receive_type("pong"))["type"] == "pong"
    assert await watcher.nothing_more()


async def test_a_binary_frame_is_refused(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    socket = await participant_socket(sockets, board, alice)
    await socket.communicator.send_to(bytes_data=b"\x00\x01")
    assert (await socket.receive_type("error"))["code"] == "bad_frame"


async def test_a_flood_is_slowed_then_closed(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    socket = await participant_socket(sockets, board, alice)
    for _ in range(LIMITS.frame_burst + 5):
        await socket.send("{}")
    assert (await socket.receive_type("error"))["code"] == "unknown_command"
    codes = []
    for _ in range(LIMITS.frame_burst * 2):
        await socket.send("{}")
    while True:
        output = await socket.communicator.receive_output(5)
        if output["type"] == "websocket.close":
            break
        codes.append(output)
    assert output["code"] == protocol.CLOSE_ABUSIVE
    assert any('"rate_limited"' in message.get("text", "") for message in codes)


async def test_a_flooder_reconnecting_at_once_is_turned_away_before_anything_is_written(
    sockets: list[Socket], board: Workshop, alice: Participant, bob: Participant
) -> None:
    watcher = await participant_socket(sockets, board, bob)
    session = await session_for(participant=alice)

    def alices() -> Socket:
        socket = Socket(board.slug, session)
        sockets.append(socket)
        return socket

    flooder = alices()
    await flooder.connect()
    for _ in range(LIMITS.frame_burst * 3):
        await flooder.send("{}")
    while (await flooder.communicator.receive_output(5))["type"] != "websocket.close":
        pass
    await flooder.close()  # as a browser's socket goes once the server closed it
    await watcher.drain()  # Alice came and went

    # Straight back: held a moment, told why and closed, with no presence written or sent.
    again = alices()
    assert (await again.connect())[0]
    refusal = await again.receive()
    assert (refusal["type"], refusal["code"]) == ("error", "rate_limited")
    assert (await again.communicator.receive_output(5))["code"] == protocol.CLOSE_ABUSIVE
    assert await watcher.nothing_more()
    assert await connections(board) == 1  # Bob's

    # A socket that goes away while held gets no answer (and the server no error).
    gone = alices()
    await gone.communicator.send_input({"type": "websocket.connect"})
    await gone.communicator.send_input({"type": "websocket.disconnect", "code": 1001})
    await gone.communicator.wait(timeout=LIMITS.turn_away_seconds + 2)
    assert await gone.nothing_more()

    # From another session of hers (another browser), the same, by her frame budget.
    elsewhere = Socket(board.slug, await session_for(participant=alice))
    sockets.append(elsewhere)
    await elsewhere.connect()
    assert (await elsewhere.receive())["code"] == "rate_limited"
    assert await connections(board) == 1

    # Once the strikes have faded (as if a minute passed), Alice is let in again.
    limit, _ = rates.senders.limits[("participant", alice.pk)]
    limit.stamp -= 60
    back = alices()
    await back.connect()
    assert (await back.receive_type("welcome"))["type"] == "welcome"
    assert await connections(board) == 2


async def test_control_characters_and_direction_overrides_are_taken_out_of_stored_text(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    socket = await participant_socket(sockets, board, alice)
    text = "Deployed\x00 to \u202estaging\u202c\x1b[31m by ops 👩\u200d💻"
    await socket.send({"type": "add", "op": "a1", "kind": "event", "text": text,
                       "place": {"parked": False}})  # fmt: skip
    patch = await socket.receive_type("patch")
    assert patch["entities"][0]["text"] == "Deployed to staging[31m by ops 👩\u200d💻"
    assert await stored(board) == ["Deployed to staging[31m by ops 👩\u200d💻"]
