"""Scenario (r): the agenda's traffic under load. A load ((a), and (c) in a full run) runs
again and again, alternately without and with the facilitator at work on its first board: a
phase change every couple of seconds and, once or twice a window, a silent brainstorm in
which a few participants write private notes, one after another as people do, then revealed.
The figure is the load's edit-to-peer p99 with the traffic ÷ without, pair by pair.

The facilitator and the writers are on the board in every run, with the traffic and without
(their sockets stay open from the first run to the last), so that what they send is the only
difference. The traffic starts once the facilitator has seen every participant of that board
add the sticky it will edit (an add made during a silent brainstorm would be private, and its
edits would reach nobody), and it stops after the load's window and drain, a silent brainstorm
under way being revealed first. Its ops hold no `-`, so the load workers never take its
patches for edits; they count them apart, as `agenda` frames.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import statistics
import threading
from collections.abc import Coroutine
from dataclasses import asdict, dataclass, field
from typing import Any, TypeVar
from uuid import uuid4

# A module, not its names: benchmarks.report imports this one while agenda is loading.
from benchmarks import agenda
from benchmarks.loadgen import Member
from benchmarks.scenarios import Load, Target, Timing, run_load
from benchmarks.seed import TEXTS
from benchmarks.servers import wait_idle

T = TypeVar("T")
WRITERS = 4  # participants who write the private notes, besides the load's
# The load's p99 with the traffic, at most this many times its p99 without (median of the pairs).
FACTOR = 1.2


@dataclass(frozen=True)
class Pace:
    """How busy the facilitator is while the traffic runs."""

    phase_every: float  # seconds from one phase change to the next
    reveal_every: float  # seconds from one silent brainstorm to the next
    notes: int  # private notes written in each, shared out over the writers


@dataclass
class Sent:
    """What the traffic sent in one run, and how soon the facilitator had each confirmed."""

    phase_ms: list[float] = field(default_factory=list)
    reveal_ms: list[float] = field(default_factory=list)
    notes: int = 0
    reveal_bytes: int = 0  # the reveal's patch as the facilitator got it
    started: bool = False  # the load's adds were seen, so the traffic began

    def summary(self) -> dict[str, Any]:
        return {
            "started": self.started,
            "phase_changes": len(self.phase_ms),
            "reveals": len(self.reveal_ms),
            "notes": self.notes,
            "phase_confirmed_ms": _median(self.phase_ms),
            "reveal_confirmed_ms": _median(self.reveal_ms),
            "reveal_bytes": self.reveal_bytes,
        }


# A full run's: windows shorter than (a)'s own, so that its six runs take about 2 minutes a setting.
TIMING = Timing(warmup=3, measure=10, drain=5)
PACE = Pace(phase_every=2.0, reveal_every=5.0, notes=40)
QUICK_PACE = Pace(phase_every=1.0, reveal_every=2.0, notes=40)  # a reveal each 2-second window


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _ms(change: agenda.Confirmed) -> float:
    return (change.confirmed_ns - change.sent_ns) / 1e6


class AgendaTraffic:
    """The facilitator and the writers of one board, on an event loop of their own thread; the
    traffic runs between `start` and `stop`."""

    def __init__(self, facilitator: Member, writers: list[Member], pace: Pace) -> None:
        self.members = (facilitator, writers)
        self.pace = pace
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.facilitator: agenda.Speaker | None = None
        self.writers: list[agenda.Speaker] = []
        self.tag = uuid4().hex[:6]
        self.runs = 0
        self.busy: concurrent.futures.Future[Sent] | None = None  # the traffic under way
        self.stopping: asyncio.Event | None = None

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def open(self) -> AgendaTraffic:
        self.thread.start()
        facilitator, writers = self.members

        async def connect() -> None:
            self.facilitator = await agenda.Speaker.open(facilitator)
            self.writers = list(await asyncio.gather(*(agenda.Speaker.open(m) for m in writers)))

        self.run(connect())
        return self

    def start(self, adds: str, count: int) -> None:
        """Start the traffic once the facilitator has seen `count` adds whose op starts with
        `adds` (the load's participants on this board, each adding the sticky it edits)."""
        self.runs += 1

        async def arm() -> asyncio.Event:
            assert self.facilitator is not None
            seen: set[str] = set()
            ready = asyncio.Event()

            def heard(op: str) -> None:
                if op.startswith(adds) and op.endswith("-add"):
                    seen.add(op)
                    if len(seen) >= count:
                        ready.set()

            self.facilitator.heard = heard
            self.stopping = asyncio.Event()
            return ready

        ready = self.run(arm())
        self.busy = asyncio.run_coroutine_threadsafe(self._traffic(ready), self.loop)

    def stop(self) -> dict[str, Any]:
        """Stop the traffic (a silent brainstorm under way is revealed first); what it sent."""
        assert self.stopping is not None and self.busy is not None
        self.loop.call_soon_threadsafe(self.stopping.set)
        return self.busy.result(120).summary()

    async def _traffic(self, ready: asyncio.Event) -> Sent:
        assert self.facilitator is not None and self.stopping is not None
        sent = Sent()
        waiting = [asyncio.ensure_future(ready.wait()), asyncio.ensure_future(self.stopping.wait())]
        await asyncio.wait(waiting, timeout=300, return_when=asyncio.FIRST_COMPLETED)
        for task in waiting:
            task.cancel()
        self.facilitator.heard = None
        sent.started = ready.is_set()
        if sent.started:
            await asyncio.gather(self._phases(sent), self._brainstorms(sent))
        return sent

    async def _pause(self, seconds: float) -> None:
        assert self.stopping is not None
        if seconds > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), seconds)

    async def _phases(self, sent: Sent) -> None:
        """A phase change every `phase_every` seconds, back and forth."""
        assert self.facilitator is not None and self.stopping is not None
        loop = asyncio.get_running_loop()
        number = 0
        while not self.stopping.is_set():
            started = loop.time()
            op = f"agenda:phase:{self.tag}:{self.runs}:{number}"
            command = {"type": "board", "op": op, "phase": agenda.PHASES[number % 2]}
            sent.phase_ms.append(_ms(await self.facilitator.change(command)))
            number += 1
            await self._pause(started + self.pace.phase_every - loop.time())

    async def _brainstorms(self, sent: Sent) -> None:
        """Every `reveal_every` seconds (the first after half of that): a silent brainstorm,
        the writers' private notes coming in evenly over half of that time, as people write
        them, and the reveal once the last is confirmed. A brainstorm once begun is revealed,
        even when the traffic is told to stop meanwhile."""
        assert self.facilitator is not None and self.stopping is not None
        loop = asyncio.get_running_loop()
        writing = self.pace.reveal_every / 2
        await self._pause(writing)
        number = 0
        while not self.stopping.is_set():
            started = loop.time()
            op = f"agenda:{{}}:{self.tag}:{self.runs}:{number}"
            silent = {"type": "board", "op": op.format("silent"), "private_brainstorm": True}
            await self.facilitator.change(silent)
            spacing = writing / self.pace.notes
            await asyncio.gather(
                *(self._write(note, op.format(f"note{note}"), note * spacing)
                  for note in range(self.pace.notes))
            )  # fmt: skip
            sent.notes += self.pace.notes
            reveal = await self.facilitator.change({"type": "reveal", "op": op.format("reveal")})
            sent.reveal_ms.append(_ms(reveal))
            sent.reveal_bytes = max(sent.reveal_bytes, len(reveal.frame))
            number += 1
            await self._pause(started + self.pace.reveal_every - loop.time())

    async def _write(self, note: int, op: str, delay: float) -> None:
        """A private note in the parking area, by the writers in turn, after `delay` seconds."""
        await asyncio.sleep(delay)
        command = {
            "type": "add",
            "op": op,
            "kind": agenda.NOTE_KINDS[note % len(agenda.NOTE_KINDS)],
            "text": f"{TEXTS[note % len(TEXTS)]} (private note {note})",
            "place": {"parked": True},
        }
        await self.writers[note % len(self.writers)].change(command)

    def close(self) -> None:
        async def leave() -> None:
            for speaker in [*self.writers, *([self.facilitator] if self.facilitator else [])]:
                await speaker.close()

        if self.thread.is_alive():
            try:
                self.run(leave(), timeout=15)
            finally:
                self.loop.call_soon_threadsafe(self.loop.stop)
                self.thread.join(10)
        if not self.thread.is_alive():
            self.loop.close()


def order(pairs: int) -> list[bool]:
    """Which runs have the traffic: pairs in turn without-with and with-without (ABBA), so that
    a drift through the runs (the board growing, the machine warming) favours neither."""
    return [
        traffic
        for n in range(pairs)
        for traffic in ((False, True) if n % 2 == 0 else (True, False))
    ]


def run_alternating(
    load: Load,
    target: Target,
    timing: Timing,
    *,
    facilitator: Member,
    writers: list[Member],
    pace: Pace,
    pairs: int,
) -> dict[str, Any]:
    """`pairs` pairs of runs of `load` against `target`, one of each pair with the agenda's
    traffic on the load's first board; each pair's p99 with ÷ without, and their median."""
    traffic = AgendaTraffic(facilitator, writers, pace).open()
    runs: list[dict[str, Any]] = []
    try:
        wait_idle(target.groups, timeout=60)
        for number, with_traffic in enumerate(order(pairs)):
            tag = f"r{load.key}{number}"  # a new tag each run: its adds are new
            if with_traffic:
                traffic.start(f"{tag}b0m", len(target.sockets[0]))
            try:
                found = run_load(load, target, timing, seed=number + 1, tag=tag)
            finally:
                sent = traffic.stop() if with_traffic else None
            runs.append(
                {
                    "traffic": with_traffic,
                    "latency_ms": found["latency_ms"],
                    "reach": found["reach"],
                    "usage": found["usage"],
                    "frames": found["frames"],
                    "mean_patch_bytes": found["mean_patch_bytes"],
                    "errors": found["errors"],
                    "sockets_closed": found["sockets_closed"],
                    "log": found.get("log", {}),
                    "sent": sent,
                }
            )
            wait_idle(target.groups, timeout=60)
    finally:
        traffic.close()
    pairs_found = []
    for number in range(pairs):
        plain, busy = sorted(runs[2 * number : 2 * number + 2], key=lambda run: run["traffic"])
        without, with_ = plain["latency_ms"]["p99"], busy["latency_ms"]["p99"]
        ratio = round(with_ / without, 3) if without and with_ else None
        pairs_found.append({"without_ms": without, "with_ms": with_, "ratio": ratio})
    ratios = [pair["ratio"] for pair in pairs_found if pair["ratio"] is not None]
    plain_p99 = [run["latency_ms"]["p99"] for run in runs if not run["traffic"]]
    return {
        "load": load.key,
        "participants": load.boards * load.per_board,
        "timing": {"warmup": timing.warmup, "measure": timing.measure, "drain": timing.drain},
        "pace": {**asdict(pace), "writers": len(writers)},
        "runs": runs,
        "pairs": pairs_found,
        "ratio": round(statistics.median(ratios), 3) if ratios else None,
        # The noise: how far apart the runs without the traffic were, with nothing changed.
        "plain_spread": round(max(plain_p99) / min(plain_p99), 3)
        if plain_p99 and min(plain_p99)
        else None,
        "reach": min((run["reach"] for run in runs if run["reach"] is not None), default=None),
    }


# ----- its checks and its table, for benchmarks/report.py -----


def checks(setting: str, found: dict[str, Any] | None) -> list[dict[str, Any]]:
    """(r): every delivery arrived, with the traffic and without, and the traffic did not
    raise the load's p99 by more than FACTOR (the median of the pairs)."""
    from benchmarks.report import _check

    if found is None:
        return []
    if "failed" in found:
        return [_check("r", setting, "ran", None, "completes", False, found["failed"])]
    out = []
    for key, load in found.items():
        if not isinstance(load, dict) or "runs" not in load:
            continue
        reach = load["reach"]
        shown = f"{100 * (reach or 0):.2f}% (the lowest run)"
        met = reach is not None and reach >= 1.0
        out.append(_check("r", setting, f"({key}) reach", reach, "100%", met, shown))
        idle = [run for run in load["runs"] if run["traffic"] and not run["sent"]["started"]]
        if idle:
            out.append(_check("r", setting, f"({key}) traffic ran", None, "in every run with it",
                              False, f"{len(idle)} run(s) never saw the load's adds"))  # fmt: skip
        ratio = load["ratio"]
        pairs = ", ".join(f"{pair['ratio']:.2f}" for pair in load["pairs"] if pair["ratio"])
        shown = (
            f"{ratio:.2f}× (pairs {pairs}; without the traffic the p99 varied "
            f"{load['plain_spread']:.2f}×)"
            if ratio is not None
            else "–"
        )
        out.append(
            _check(
                "r",
                setting,
                f"({key}) p99 with the traffic ÷ without",
                ratio,
                f"≤ {FACTOR}× (median of the pairs)",
                None if ratio is None else ratio <= FACTOR,
                shown,
            )
        )
    return out


def table(results: dict[str, Any]) -> list[str]:
    """(r): each load's runs without and with the traffic, side by side."""
    from benchmarks.report import _ms, _pct

    rows = [
        (key, setting, load)
        for setting, found in results.get("settings", {}).items()
        for key, load in found.get("scenarios", {}).get("r", {}).items()
        if isinstance(load, dict) and "runs" in load
    ]
    if not rows:
        return []
    lines = [
        "",
        "(r) The agenda's traffic under load: the load's edit-to-peer p99 in runs alternately "
        "without and with the facilitator at work on its first board (phase changes, silent "
        "brainstorms revealed):",
        "",
        "| load | setting | p99 without | p99 with | with ÷ without, each pair | median "
        "| reach | server CPU without → with | other CPU | the traffic, each run with it |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, setting, load in rows:
        plain = [run for run in load["runs"] if not run["traffic"]]
        busy = [run for run in load["runs"] if run["traffic"]]
        sent = [run["sent"] for run in busy]
        pace, ratio, others = load["pace"], load["ratio"], _cpu(load["runs"], "other")
        confirmed = [s["reveal_confirmed_ms"] for s in sent if s["reveal_confirmed_ms"]]
        traffic = (
            f"{'/'.join(str(s['phase_changes']) for s in sent)} phase changes, "
            f"{'/'.join(str(s['reveals']) for s in sent)} reveals of {pace['notes']} notes by "
            f"{pace['writers']} writers (frame "
            f"{max((s['reveal_bytes'] for s in sent), default=0) / 1024:,.0f} KiB, confirmed to "
            f"the facilitator in {_ms(statistics.median(confirmed)) if confirmed else '–'})"
        )
        cells = [
            key,
            setting,
            ", ".join(_ms(run["latency_ms"]["p99"]) for run in plain),
            ", ".join(_ms(run["latency_ms"]["p99"]) for run in busy),
            ", ".join(f"{pair['ratio']:.2f}" for pair in load["pairs"] if pair["ratio"]),
            "–" if ratio is None else f"{ratio:.2f}×",
            _pct(load["reach"]),
            f"{_mean(_cpu(plain, 'server'))} → {_mean(_cpu(busy, 'server'))}",
            f"{min(others):.0f}-{max(others):.0f}%" if others else "–",
            traffic,
        ]
        lines.append(f"| {' | '.join(cells)} |")
    return lines


def _cpu(runs: list[dict[str, Any]], group: str) -> list[float]:
    return [run["usage"][group]["cpu_pct"] for run in runs if group in run["usage"]]


def _mean(used: list[float]) -> str:
    return f"{statistics.mean(used):.0f}%" if used else "–"
