"""The floor: a minimal broadcast server written with the `websockets` library alone (no
framework, no database, no Redis), which p2pboard's latencies are compared to.

Clients connect to ws://127.0.0.1:PORT/<board>/. Every text frame a client sends is parsed as
JSON and answered with a frame shaped like a p2pboard `patch` (type, seq, op, by, one sticky
state with `--payload` characters of html), broadcast to every client of that board, the
sender included, with `websockets.broadcast` (one serialisation, one write per socket).

    python -m benchmarks.floor --port 8765 --payload 540
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
from typing import Any

from websockets.asyncio.server import ServerConnection, broadcast, serve

BOARDS: dict[str, set[ServerConnection]] = {}
SEQ: dict[str, int] = {}


def patch(board: str, command: dict[str, Any], payload: str) -> str:
    SEQ[board] = SEQ.get(board, 0) + 1
    text = str(command.get("text", ""))
    sticky = {  # the fields of p2pboard's sticky state (workshops/entities.py)
        "entity": "sticky",
        "id": "00000000-0000-4000-8000-000000000000",
        "version": SEQ[board],
        "kind": "pain",
        "text": text,
        "text_version": SEQ[board],
        "parked": True,
        "event": None,
        "rank": "a0",
        "parallel": False,
        "private": False,
        "by": 1,
        "deleted": False,
        "html": payload.replace("TEXT", text),
    }
    message = {
        "type": "patch",
        "seq": SEQ[board],
        "op": command.get("op"),
        "by": 1,
        "entities": [sticky],
    }
    return json.dumps(message, separators=(",", ":"))


def make_payload(size: int) -> str:
    head = '<div class="sticky kind-pain" data-id="x"><p class="text">TEXT</p>'
    filler = "x" * max(0, size - len(head) - len("</div>"))
    return head + f'<span hidden="{filler}"></span></div>'


async def main(port: int, payload_size: int) -> None:
    payload = make_payload(payload_size)

    async def handler(socket: ServerConnection) -> None:
        board = socket.request.path.strip("/") if socket.request else ""
        members = BOARDS.setdefault(board, set())
        members.add(socket)
        try:
            async for frame in socket:
                if not isinstance(frame, str):
                    continue
                try:
                    command = json.loads(frame)
                except ValueError:
                    continue
                broadcast(members, patch(board, command, payload))
        finally:
            members.discard(socket)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    async with serve(
        handler, "127.0.0.1", port, compression=None, max_size=2**20, ping_interval=None
    ):
        await stop.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--payload", type=int, default=540, help="characters of sticky html")
    args = parser.parse_args()
    asyncio.run(main(args.port, args.payload))
