"""Who may hold a board's socket: only this site's own pages open one (the whole origin counts,
scheme and port included), a path that leads nowhere is refused at the handshake, and logging
out closes the account's sockets."""

import logging
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from p2pboard.asgi import application
from tests.factories import make_user, make_workshop
from tests.socket.conftest import Socket, session_for
from workshops import protocol
from workshops.models import Connection, Participant, Workshop

pytestmark = pytest.mark.django_db(transaction=True)


async def knock(
    path: str, *, origin: str | None, host: str = "localhost:8000", **headers: str
) -> tuple[bool, WebsocketCommunicator]:
    """Open a socket as a browser on `origin` would, to a server reached as `host`."""
    sent = [(b"host", host.encode())]
    if origin is not None:
        sent.append((b"origin", origin.encode()))
    sent += [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    communicator = WebsocketCommunicator(application, path, headers=sent)
    connected, _ = await communicator.connect(timeout=5)
    return connected, communicator


async def facilitator_knocks(board: Workshop, origin: str | None, **headers: str) -> bool:
    key = await session_for(user=board.owner)
    connected, communicator = await knock(
        f"/ws/w/{board.slug}/", origin=origin, cookie=f"sessionid={key}", **headers
    )
    if connected:
        assert (await communicator.receive_json_from(timeout=5))["type"] == "welcome"
    await communicator.disconnect()
    return connected


async def test_the_sites_own_page_gets_its_socket(board: Workshop) -> None:
    assert await facilitator_knocks(board, "http://localhost:8000")


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:9999",  # another port of the same host: another site
        "http://localhost",  # the default port is another port too
        "https://localhost:8000",  # the page was https, the socket plain ws: not the same site
        "http://evil.example.com:8000",
        "null",  # a sandboxed frame or a file
        None,  # no Origin at all
    ],
)
async def test_a_page_from_any_other_origin_is_refused(board: Workshop, origin: str | None) -> None:
    assert not await facilitator_knocks(board, origin)


async def test_a_host_outside_allowed_hosts_is_refused_even_from_its_own_origin(
    board: Workshop,
) -> None:
    key = await session_for(user=board.owner)
    connected, communicator = await knock(
        f"/ws/w/{board.slug}/",
        origin="http://rebound.example.com:8000",
        host="rebound.example.com:8000",
        cookie=f"sessionid={key}",
    )
    assert not connected
    await communicator.disconnect()


async def test_behind_a_tls_proxy_the_forwarded_scheme_decides_like_for_a_request(
    board: Workshop, settings: Any
) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert await facilitator_knocks(board, "https://localhost:8000", x_forwarded_proto="https")
    assert not await facilitator_knocks(board, "http://localhost:8000", x_forwarded_proto="https")
    assert await facilitator_knocks(board, "http://localhost:8000", x_forwarded_proto="http")
    # Without the setting, a client's X-Forwarded-Proto is not believed.
    settings.SECURE_PROXY_SSL_HEADER = None
    assert not await facilitator_knocks(board, "https://localhost:8000", x_forwarded_proto="https")


async def test_an_origin_in_csrf_trusted_origins_is_welcome(board: Workshop, settings: Any) -> None:
    settings.CSRF_TRUSTED_ORIGINS = ["https://board.example.org", "https://*.example.net"]
    assert await facilitator_knocks(board, "https://board.example.org")
    assert await facilitator_knocks(board, "https://team.example.net")
    assert not await facilitator_knocks(board, "http://team.example.net")
    assert not await facilitator_knocks(board, "https://board.example.org:8443")


async def test_a_path_no_route_takes_is_refused_at_the_handshake_without_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        for path in ["/ws/nowhere/", "/ws/w/", "/ws/w/a-slug/more/", "/"]:
            connected, communicator = await knock(path, origin="http://localhost:8000")
            assert not connected, path
            await communicator.disconnect()
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def log_in_and_out(user: User) -> None:
    """Log out through the real view, as the account's menu does."""
    client = Client()
    client.force_login(user)
    assert client.post(reverse("logout")).status_code == 302


async def test_logging_out_closes_the_accounts_sockets_on_every_board(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    fran = board.owner
    cora = await database_sync_to_async(make_user)("cora")
    await database_sync_to_async(board.co_facilitators.add)(cora)
    second = await database_sync_to_async(make_workshop)(fran, "Second release path")

    async def open_socket(workshop: Workshop, **who: object) -> Socket:
        socket = Socket(workshop.slug, await session_for(**who))
        sockets.append(socket)
        assert (await socket.connect())[0]
        assert (await socket.receive_type("welcome"))["type"] == "welcome"
        return socket

    frans = [await open_socket(board, user=fran), await open_socket(second, user=fran)]
    coras = await open_socket(board, user=cora)
    alices = await open_socket(board, participant=alice)
    await alices.drain()

    await database_sync_to_async(log_in_and_out)(fran)

    for socket in frans:
        assert "logged out" in (await socket.receive_type("revoked"))["message"]
        assert await socket.closed_with() == protocol.CLOSE_FORBIDDEN
    # Out of "Here now" at once, and everyone else stays.
    while "fran" in (await alices.receive_type("presence"))["html"]:
        pass
    fran_here = Connection.objects.filter(participant__user=fran).exists
    assert not await database_sync_to_async(fran_here)()
    for socket in (coras, alices):
        await socket.send({"type": "ping"})
        assert (await socket.receive_type("pong"))["type"] == "pong"
