"""A simulated browser: the same bookkeeping as static/js/board.js (sequence numbers, gaps,
catch-up, resending unconfirmed commands, newest version wins for every kind of entity), over a
real socket."""

import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from tests.board_views import ActionView, StickyView, TimingView, WorkView
from tests.socket.conftest import Socket

BoardView = tuple[str, str, bool, bool, int]  # title, phase, private_brainstorm, locked, version

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class BoardReader(HTMLParser):
    """Every sticky of a rendered board or patch, with its place read from where it sits: in a
    lane (under that lane's event), in a parking area, or on the timeline."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[dict[str, str]] = []
        self.stickies: dict[str, StickyView] = {}
        self.reading: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag in VOID:
            return
        self.open.append(found)
        if "sticky" in found.get("class", "").split() and "data-id" in found:
            self.reading = found | {"text": ""}
        elif found.get("class") == "text" and self.reading is not None:
            self.reading["in-text"] = "1"

    def handle_data(self, data: str) -> None:
        if self.reading is not None and self.reading.get("in-text"):
            self.reading["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self.open:
            return
        closed = self.open.pop()
        sticky = self.reading
        if sticky is None:
            return
        if closed.get("class") == "text":
            sticky.pop("in-text", None)
        elif closed.get("data-id") == sticky["data-id"]:
            lanes = [element for element in self.open if "lane" in element.get("class", "").split()]
            self.stickies[sticky["data-id"]] = (
                sticky["data-kind"],
                sticky["text"],
                any("parked" in element.get("class", "").split() for element in self.open),
                lanes[-1]["data-event"] if lanes else None,
                sticky["data-rank"],
                int(sticky["data-version"]),
            )
            self.reading = None


def read_sticky_html(markup: str) -> dict[str, StickyView]:
    reader = BoardReader()
    reader.feed(markup)
    reader.close()
    return reader.stickies


@dataclass
class SimulatedClient:
    name: str
    slug: str
    session_key: str
    socket: Socket | None = None
    seq: int = 0
    ahead: set[int] = field(default_factory=set)
    versions: dict[str, int] = field(default_factory=dict)  # "<entity>:<id>" -> version
    view: dict[str, StickyView] = field(default_factory=dict)
    board: BoardView | None = None
    people: dict[int, str | None] = field(default_factory=dict)  # participant -> ready phase
    timings: dict[str, TimingView] = field(default_factory=dict)
    actions: dict[str, ActionView] = field(default_factory=dict)
    totals: dict[str, int] | None = None  # the vote totals, when this client may see them
    votes: dict[str, int] = field(default_factory=dict)  # its own
    me: int | None = None  # this client's participant id, from `welcome`
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

    async def settle(self, timeout: float = 10) -> None:
        """Handle what arrives until every command sent has its answer (a first change in a
        process may wait for the server to load its word lists), or `timeout` has passed."""
        deadline = time.monotonic() + timeout
        await self.pump(quiet=0.3)
        while self.outbox and time.monotonic() < deadline:
            await self.pump(quiet=0.2)

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "welcome":
            assert self.socket is not None
            self.me = message["participant"]
            if message["seq"] != self.seq:
                await self.socket.send({"type": "sync", "since": self.seq})
            for command in list(self.outbox.values()):
                await self.socket.send(command)
        elif kind == "patch":
            if message["seq"] <= self.seq or message["seq"] in self.ahead:
                return
            self.apply(message["entities"])
            if message["seq"] == self.seq + 1:
                self.advance(message["seq"])
            else:
                self.ahead.add(message["seq"])
            if message["by"] == self.me:  # op ids are the sender's own
                self.outbox.pop(message["op"] or "", None)
        elif kind == "bulk":
            if message["by"] == self.me:
                self.outbox.pop(message["op"] or "", None)
            if message["seq"] > self.seq and self.socket is not None:
                await self.socket.send({"type": "sync", "since": self.seq})
        elif kind == "catchup":
            self.apply(message["entities"])
            self.advance(message["seq"])
        elif kind == "snapshot":
            self.view = read_sticky_html(message["html"])
            self.versions = {f"sticky:{sid}": view[5] for sid, view in self.view.items()}
            self.board = None
            self.apply([message["board"]])
            # The phase work comes whole: what is not in it is gone.
            self.timings, self.actions, self.totals = {}, {}, None
            self.versions = {
                key: version
                for key, version in self.versions.items()
                if key.split(":")[0] not in {"tally", "round", "timing", "action"}
            }
            self.apply(message["work"])
            self.seq, self.ahead = message["seq"], set()
        elif kind in {"ack", "error", "conflict"}:
            self.outbox.pop(message.get("op") or "", None)

    def apply(self, states: list[dict[str, Any]]) -> None:
        """Every kind of entity through one path: the newest version of each wins."""
        for state in states:
            key = f"{state['entity']}:{state['id']}"
            if state["version"] <= self.versions.get(key, 0):
                continue
            self.versions[key] = state["version"]
            if state["entity"] == "board":
                board = (state["title"], state["phase"], state["private_brainstorm"])
                self.board = (*board, state["locked"], state["version"])
            elif state["entity"] == "participant":
                self.people[state["id"]] = state["ready_phase"]
                if state["id"] == self.me:
                    self.votes = state["votes"]
                else:
                    assert "votes" not in state and "pick" not in state, "someone else's ballot"
            elif state["entity"] in ("timing", "action"):
                held = self.timings if state["entity"] == "timing" else self.actions
                if state["deleted"]:
                    held.pop(state["id"], None)
                elif state["entity"] == "timing":
                    self.timings[state["id"]] = (
                        tuple(state["events"]),
                        state["size"],
                        state["estimate"],
                    )
                else:
                    self.actions[state["id"]] = (
                        state["text"], state["owner"], state["owner_participant"], state["due"],
                        state["status"],
                    )  # fmt: skip
            elif state["entity"] == "tally":
                self.totals = state.get("totals")
            elif state["entity"] != "sticky":
                continue  # a kind this client does not know: skipped, as the protocol says
            elif state["deleted"] or not state.get("html"):  # deleted, merged, someone's private
                self.view.pop(state["id"], None)
            else:
                [(sticky_id, (kind, text, _, _, rank, version))] = read_sticky_html(
                    state["html"]
                ).items()
                assert sticky_id == state["id"] and rank == state["rank"]
                place = (state["parked"], state["event"])
                self.view[sticky_id] = (kind, text, *place, rank, version)

    def advance(self, seq: int) -> None:
        self.seq = max(self.seq, seq)
        while self.seq + 1 in self.ahead:
            self.seq += 1
            self.ahead.discard(self.seq)
        self.ahead = {held for held in self.ahead if held > self.seq}

    @property
    def work(self) -> WorkView:
        return WorkView(dict(self.timings), dict(self.actions), self.totals, dict(self.votes))

    async def gap_check(self) -> None:
        """What the browser does when a gap stays open: ask for what it missed."""
        if self.ahead and self.socket is not None:
            await self.socket.send({"type": "sync", "since": self.seq})
