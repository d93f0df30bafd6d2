"""The flooder of scenario (k): one participant sending `update`s as fast as a script can,
alongside load (a), in a process of its own (`python -m benchmarks.flood SPEC OUT`, driven over
stdin and stdout like the load workers of benchmarks/loadgen.py).

It connects, adds a sticky of its own, says `ready`, and on `start T0` sends updates of that
sticky's text at `rate` frames a second from T0 (the start of the warm-up) to the end of the
measured window. The server lets a participant through at 20 frames a second with bursts of
40, answers the rest with `rate_limited`, and closes a socket that keeps flooding with 4429: the
flooder then reconnects at once (a hostile script would; a browser backs off) and goes on, and
tries again at once each time the server turns it away (it does until the strikes fade). It
counts what it sent, what was applied, what was refused, how often it was closed and turned
away. Its ops hold no `-`, so the load workers do not take its patches for edits of theirs.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from benchmarks.loadgen import PATCH_HEAD, open_socket


class Flooder:
    def __init__(self, url: str, sessionid: str, origin: str) -> None:
        self.url, self.sessionid, self.origin = url, sessionid, origin
        self.ws: ClientConnection | None = None
        self.reader: asyncio.Task[None] | None = None
        self.sticky: asyncio.Future[str] | None = None
        self.tally: Counter[str] = Counter()  # sent, applied, refusals by code, ...
        self.closes: Counter[str] = Counter()  # close codes the server gave
        self.reconnect_ms: list[float] = []
        self.first_close_s: float | None = None
        self.flood_started = 0.0

    async def connect(self) -> None:
        ws = await open_socket(self.url, sessionid=self.sessionid, origin=self.origin)
        while True:
            frame = await asyncio.wait_for(ws.recv(), 60)
            if isinstance(frame, str) and frame.startswith('{"type":"welcome"'):
                break
        self.ws = ws
        self.reader = asyncio.create_task(self.read(ws))

    async def read(self, ws: ClientConnection) -> None:
        try:
            async for frame in ws:
                if not isinstance(frame, str):
                    continue
                if head := PATCH_HEAD.match(frame):
                    op = head.group(2) or ""
                    if op == "flood:add" and self.sticky and not self.sticky.done():
                        self.sticky.set_result(json.loads(frame)["entities"][0]["id"])
                    elif op.startswith("flood:"):
                        self.tally["applied"] += 1
                elif frame.startswith('{"type":"error"'):
                    self.tally[f"refused {json.loads(frame).get('code')}"] += 1
        except ConnectionClosed as closed:
            self.closes[str(closed.rcvd.code) if closed.rcvd else "without a close frame"] += 1
            if self.first_close_s is None and self.flood_started:
                self.first_close_s = round(time.monotonic() - self.flood_started, 3)

    async def add_sticky(self) -> str:
        assert self.ws is not None
        self.sticky = asyncio.get_running_loop().create_future()
        add = {
            "type": "add",
            "op": "flood:add",
            "kind": "pain",
            "text": "Flooding",
            "place": {"parked": True},
        }
        await self.ws.send(json.dumps(add))
        return await asyncio.wait_for(self.sticky, 60)

    async def reconnect(self, end: int) -> bool:
        """Back on the board, or False when the flood's time ran out first."""
        if self.reader is not None:
            await asyncio.wait([self.reader], timeout=5)  # the close code, first
        started = time.monotonic()
        while True:
            try:
                await self.connect()
                break
            except ConnectionClosed:  # turned away while its strikes fade: straight back
                self.tally["turned away"] += 1
                if time.monotonic_ns() >= end:
                    return False
        self.tally["reconnected"] += 1
        self.reconnect_ms.append(round((time.monotonic() - started) * 1000, 1))
        return True

    async def flood(self, sticky: str, start: int, end: int, rate: float) -> None:
        period = int(1e9 / rate)
        self.flood_started = time.monotonic()
        k = 0
        while True:
            scheduled = start + k * period
            if scheduled >= end:
                return
            delay = scheduled - time.monotonic_ns()
            if delay > 0:
                await asyncio.sleep(delay / 1e9)
            assert self.ws is not None
            command = {"type": "update", "op": f"flood:{k}", "sticky": sticky, "text": f"Flood {k}"}
            try:
                await self.ws.send(json.dumps(command))
                self.tally["sent"] += 1
            except ConnectionClosed:
                if not await self.reconnect(end):
                    return
                # Slots missed while reconnecting are skipped: as fast as it can, not faster.
                k = max(k + 1, -(-(time.monotonic_ns() - start) // period))
                continue
            k += 1


async def work(spec: dict[str, Any], out: Path) -> None:
    flooder = Flooder(spec["url"], spec["sessionid"], spec["origin"])
    await flooder.connect()
    sticky = await flooder.add_sticky()
    print("ready flooder connected", flush=True)
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    t0 = int(line.split()[1])
    end = t0 + int((spec["warmup"] + spec["measure"]) * 1e9)
    await flooder.flood(sticky, t0, end, spec["rate"])
    flooded_s = time.monotonic() - flooder.flood_started
    await asyncio.sleep(1)  # the last answers
    if flooder.ws is not None:
        await flooder.ws.close()
    if flooder.reader is not None:
        await asyncio.wait([flooder.reader], timeout=5)
    out.with_suffix(".json").write_text(
        json.dumps(
            {
                "rate": spec["rate"],
                "flooded_s": round(flooded_s, 2),
                "tally": dict(flooder.tally),
                "closes": dict(flooder.closes),
                "first_close_s": flooder.first_close_s,
                "reconnect_ms": flooder.reconnect_ms,
            }
        )
    )
    print("done", flush=True)


if __name__ == "__main__":
    spec_file, out_file = Path(sys.argv[1]), Path(sys.argv[2])
    asyncio.run(work(json.loads(spec_file.read_text()), out_file))
