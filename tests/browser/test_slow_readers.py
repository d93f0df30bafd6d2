"""A socket that never reads is closed (4408) on Daphne too, which never makes a send wait:
what the server holds for it stays bounded, and a socket that reads goes on receiving."""

import socket
import time

from django.contrib.sessions.backends.db import SessionStore
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Origin

from benchmarks.seed import fill
from tests.browser.conftest import AppServer
from workshops import entities, protocol, services
from workshops.access import remember_participant
from workshops.limits import LIMITS
from workshops.models import Sticky, Workshop


def participant_socket(
    app_server: AppServer, board: Workshop, name: str, *, asleep: bool = False
) -> ClientConnection:
    session = SessionStore()
    remember_participant(session, services.participant_join(workshop=board, name=name))
    session.create()
    raw = socket.create_connection(("127.0.0.1", app_server.port))
    if asleep:  # a small receive buffer, so that what waits for this peer waits in the server
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    return connect(
        f"ws://127.0.0.1:{app_server.port}/ws/w/{board.slug}/",
        sock=raw,
        origin=Origin(app_server.url),
        additional_headers={"Cookie": f"sessionid={session.session_key}"},
        max_size=None,
    )


def test_a_socket_that_never_reads_is_closed_and_one_that_reads_is_not(
    app_server: AppServer, board: Workshop
) -> None:
    fill(board, board.owner, 100)
    with (
        participant_socket(app_server, board, "Asleep", asleep=True) as sleeper,
        participant_socket(app_server, board, "Awake") as reader,
    ):
        for peer in (sleeper, reader):
            assert '"type":"welcome"' in str(peer.recv(timeout=5))
        # Patches of a hundred stickies each (about 80 KiB), through Redis as from another process.
        states = entities.states(Sticky.objects.filter(workshop=board).select_related("created_by"))
        patch = protocol.message("patch", seq=0, op=None, by=None, entities=[])
        frames = 0
        received = 0
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and frames < 400:
            frames += 1
            protocol.publish_entities(board.pk, patch | {"seq": 100 + frames}, states)
            while True:  # the reader keeps up
                try:
                    if '"type":"patch"' in str(reader.recv(timeout=0 if received >= frames else 2)):
                        received += 1
                except TimeoutError:
                    break
        assert frames * len(protocol.encode(patch | {"entities": [s.state for s in states]})) > (
            LIMITS.socket_buffer_bytes * 4
        )

        # The sleeper wakes: it gets what was sent before the server gave up on it, then the end:
        # the close (4408), or, when that could not get through the data it never read, the
        # connection dropped.
        taken = 0
        try:
            while True:
                taken += len(sleeper.recv(timeout=10))
        except ConnectionClosed as closed:
            assert closed.rcvd is None or closed.rcvd.code == protocol.CLOSE_TOO_SLOW
        assert taken < frames * 78_000 / 2  # cut off long before it got everything
        assert received == frames  # the one that reads got every patch, and is still open
        reader.send('{"type": "ping"}')
        while '"type":"pong"' not in str(reader.recv(timeout=5)):
            pass
