"""How much a server holds for a socket that reads too slowly, so that it can be bounded.

Uvicorn makes a send wait while its transport's buffer is full, so frames for a slow reader
queue in the consumer, which counts them (LIMITS.socket_backlog). Daphne never makes a send wait:
it hands every frame to Twisted, which keeps what the peer has not taken in its transport's
write buffer, without bound. For Daphne this reads that buffer's size through the `send` it gave
the application (a partial of its `handle_reply` with the socket's protocol)."""

from collections.abc import Callable
from functools import partial
from typing import Any


def server_buffer(send: Any) -> Callable[[], int] | None:
    """A function giving the bytes the server holds for this socket, or None when the server
    is not one whose buffer can be read (then its sends wait instead)."""
    if not isinstance(send, partial) or not send.args:
        return None
    transport = getattr(send.args[0], "transport", None)
    if transport is None or not all(
        hasattr(transport, name) for name in ("dataBuffer", "offset", "_tempDataLen")
    ):
        return None

    def buffered() -> int:
        return len(transport.dataBuffer) - transport.offset + transport._tempDataLen

    return buffered
