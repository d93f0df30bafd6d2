"""A socket that stops reading is closed (4408) on Uvicorn, the scale-out server, as on Daphne
(tests/browser/test_slow_readers.py): Uvicorn makes a send wait while the peer does not read,
the frames for that socket queue in its consumer and are counted (LIMITS.socket_backlog), so
what the server holds for it stays bounded; a socket on the same board that reads gets every
frame and stays open."""

import asyncio
import json
import socket
from functools import partial
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from tests.faults.conftest import Deployment, eventually
from tests.faults.servers import App
from workshops import fanout, protocol
from workshops.limits import LIMITS

PAD = "x" * 500  # frames of about the size of a patch of one sticky
# More than the kernel's send buffer (at its largest) and the backlog hold together.
KERNEL_BYTES = int(Path("/proc/sys/net/ipv4/tcp_wmem").read_text().split()[2])
FRAMES = KERNEL_BYTES // len(PAD) + 3 * LIMITS.socket_backlog


async def open_board(app: App, slug: str, session: str, *, asleep: bool) -> ClientConnection:
    raw = socket.create_connection(("127.0.0.1", app.port))
    if asleep:  # a small receive buffer, so that what waits for this peer waits in the server
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    connection = await connect(
        f"{app.ws_url}/ws/w/{slug}/",
        sock=raw,
        origin=Origin(app.url),
        additional_headers={"Cookie": f"sessionid={session}"},
        max_queue=4 if asleep else 16,  # the client stops reading once 4 frames wait
        max_size=None,
        ping_interval=None,  # the sleeper's own pings would time out while it sleeps
    )
    while json.loads(await connection.recv())["type"] != "welcome":
        pass
    return connection


@pytest.mark.timeout(120)
async def test_a_socket_that_stops_reading_is_closed_on_uvicorn_and_one_that_reads_is_not(
    deployment: Deployment,
) -> None:
    board = deployment.database("setup", {"participants": 2})
    app = deployment.apps[0].wait_ready()
    [_, asleep, awake] = board["people"]
    sleeper = await open_board(app, board["slug"], asleep["session"], asleep=True)
    reader = await open_board(app, board["slug"], awake["session"], asleep=False)
    received, answered = 0, asyncio.Event()

    async def read() -> None:
        nonlocal received
        async for frame in reader:
            if '"pad"' in str(frame):
                received += 1
            elif '"type":"pong"' in str(frame):
                answered.set()

    def has_read(frames: int) -> bool:
        return received >= frames

    reading = asyncio.create_task(read())
    # Patches as if from another process, through Redis (the app skips only its own).
    channel, origin = fanout.channel(board["workshop"]), "0" * fanout.ORIGIN_LENGTH
    async with aioredis.Redis.from_url(deployment.redis.url) as publisher:
        for start in range(0, FRAMES, 500):
            batch = publisher.pipeline(transaction=False)
            for seq in range(start + 1, min(start + 500, FRAMES) + 1):
                patch = protocol.message("patch", seq=seq, op=None, by=None, entities=[])
                batch.publish(channel, origin + json.dumps(patch | {"pad": PAD}))
            await batch.execute()
            await eventually("read", partial(has_read, start), timeout=10)  # it keeps up
    await eventually("read", partial(has_read, FRAMES), timeout=10)

    # The sleeper now reads what was sent before the server gave up on it, then the close,
    # with room to read quickly (a tiny window drains at a few dozen frames a second).
    raw = sleeper.transport.get_extra_info("socket")
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2**20)
    taken, code = 0, None
    try:
        while True:
            await asyncio.wait_for(sleeper.recv(), timeout=10)
            taken += 1
    except ConnectionClosed as closed:
        code = closed.rcvd.code if closed.rcvd else None
    print(f"the sleeper took {taken} of {FRAMES} frames before the close")
    assert code == protocol.CLOSE_TOO_SLOW
    assert taken < FRAMES  # cut off, not given everything
    assert received == FRAMES  # the reader got every frame, and is still open
    await reader.send('{"type": "ping"}')
    await asyncio.wait_for(answered.wait(), timeout=5)
    reading.cancel()
    await reader.close()
