"""Helpers for websocket tests: real application, real channel layer, real database."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from p2pboard.asgi import application
from tests.factories import make_session

ORIGIN = b"http://localhost:8000"


session_for = database_sync_to_async(make_session)


class Socket:
    """A browser's socket to a board, with the assertions tests need."""

    def __init__(self, slug: str, session_key: str | None, origin: bytes = ORIGIN) -> None:
        headers = [(b"origin", origin), (b"host", b"localhost:8000")]
        if session_key:
            headers.append((b"cookie", f"sessionid={session_key}".encode()))
        self.communicator = WebsocketCommunicator(application, f"/ws/w/{slug}/", headers=headers)

    async def connect(self) -> tuple[bool, Any]:
        return await self.communicator.connect(timeout=5)

    async def send(self, message: dict[str, Any] | str) -> None:
        if isinstance(message, str):
            await self.communicator.send_to(text_data=message)
        else:
            await self.communicator.send_json_to(message)

    async def receive(self, timeout: float = 5) -> dict[str, Any]:
        message: dict[str, Any] = await self.communicator.receive_json_from(timeout=timeout)
        return message

    async def receive_type(self, kind: str, timeout: float = 5) -> dict[str, Any]:
        """The next message of a kind, skipping others (presence comes and goes meanwhile)."""
        while True:
            message = await self.receive(timeout)
            if message["type"] == kind:
                return message

    async def closed_with(self, timeout: float = 5) -> int:
        while True:
            output = await self.communicator.receive_output(timeout)
            if output["type"] == "websocket.close":
                return int(output.get("code", 1000))

    async def nothing_more(self) -> bool:
        return await self.communicator.receive_nothing(timeout=0.3)

    async def drain(self) -> None:
        """Drop whatever has arrived so far."""
        while not await self.nothing_more():
            await self.communicator.receive_output()

    async def close(self) -> None:
        await self.communicator.disconnect()


@pytest.fixture(autouse=True)
async def close_database_connections() -> AsyncIterator[None]:
    """Close the connection of Channels' worker thread after each test, so the test database
    can be dropped at the end of the run."""
    yield
    await database_sync_to_async(connections.close_all)()


@pytest.fixture
async def sockets() -> AsyncIterator[list[Socket]]:
    """Sockets opened by a test; all closed at its end, pass or fail."""
    opened: list[Socket] = []
    yield opened
    for socket in opened:
        # Already closed by the server, or its application timed out: nothing to close.
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await socket.close()
