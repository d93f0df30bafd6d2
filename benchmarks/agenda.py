"""Scenarios (h), (i), (j) and (l): the facilitator's changes reaching everyone on the board.

- (h) `run_phase_changes`: the facilitator moves the board to another phase, again and again;
- (i) `run_reveals`: ten participants write 300 private stickies in a silent brainstorm, then
  the facilitator's `reveal` sends each participant one patch with all of them;
- (j) `run_merges`: the facilitator merges ten duplicates into one sticky, again and again;
- (l) `run_votes`: the facilitator gives a pain point a vote and takes it back, the votes
  hidden (made without a name: participants get the tally without totals, the facilitator
  its own ballot and the totals).

The facilitator (the boards' owner) logs in over HTTP and speaks from this process, on an event
loop of its own thread: each change's send time is taken just before its frame is written, and
its `seq` is read from the patch that confirms it. The participants listen in two worker
processes (`python -m benchmarks.agenda SPEC OUT`, driven over stdin and stdout like the load
workers of benchmarks/loadgen.py), which note when every patch arrives, by its `seq`, on the
same clock (`time.monotonic_ns()`). Latency is arrival − send, for every participant.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

import numpy as np
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from benchmarks import report
from benchmarks.loadgen import PATCH_HEAD, Member, Worker, open_socket, ws_url
from benchmarks.seed import TEXTS
from benchmarks.servers import RESULTS, Setting, wait_idle

T = TypeVar("T")
PHASES = ("brainstorm", "order")  # (h) goes back and forth between these
NOTE_KINDS = ("pain", "question", "system", "person", "check")
PER_WRITER = 30  # (i): private stickies each writer sends at once, under the burst limit (40)
FRAME_TYPE = re.compile(r'\{"type":"(\w+)"')
PATCH_HEAD_BYTES, FRAME_TYPE_BYTES = (
    re.compile(r.pattern.encode()) for r in (PATCH_HEAD, FRAME_TYPE)
)


# ----- a socket that makes changes -----


@dataclass
class Confirmed:
    """A change, sent and confirmed: when it was sent, its seq, when its patch came back."""

    sent_ns: int
    seq: int
    confirmed_ns: int
    frame: str  # the confirming patch, as the sender got it


class Speaker:
    """A participant's socket (the facilitator's, or a writer's) that makes changes and waits
    for the patch that confirms each, known by its `op`."""

    def __init__(self, ws: ClientConnection, participant: int) -> None:
        self.ws, self.participant = ws, participant
        self.pending: dict[str, tuple[asyncio.Future[Confirmed], int]] = {}
        self.heard: Callable[[str], None] | None = None  # told every patch's op ((r))
        self.reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, member: Member) -> Speaker:
        ws = await open_socket(
            ws_url(member.base, member.slug), sessionid=member.sessionid, origin=member.base
        )
        while True:
            frame = await asyncio.wait_for(ws.recv(), 60)
            if isinstance(frame, str) and frame.startswith('{"type":"welcome"'):
                return cls(ws, json.loads(frame)["participant"])

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                now = time.monotonic_ns()
                if not isinstance(frame, str):
                    continue
                if head := PATCH_HEAD.match(frame):
                    if self.heard is not None:
                        self.heard(head.group(2) or "")
                    found = self.pending.pop(head.group(2) or "", None)
                    if found is not None and not found[0].done():
                        found[0].set_result(Confirmed(found[1], int(head.group(1)), now, frame))
                elif frame.startswith(('{"type":"error"', '{"type":"ack"', '{"type":"conflict"')):
                    found = self.pending.pop(json.loads(frame).get("op") or "", None)
                    if found is not None and not found[0].done():
                        found[0].set_exception(RuntimeError(f"change refused: {frame[:300]}"))
        except ConnectionClosed:
            pass
        finally:
            for future, _ in self.pending.values():
                if not future.done():
                    future.set_exception(RuntimeError("the socket closed"))

    async def change(self, command: dict[str, Any], *, timeout: float = 60) -> Confirmed:
        future: asyncio.Future[Confirmed] = asyncio.get_running_loop().create_future()
        frame = json.dumps(command)
        sent = time.monotonic_ns()
        self.pending[command["op"]] = (future, sent)
        await self.ws.send(frame)
        return await asyncio.wait_for(future, timeout)

    async def close(self) -> None:
        await self.ws.close()
        self.reader.cancel()


# ----- the session: listeners in workers, the facilitator here -----


class Session:
    """A board's participants listening (in worker processes) and its facilitator on a socket
    (on an event loop in a thread of this process, which keeps reading it between calls)."""

    def __init__(
        self, facilitator: Member, members: list[Member], setting: Setting, *, workers: int = 2
    ) -> None:
        self.facilitator_member, self.members, self.setting = facilitator, members, setting
        self.folder = Path(tempfile.mkdtemp(prefix="bench-agenda-"))
        self.worker_count = workers
        self.workers: list[Worker] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.speaker: Speaker | None = None
        self.connect_s = 0.0

    @property
    def facilitator(self) -> Speaker:
        assert self.speaker is not None
        return self.speaker

    def open(self) -> Session:
        self.thread.start()
        started = time.monotonic()
        for number in range(self.worker_count):
            clients = [
                [index, ws_url(m.base, m.slug), m.sessionid, m.base]
                for index, m in enumerate(self.members)
                if index % self.worker_count == number
            ]
            spec = {"clients": clients}
            self.workers.append(
                Worker(spec, self.folder, f"listen-{number}", module="benchmarks.agenda")
            )
        for worker in self.workers:
            worker.expect("ready", timeout=120)
        self.speaker = self.run(Speaker.open(self.facilitator_member))
        self.connect_s = round(time.monotonic() - started, 2)
        wait_idle(self.setting.groups(), timeout=60)
        return self

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 600) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def wait_for(self, seq: int, timeout: float) -> int:
        """Wait until every listener has the patch of `seq` (or `timeout` passed); how many
        have not."""
        for worker in self.workers:
            worker.tell(f"wait {seq} {timeout}")
        return sum(
            int(worker.expect("got", timeout=timeout + 30).split()[2]) for worker in self.workers
        )

    def collect(self) -> dict[str, np.ndarray]:
        """The patches the listeners noted since the last collect: seq, arrival, bytes, who."""
        for worker in self.workers:
            worker.tell("dump")
        parts = []
        for worker in self.workers:
            worker.expect("dumped", timeout=60)
            with np.load(worker.out.with_suffix(".npz")) as arrays:
                parts.append({name: arrays[name] for name in arrays.files})
        return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}

    def frames(self) -> dict[str, int]:
        """Frames of each type the listeners got, over the whole session."""
        for worker in self.workers:
            worker.tell("count")
        counts: Counter[str] = Counter()
        for worker in self.workers:
            counts.update(json.loads(worker.expect("counted", timeout=60).split(" ", 1)[1]))
        return dict(counts)

    def close(self, *, failed: bool = False) -> None:
        if self.speaker is not None:
            with contextlib.suppress(Exception):
                self.run(self.speaker.close(), timeout=10)
        for worker in self.workers:
            with contextlib.suppress(Exception):
                worker.tell("stop")
                worker.expect("done", timeout=30)
        if failed:
            keep = RESULTS / "logs"
            keep.mkdir(parents=True, exist_ok=True)
            for log in self.folder.glob("worker-*.log"):
                shutil.copy(log, keep / f"agenda-{self.setting.name}-{log.name}")
        for worker in self.workers:
            worker.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        if not self.thread.is_alive():
            self.loop.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def _deliveries(
    confirmed: list[Confirmed], arrivals: dict[str, np.ndarray], listeners: int
) -> dict[str, Any]:
    """Latency of every delivery of the confirmed changes, and per change when the last
    listener had it and how big its frames were."""
    latencies, changes = [], []
    for change in confirmed:
        found = arrivals["seq"] == change.seq
        got = arrivals["recv"][found] - change.sent_ns
        sizes = arrivals["bytes"][found]
        latencies.append(got)
        changes.append(
            {
                "seq": change.seq,
                "received": int(found.sum()),
                "last_ms": report.percentile_ms(got, 100),
                "median_ms": report.percentile_ms(got, 50),
                "confirmed_ms": round((change.confirmed_ns - change.sent_ns) / 1e6, 2),
                "facilitator_bytes": len(change.frame),
                "bytes": sorted({int(size) for size in sizes}),
            }
        )
    every = np.concatenate(latencies) if latencies else np.array([], dtype=np.int64)
    expected = len(confirmed) * listeners
    own = np.array([c.confirmed_ns - c.sent_ns for c in confirmed], dtype=np.int64)
    return {
        "listeners": listeners,
        "expected": expected,
        "received": int(every.size),
        "reach": every.size / expected if expected else None,
        "latency_ms": report.latency_summary(every),
        "deliveries_ms": [round(float(x) / 1e6, 2) for x in every],
        "facilitator_confirmed_ms": report.latency_summary(own),
        "changes": changes,
    }


# ----- (h) phase changes -----


def run_phase_changes(session: Session, *, changes: int, spacing: float) -> dict[str, Any]:
    """The facilitator moves the board to another phase `changes` times, one every `spacing`
    seconds; each patch's arrival at every participant is timed from its send."""
    setting = session.setting
    offsets = setting.log_offsets()
    session.collect()  # what came before (people connecting) does not count
    tag = uuid4().hex[:6]

    async def change_phases() -> list[Confirmed]:
        confirmed = []
        loop = asyncio.get_running_loop()
        for number in range(changes):
            started = loop.time()
            command = {"type": "board", "op": f"phase-{tag}-{number}", "phase": PHASES[number % 2]}
            confirmed.append(await session.facilitator.change(command))
            await asyncio.sleep(max(0.0, started + spacing - loop.time()))
        return confirmed

    confirmed = session.run(change_phases())
    missing = session.wait_for(confirmed[-1].seq, timeout=10)
    out = _deliveries(confirmed, session.collect(), len(session.members))
    sizes = [size for change in out["changes"] for size in change["bytes"]]
    out |= {
        "phase_changes": changes,
        "spacing_s": spacing,
        "missing_at_end": missing,
        "patch_bytes": [min(sizes), max(sizes)] if sizes else None,
        "last_participant_ms": _spread([c["last_ms"] for c in out["changes"]]),
        "connect_s": session.connect_s,
        "log": setting.log_findings(offsets),
    }
    return out


def _spread(values: list[float | None]) -> dict[str, float] | None:
    found = [v for v in values if v is not None]
    if not found:
        return None
    return {"median": float(np.median(found)), "max": max(found)}


# ----- (i) a silent brainstorm revealed -----


async def _write_privately(
    members: list[Member], *, round_number: int, stickies: int, tag: str
) -> float:
    """Participants (ten or more, a different few each round) add `stickies` private notes to
    the parking area; seconds until all were confirmed."""
    writers = max(10, math.ceil(stickies / PER_WRITER))
    chosen = [members[(round_number * writers + k) % len(members)] for k in range(writers)]
    speakers = list(await asyncio.gather(*(Speaker.open(member) for member in chosen)))
    started = time.monotonic()
    try:
        await asyncio.gather(
            *(
                speakers[number % writers].change(
                    {
                        "type": "add",
                        "op": f"private-{tag}-{number}",
                        "kind": NOTE_KINDS[number % len(NOTE_KINDS)],
                        "text": f"{TEXTS[number % len(TEXTS)]} (round {round_number}, {number})",
                        "place": {"parked": True},
                    }
                )
                for number in range(stickies)
            )
        )
    finally:
        await asyncio.gather(*(speaker.close() for speaker in speakers))
    return time.monotonic() - started


def run_reveals(session: Session, *, reveals: int, stickies: int) -> dict[str, Any]:
    """`reveals` times: the facilitator starts a silent brainstorm, participants write
    `stickies` private notes, everything settles, and the facilitator reveals them; timed from
    the reveal's send until each participant has its patch."""
    setting = session.setting
    offsets = setting.log_offsets()
    server = setting.groups()[0]
    confirmed: list[Confirmed] = []
    rounds = []
    arrivals: list[dict[str, np.ndarray]] = []
    for number in range(reveals):
        tag = uuid4().hex[:6]
        silent = {"type": "board", "op": f"silent-{tag}", "private_brainstorm": True}
        session.run(session.facilitator.change(silent))
        written_s = session.run(
            _write_privately(session.members, round_number=number, stickies=stickies, tag=tag)
        )
        wait_idle(setting.groups(), timeout=60)
        session.collect()  # the brainstorm's own patches do not count
        cpu = server.cpu()
        reveal = session.run(
            session.facilitator.change({"type": "reveal", "op": f"reveal-{tag}"}, timeout=120)
        )
        missing = session.wait_for(reveal.seq, timeout=60)
        cpu = server.cpu() - cpu
        arrivals.append(session.collect())
        confirmed.append(reveal)
        entities = json.loads(reveal.frame)["entities"]
        rounds.append(
            {
                "written_s": round(written_s, 2),
                "revealed": sum(1 for e in entities if e.get("entity") == "sticky"),
                "missing": missing,
                # The server's CPU from the reveal's send until every participant had it.
                "server_cpu_ms": round(cpu * 1000),
            }
        )
        wait_idle(setting.groups(), timeout=60)
    joined = {name: np.concatenate([a[name] for a in arrivals]) for name in arrivals[0]}
    out = _deliveries(confirmed, joined, len(session.members))
    sizes = [size for change in out["changes"] for size in change["bytes"]]
    out |= {
        "reveals": reveals,
        "stickies": stickies,
        "rounds": rounds,
        "participant_bytes": [min(sizes), max(sizes)] if sizes else None,
        "facilitator_bytes": max(len(c.frame) for c in confirmed),
        "last_participant_ms": _spread([c["last_ms"] for c in out["changes"]]),
        "log": setting.log_findings(offsets),
    }
    return out


# ----- (j) merges and (l) votes -----


def _timed_changes(session: Session, commands: list[dict[str, Any]]) -> list[Confirmed]:
    """Send each command in turn from the facilitator, waiting until everyone has one before
    the next goes, so that each is timed on its own."""
    confirmed = []
    for command in commands:
        confirmed.append(session.run(session.facilitator.change(command, timeout=60)))
        session.wait_for(confirmed[-1].seq, timeout=30)
    return confirmed


def _add_events(session: Session, count: int, tag: str) -> list[str]:
    """`count` new events at the end of the timeline, by the facilitator; their ids."""
    ids = [str(uuid4()) for _ in range(count)]
    for number, sticky in enumerate(ids):
        command = {
            "type": "add", "op": f"add-{tag}-{number}", "kind": "event", "id": sticky,
            "text": f"{TEXTS[number % len(TEXTS)]} ({tag} {number})", "place": {"parked": False},
        }  # fmt: skip
        session.run(session.facilitator.change(command))
    return ids


def run_merges(session: Session, *, merges: int, size: int) -> dict[str, Any]:
    """`merges` times: the facilitator adds `size` + 1 events, then merges `size` of them into
    the first; timed from the merge's send until each participant has its patch."""
    setting = session.setting
    offsets = setting.log_offsets()
    confirmed, arrivals = [], []
    for number in range(merges):
        tag = uuid4().hex[:6]
        kept, *others = _add_events(session, size + 1, tag)
        wait_idle(setting.groups(), timeout=30)
        session.collect()  # the adds do not count
        merge = {"type": "merge", "op": f"merge-{tag}", "sticky": kept, "stickies": others}
        confirmed += _timed_changes(session, [merge])
        arrivals.append(session.collect())
        if number == 0:
            merged = json.loads(confirmed[-1].frame)["entities"]
    joined = {name: np.concatenate([a[name] for a in arrivals]) for name in arrivals[0]}
    out = _deliveries(confirmed, joined, len(session.members))
    sizes = [size for change in out["changes"] for size in change["bytes"]]
    out |= {
        "merges": merges,
        "merged_each": size,
        "entities_per_patch": len(merged),
        "patch_bytes": [min(sizes), max(sizes)] if sizes else None,
        "last_participant_ms": _spread([c["last_ms"] for c in out["changes"]]),
        "log": setting.log_findings(offsets),
    }
    return out


def run_votes(session: Session, *, votes: int) -> dict[str, Any]:
    """The facilitator (a participant too) gives a pain point a vote and takes it back, `votes`
    changes in all, with the votes hidden: votes are made without a name, so participants get
    the tally without totals (and no `by`), the facilitator its own ballot and the totals
    (per-viewer frames)."""
    setting = session.setting
    offsets = setting.log_offsets()
    tag = uuid4().hex[:6]
    (event,) = _add_events(session, 1, tag)
    pain = str(uuid4())
    add = {
        "type": "add", "op": f"pain-{tag}", "kind": "pain", "id": pain,
        "text": "Waiting for the change board", "place": {"parked": False, "event": event},
    }  # fmt: skip
    session.run(session.facilitator.change(add))
    settings = {"type": "board", "op": f"votes-{tag}", "votes_hidden": True, "votes_each": 3}
    session.run(session.facilitator.change(settings))
    wait_idle(setting.groups(), timeout=30)
    session.collect()
    commands = [
        {"type": "vote" if number % 2 == 0 else "unvote", "op": f"vote-{tag}-{number}",
         "sticky": pain}
        for number in range(votes)
    ]  # fmt: skip
    confirmed = _timed_changes(session, commands)
    out = _deliveries(confirmed, session.collect(), len(session.members))
    sizes = [size for change in out["changes"] for size in change["bytes"]]
    out |= {
        "votes": votes,
        "patch_bytes": [min(sizes), max(sizes)] if sizes else None,
        "facilitator_bytes": max(len(c.frame) for c in confirmed),
        "last_participant_ms": _spread([c["last_ms"] for c in out["changes"]]),
        "log": setting.log_findings(offsets),
    }
    return out


# ----- the listening worker process -----


async def listen(spec: dict[str, Any], out: Path) -> None:
    """Connect the participants, then note every patch's arrival until told to stop. Commands
    on stdin: `wait SEQ TIMEOUT` (answers `got SEQ MISSING` once every participant has that
    patch, or the time is up), `dump` (writes what was noted since the last dump to OUT.npz,
    answers `dumped`), `count` (the frames by type so far), `stop`."""
    clients: list[tuple[int, str, str, str]] = [tuple(c) for c in spec["clients"]]
    sockets: list[ClientConnection] = []
    seen: list[set[int]] = [set() for _ in clients]
    noted: dict[str, list[int]] = {"seq": [], "recv": [], "bytes": [], "client": []}
    kinds: Counter[str] = Counter()
    arrived = asyncio.Event()  # set at every patch, for `wait`
    gate = asyncio.Semaphore(32)

    async def read(number: int, index: int, ws: ClientConnection) -> None:
        try:
            while True:
                # Undecoded: the generator shares the machine's two cores with the server, and
                # decoding a reveal's 256 KiB for each of its sockets was a fifth of its work.
                frame = await ws.recv(decode=False)
                now = time.monotonic_ns()
                if head := PATCH_HEAD_BYTES.match(frame):
                    seq = int(head.group(1))
                    seen[number].add(seq)
                    for name, value in (
                        ("seq", seq),
                        ("recv", now),
                        ("bytes", len(frame)),
                        ("client", index),
                    ):
                        noted[name].append(value)
                    kinds["patch"] += 1
                    arrived.set()
                elif kind := FRAME_TYPE_BYTES.match(frame):
                    kinds[kind.group(1).decode()] += 1
        except ConnectionClosed as closed:
            kinds[f"closed {closed.rcvd.code if closed.rcvd else 'without a close frame'}"] += 1

    async def connect(index: int, url: str, sessionid: str, origin: str) -> ClientConnection:
        async with gate:
            ws = await open_socket(url, sessionid=sessionid, origin=origin)
            while True:
                frame = await asyncio.wait_for(ws.recv(), 120)
                if isinstance(frame, str) and frame.startswith('{"type":"welcome"'):
                    return ws

    started = time.monotonic()
    sockets = list(await asyncio.gather(*(connect(*client) for client in clients)))
    readers = [
        asyncio.create_task(read(number, client[0], ws))
        for number, (client, ws) in enumerate(zip(clients, sockets, strict=True))
    ]
    print(f"ready {len(sockets)} connected in {time.monotonic() - started:.2f} s", flush=True)
    loop = asyncio.get_running_loop()
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).split()
        if not line or line[0] == "stop":
            break
        if line[0] == "wait":
            seq, deadline = int(line[1]), time.monotonic() + float(line[2])
            while any(seq not in s for s in seen) and (left := deadline - time.monotonic()) > 0:
                arrived.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(arrived.wait(), left)
            print(f"got {seq} {sum(seq not in s for s in seen)}", flush=True)
        elif line[0] == "dump":
            arrays = {name: np.array(values, dtype=np.int64) for name, values in noted.items()}
            np.savez(
                out.with_suffix(".npz"),
                seq=arrays["seq"],
                recv=arrays["recv"],
                bytes=arrays["bytes"],
                client=arrays["client"],
            )
            for values in noted.values():
                values.clear()
            print("dumped", flush=True)
        elif line[0] == "count":
            print(f"counted {json.dumps(kinds)}", flush=True)
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    for task in readers:
        task.cancel()
    print("done", flush=True)


if __name__ == "__main__":
    spec_file, out_file = Path(sys.argv[1]), Path(sys.argv[2])
    asyncio.run(listen(json.loads(spec_file.read_text()), out_file))
