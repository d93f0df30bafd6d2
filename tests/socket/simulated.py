"""A simulated browser: the same bookkeeping as static/js/board.js (sequence numbers, gaps,
catch-up, resending unconfirmed commands, newest version wins), over a real socket."""

import html
import re
from dataclasses import dataclass, field
from typing import Any

from tests.socket.conftest import Socket

StickyView = tuple[str, str, bool, str | None, str, int]  # kind, text, parked, event, rank, version

STICKY_TAG = re.compile(
    r'<div[^>]*class="sticky kind-[^"]*"[^>]*data-id="(?P<id>[^"]+)"[^>]*data-kind="(?P<kind>\w+)"'
    r'[^>]*data-rank="(?P<rank>[^"]+)"[^>]*data-version="(?P<version>\d+)"'
    r'[^>]*data-event="(?P<event>[^"]*)"[^>]*data-parked="(?P<parked>1?)".*?'
    r'<p class="text">(?P<text>.*?)</p>',
    re.S,
)


def read_sticky_html(markup: str) -> dict[str, StickyView]:
    return {
        m["id"]: (
            m["kind"],
            html.unescape(m["text"]),
            m["parked"] == "1",
            m["event"] or None,
            m["rank"],
            int(m["version"]),
        )
        for m in STICKY_TAG.finditer(markup)
    }


@dataclass
class SimulatedClient:
    name: str
    slug: str
    session_key: str
    socket: Socket | None = None
    seq: int = 0
    ahead: set[int] = field(default_factory=set)
    versions: dict[str, int] = field(default_factory=dict)
    view: dict[str, StickyView] = field(default_factory=dict)
    outbox: dict[str, dict[str, Any]] = field(default_factory=dict)
    sent: list[dict[str, Any]] = field(default_factory=list)
    counter: int = 0

    async def connect(self) -> None:
        self.socket = Socket(self.slug, self.session_key)
        connected, _ = await self.socket.connect()
        assert connected
        await self.pump(until="welcome")

    async def disconnect(self) -> None:
        if self.socket is not None:
            await self.socket.close()
            self.socket = None

    def command(self, message: dict[str, Any]) -> dict[str, Any]:
        self.counter += 1
        return {**message, "op": f"{self.name}-{self.counter}"}

    async def send(self, message: dict[str, Any]) -> None:
        """Keep the command until it is confirmed; send it now if connected."""
        self.outbox[message["op"]] = message
        self.sent.append(message)
        if self.socket is not None:
            await self.socket.send(message)

    async def resend(self, message: dict[str, Any]) -> None:
        if self.socket is not None:
            await self.socket.send(message)

    async def pump(self, until: str | None = None, quiet: float = 0.05) -> None:
        """Handle what has arrived; with `until`, wait for a message of that type first."""
        assert self.socket is not None
        if until is not None:
            while True:
                message = await self.socket.receive(timeout=10)
                await self.handle(message)
                if message["type"] == until:
                    break
        while not await self.socket.communicator.receive_nothing(timeout=quiet):
            await self.handle(await self.socket.receive())

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "welcome":
            assert self.socket is not None
            if message["seq"] != self.seq:
                await self.socket.send({"type": "sync", "since": self.seq})
            for command in list(self.outbox.values()):
                await self.socket.send(command)
        elif kind == "patch":
            if message["seq"] <= self.seq or message["seq"] in self.ahead:
                return
            self.apply(message["stickies"])
            if message["seq"] == self.seq + 1:
                self.advance(message["seq"])
            else:
                self.ahead.add(message["seq"])
            self.outbox.pop(message["op"] or "", None)
        elif kind == "catchup":
            self.apply(message["stickies"])
            self.advance(message["seq"])
        elif kind == "snapshot":
            self.view = read_sticky_html(message["html"])
            self.versions = {sticky_id: view[5] for sticky_id, view in self.view.items()}
            self.seq, self.ahead = message["seq"], set()
        elif kind in {"ack", "error"}:
            self.outbox.pop(message.get("op") or "", None)

    def apply(self, states: list[dict[str, Any]]) -> None:
        for state in states:
            if state["version"] <= self.versions.get(state["id"], 0):
                continue
            self.versions[state["id"]] = state["version"]
            if state["deleted"]:
                self.view.pop(state["id"], None)
            else:
                [(sticky_id, view)] = read_sticky_html(state["html"]).items()
                assert sticky_id == state["id"] and view[4] == state["rank"]
                self.view[sticky_id] = view

    def advance(self, seq: int) -> None:
        self.seq = max(self.seq, seq)
        while self.seq + 1 in self.ahead:
            self.seq += 1
            self.ahead.discard(self.seq)
        self.ahead = {held for held in self.ahead if held > self.seq}

    async def gap_check(self) -> None:
        """What the browser does when a gap stays open: ask for what it missed."""
        if self.ahead and self.socket is not None:
            await self.socket.send({"type": "sync", "since": self.seq})
