"""Bad frames get a clear error on that socket only; the connection stays usable."""

import pytest
from channels.db import database_sync_to_async

from tests.socket.conftest import Socket, session_for
from workshops import protocol
from workshops.limits import LIMITS
from workshops.models import Participant, Sticky, Workshop

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def stored(board: Workshop) -> list[str]:
    return list(Sticky.objects.filter(workshop=board).values_list("text", flat=True))


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
