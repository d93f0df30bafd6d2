"""A scripted person at a board, over a real network socket (the `websockets` library), with the
page's bookkeeping (static/js/board/socket.js; the state and its apply logic are
tests/socket/simulated.py's): op ids, an outbox kept until each change is confirmed, the
outbox sent again after every reconnect with the same ops, `seq` gaps closed by `sync` after
0.8 s, `ack` as a confirmation, `error`/`conflict` with an op as a refusal, and reconnecting
with the page's backoff. Through a proxy a reconnect may land on another process: a socket
that cannot be opened tries the next process.

It records every change it made (`Change`): each send, each refusal heard, and whether it was
confirmed (its patch, with its op and this person's participant id as `by`, or an `ack`). A
change refused with `failed` (the server could not commit it) is tried again a little later
with the same op, as a person would press again; other refusals are final."""

import asyncio
import contextlib
import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake
from websockets.typing import Origin

from tests.socket.simulated import SimulatedClient

GAP_WAIT = 0.8  # seconds, as the page waits before asking for a gap
RETRY_WAIT = 1.0  # seconds before a person presses again after `failed`
RETRIES = 10


@dataclass
class Change:
    op: str
    command: dict[str, Any]
    sends: list[float] = field(default_factory=list)  # time.monotonic() of each send
    refusals: list[str] = field(default_factory=list)  # the codes heard, in order
    said: list[str] = field(default_factory=list)  # what each refusal told the person
    confirmed_by: str | None = None  # "patch" or "ack"
    made: float = field(default_factory=time.monotonic)
    retrying: bool = False

    @property
    def outcome(self) -> str:
        if self.confirmed_by:
            return "confirmed"
        if self.refusals and not self.retrying:
            return "refused"
        return "waiting"


@dataclass(frozen=True)
class Server:
    ws_url: str  # ws://127.0.0.1:PORT
    origin: str  # http://127.0.0.1:PORT


@dataclass
class LiveClient(SimulatedClient):
    servers: list[Server] = field(default_factory=list)  # its own first
    facilitator: bool = False
    connection: ClientConnection | None = None
    server: int = 0  # index into servers: where it connects next
    changes: dict[str, Change] = field(default_factory=dict)
    mine: list[str] = field(default_factory=list)  # ids of the stickies it added
    connects: Counter[int] = field(default_factory=Counter)  # per server index
    closes: Counter[str] = field(default_factory=Counter)
    errors_without_op: Counter[str] = field(default_factory=Counter)
    welcomed: int | None = None  # the board's seq in the last welcome
    syncs: int = 0
    gap_since: float | None = None
    gaps: list[tuple[float, float]] = field(default_factory=list)  # (opened, seconds open)
    stopping: bool = False
    gap_timer: asyncio.Task[None] | None = None
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    # ----- the socket -----

    async def run(self) -> None:
        """Stay connected until `stop`: reconnect with the page's backoff (0.5 s doubling to
        10 s, with jitter; back to 0.5 s once a socket opens)."""
        attempt = 0
        while not self.stopping:
            target = self.servers[self.server]
            try:
                async with connect(
                    f"{target.ws_url}/ws/w/{self.slug}/",
                    origin=Origin(target.origin),
                    additional_headers={"Cookie": f"sessionid={self.session_key}"},
                    open_timeout=5,
                    close_timeout=1,
                    ping_interval=None,
                    max_size=2**24,
                ) as connection:
                    self.connection, attempt = connection, 0
                    self.connects[self.server] += 1
                    async for frame in connection:
                        await self.handle(json.loads(frame))
                self.closes["closed"] += 1
            except ConnectionClosed as closed:
                self.closes[str(closed.rcvd.code if closed.rcvd else "no close frame")] += 1
            except (OSError, InvalidHandshake, TimeoutError) as problem:
                self.closes[type(problem).__name__] += 1
                self.server = (self.server + 1) % len(self.servers)  # another process
            finally:
                self.connection = None
            if self.stopping:
                break
            await asyncio.sleep(min(10.0, 0.5 * 2**attempt) * random.uniform(0.75, 1.25))
            attempt += 1

    async def stop(self) -> None:
        self.stopping = True
        for task in [*self.tasks, self.gap_timer]:
            if task is not None:
                task.cancel()
        if self.connection is not None:
            await self.connection.close()

    async def transmit(self, message: dict[str, Any]) -> None:
        if self.connection is None:
            return
        with contextlib.suppress(ConnectionClosed):
            await self.connection.send(json.dumps(message))
            if "op" in message:
                self.changes[message["op"]].sends.append(time.monotonic())

    # ----- changes -----

    def command(self, message: dict[str, Any]) -> dict[str, Any]:
        """Everyone numbers their changes alike (op-1, op-2, ...): an op is its sender's own,
        so the same op from two people is two changes, and `by` tells whose it confirms."""
        self.counter += 1
        return {**message, "op": f"op-{self.counter}"}

    async def send(self, message: dict[str, Any]) -> None:
        """Keep the change until it is confirmed; send it now if connected."""
        self.outbox[message["op"]] = message
        self.sent.append(message)
        self.changes.setdefault(message["op"], Change(message["op"], message))
        await self.transmit(message)

    async def handle(self, message: dict[str, Any]) -> None:
        kind, op = message["type"], message.get("op")
        if kind == "welcome":
            self.me, self.welcomed = message["participant"], message["seq"]
            if message["seq"] != self.seq:
                await self.ask_since()
            for command in list(self.outbox.values()):
                await self.transmit(command)
            return
        if kind == "patch":
            fresh = message["seq"] > self.seq and message["seq"] not in self.ahead
            skips = fresh and message["seq"] != self.seq + 1
            if fresh and message["by"] == self.me and op in self.outbox:
                self.changes[op].confirmed_by = "patch"
            await super().handle(message)
            if skips:  # as the page: (re)start the wait for the gap to close
                if self.gap_timer is not None:
                    self.gap_timer.cancel()
                self.gap_timer = asyncio.create_task(self.fill_gap())
            self.watch_gap()
            return
        if kind == "ack" and op in self.outbox:
            self.changes[op].confirmed_by = "ack"
        elif kind in {"error", "conflict"} and op in self.outbox:
            change = self.changes[op]
            change.refusals.append(message.get("code", kind))
            change.said.append(message.get("message", ""))
            if message.get("code") == "failed" and len(change.refusals) <= RETRIES:
                change.retrying = True
                self.later(self.retry(change))
        elif kind == "error":
            self.errors_without_op[message["code"]] += 1
        await super().handle(message)
        self.watch_gap()

    def watch_gap(self) -> None:
        """How long patches beyond a gap waited for it to close: the longest is reported."""
        now = time.monotonic()
        if self.ahead and self.gap_since is None:
            self.gap_since = now
        elif not self.ahead and self.gap_since is not None:
            self.gaps.append((self.gap_since, now - self.gap_since))
            self.gap_since = None

    async def retry(self, change: Change) -> None:
        await asyncio.sleep(RETRY_WAIT)
        change.retrying = False
        if not change.confirmed_by:
            await self.send(change.command)

    async def fill_gap(self) -> None:
        await asyncio.sleep(GAP_WAIT)
        if self.ahead:
            await self.ask_since()

    async def ask_since(self) -> None:
        self.syncs += 1
        await self.transmit({"type": "sync", "since": self.seq})

    def later(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    @property
    def settled(self) -> bool:
        """Connected and caught up with what the board had then; nothing waits for an answer,
        no gap is open, no retry is coming."""
        caught_up = self.welcomed is not None and self.seq >= self.welcomed
        idle = not self.outbox and not self.ahead and not self.tasks
        return self.connection is not None and caught_up and idle

    # ----- what the person does -----

    async def edit(self, pace: float, seed: int) -> None:
        """Make a change every `pace` seconds or so, connected or not (as the page lets a person
        go on while it reconnects), until stopped."""
        rng = random.Random(seed)
        while not self.stopping:
            await asyncio.sleep(pace * rng.uniform(0.5, 1.5))
            command = self.next_change(rng)
            if command is not None and not self.stopping:
                await self.send(self.command(command))

    def next_change(self, rng: random.Random) -> dict[str, Any] | None:
        pending = {m.get("sticky") for m in self.outbox.values() if m["type"] == "delete"}
        own = [sid for sid in self.mine if sid in self.view and sid not in pending]
        events = [sid for sid in own if self.view[sid][0] == "event" and not self.view[sid][2]]
        roll = rng.random()
        if self.facilitator and roll < 0.2:
            if rng.random() < 0.5:
                return {"type": "board", "title": f"Release path {rng.randrange(1000)}"}
            return {"type": "board", "phase": rng.choice(["brainstorm", "order", "pain"])}
        if roll < 0.35 or not own:
            sticky = str(uuid.uuid4())
            self.mine.append(sticky)
            if events and rng.random() < 0.4:
                kind, place = "pain", {"parked": False, "event": rng.choice(events)}
            elif rng.random() < 0.5:
                kind, place = "event", {"parked": False}
            else:
                kind, place = "question", {"parked": True}
            text = f"{self.name}: {kind} {self.counter}"
            return {"type": "add", "id": sticky, "kind": kind, "text": text, "place": place}
        sticky = rng.choice(own)
        if roll < 0.7:
            return {"type": "update", "sticky": sticky, "text": f"{self.name} wrote {self.counter}"}
        if roll < 0.9 or len(own) < 4:
            if self.view[sticky][0] == "event":
                return {"type": "move", "sticky": sticky, "place": {"parked": rng.random() < 0.3}}
            return {"type": "move", "sticky": sticky, "place": {"parked": True}, "after": None}
        self.mine.remove(sticky)
        return {"type": "delete", "sticky": sticky}
