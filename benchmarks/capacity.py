"""Scenario (q), capacity: how many participants a server holds before it falls behind.

Issue 17 calls it (j); (j) was already the merges, so here it is (q). Boards of 20 participants,
each editing its own sticky 0.5 times a second, are added step by step (100 participants, then
200, 400, ...) without dropping the boards already loaded: they stay connected and keep editing.
Each step has a short warm-up and a measured window, timed as in loads (a)-(c): open loop, the
latency of every delivery from its scheduled send, reach = deliveries received / due. The ramp
stops at the first step whose p99 passes 100 ms or whose reach drops below 100%; the knee is
the last step that held.

The participants are shared out over worker processes (`python -m benchmarks.capacity SPEC
OUT`, driven over stdin and stdout like the load workers of benchmarks/loadgen.py, with the same
sockets, senders and reader). A worker connects a step's participants when told (`connect S`),
starts their edits (`go S T0 FROM TO`: the step's start and measured window), and, after the
window, waits for what is due to it and writes the step's deliveries (`report S ...`). The
generator shares the two cores with the server, so it is kept lean: a delivery is recorded as
its frame is parsed (`Receiver`), not handed to a reader task first. It also notes how late its
own event loop wakes up: a generator that falls behind adds its own delay to every figure, so
that lag is reported beside its CPU.

`benchmarks/run.py` seeds the boards and joins the participants through the real join flow
before anything is measured (`plan`, `join`), and runs the ramp (`run_ramp`) against the floor
and each setting; `checks`, `table` and `plot` are for benchmarks/report.py.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from websockets.asyncio.client import ClientConnection
from websockets.frames import Frame, Opcode

from benchmarks.loadgen import (
    PATCH_HEAD,
    Client,
    Member,
    Recorder,
    Worker,
    add_own_sticky,
    connect_one,
    join_many,
    keep_worker_logs,
    send_on_schedule,
)
from benchmarks.servers import Group, Setting, sample, usage

if TYPE_CHECKING:
    from benchmarks.scenarios import Target

PER_BOARD = 20
RATE = 0.5  # edits a second per participant
LIMIT_MS = 100.0  # a step holds while its p99 stays at or under this, with every delivery made
GOAL = 1500  # participants scale-out should hold (issue 17)
# A worker process above this share of a core sets the pace itself: the generator, not the
# server, is then the limit.
GENERATOR_BUSY_PCT = 85.0
SERVER_BUSY_PCT = 90.0  # a server process this busy is at its limit (one interpreter, one core)
BOTH_CORES_PCT = 185.0  # the whole machine (two cores: 200%) busy
LAG_EVERY_S = 0.01  # how often a worker checks its own event loop's lag


@dataclass(frozen=True)
class Ramp:
    steps: tuple[int, ...]  # participants at each step
    warmup: float  # seconds after a step's boards start editing, before its window
    measure: float  # seconds measured
    drain: float  # seconds after the window to wait for late deliveries
    workers: int = 2

    @property
    def boards(self) -> int:
        return self.steps[-1] // PER_BOARD


RAMPS = {
    "full": Ramp((100, 200, 400, 600, 800, 1000, 1250, 1500, 2000, 2500), 2, 5, 3),
    "quick": Ramp((100, 400, 800), 1, 2, 2),
}


def raise_open_files() -> None:
    """Allow this process (and what it starts from now on) as many open files as the system
    lets it: thousands of sockets pass the usual soft limit of 1,024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


# ----- set-up (run.py, untimed) -----


def plan(mode: str) -> list[dict[str, Any]]:
    """The boards (q) needs seeded: enough 20-person boards for the top of the ramp."""
    return [{"key": f"q{n}"} for n in range(RAMPS[mode].boards)]


def join(
    setting: Setting, boards: dict[str, Any], mode: str
) -> tuple[dict[str, list[Member]], dict[str, Any]]:
    """Join every board's 20 participants through the real join flow, spread over the setting's
    processes; the members of each board, and how long it took."""
    keys = [f"q{n}" for n in range(RAMPS[mode].boards)]
    started = time.monotonic()
    joined = join_many(
        [app.url for app in setting.apps],
        [(boards[key]["slug"], boards[key]["token"], PER_BOARD) for key in keys],
    )
    took = {"participants": len(keys) * PER_BOARD, "seconds": round(time.monotonic() - started, 1)}
    return {key: joined[boards[key]["slug"]] for key in keys}, took


# ----- the ramp (the parent's side) -----


def sends_between(first: int, period: int, start: int, end: int) -> int:
    """How many of the sends first + k × period (k ≥ 0) fall in [start, end), in ns."""
    low = max(0, -((first - start) // period))
    high = max(0, -((first - end) // period))
    return high - low


def run_ramp(target: Target, ramp: Ramp) -> dict[str, Any]:
    """Scenario (q) against one target (the floor, or p2pboard in one setting): step by step
    until the server falls behind; every step's figures and the knee."""
    rng = random.Random(17)
    period = int(1e9 / RATE)
    boards_at = [participants // PER_BOARD for participants in ramp.steps]
    clients: list[dict[str, Any]] = []
    for board, sockets in enumerate(target.sockets[: ramp.boards]):
        step = next(s for s, count in enumerate(boards_at) if board < count)
        for number, (url, sessionid, origin) in enumerate(sockets[:PER_BOARD]):
            clients.append(
                {"cid": f"qb{board}m{number}", "url": url, "sessionid": sessionid,
                 "origin": origin, "board": board, "step": step,
                 "phase_ns": int(rng.uniform(0, period)), "period_ns": period,
                 "kind": "event" if number % 2 == 0 else "pain"}
            )  # fmt: skip
    folder = Path(tempfile.mkdtemp(prefix=f"bench-q-{target.name}-"))
    workers: list[Worker] = []
    offsets = target.setting.log_offsets() if target.setting else []
    started = time.monotonic()
    steps: list[dict[str, Any]] = []
    starts: list[int] = []  # when each step's participants began editing, in ns
    try:
        for number in range(ramp.workers):
            spec = {
                "target": "floor" if target.name == "floor" else "p2pboard",
                "clients": clients[number :: ramp.workers],
            }
            workers.append(Worker(spec, folder, number, module="benchmarks.capacity"))
        server_processes = [Group(f"process {pid}", [pid]) for pid in target.groups[0].roots]
        per_worker = [Group(f"worker{n}", [w.pid]) for n, w in enumerate(workers)]
        groups = [*target.groups, Group("generator", [w.pid for w in workers]), *per_worker]
        for step, participants in enumerate(ramp.steps):
            for worker in workers:
                worker.tell(f"connect {step}")
            try:
                ready = [worker.expect("ready", timeout=300).strip() for worker in workers]
            except RuntimeError as problem:
                steps.append({"participants": participants, "failed": str(problem)[:500]})
                break
            t0 = time.monotonic_ns() + 200_000_000
            starts.append(t0)
            window = (t0 + int(ramp.warmup * 1e9), t0 + int((ramp.warmup + ramp.measure) * 1e9))
            for worker in workers:
                worker.tell(f"go {step} {t0} {window[0]} {window[1]}")
            _sleep_until(window[0])
            before, before_processes = sample(groups), sample(server_processes)
            _sleep_until(window[1])
            after, after_processes = sample(groups), sample(server_processes)
            due = _due(clients, starts, window, ramp.workers)
            deadline = window[1] + int(ramp.drain * 1e9)
            for worker, (expected, own) in zip(workers, due, strict=True):
                worker.tell(f"report {step} {deadline} {expected} {own}")
            for worker in workers:
                worker.expect("reported", timeout=ramp.drain + 60)
            found = _step(
                participants,
                [_results(worker, step) for worker in workers],
                usage(before, after),
                usage(before_processes, after_processes),
                ramp,
                due,
            )
            found["set_up"] = ready
            steps.append(found)
            if not found["held"]:
                break
        for worker in workers:
            worker.tell("stop")
        for worker in workers:
            worker.expect("done", timeout=60)
    except BaseException:
        keep_worker_logs(folder, f"q-{target.name}")
        raise
    finally:
        for worker in workers:
            worker.stop()
        shutil.rmtree(folder, ignore_errors=True)
    out = _knee(steps, ramp)
    out["ramp"] = asdict(ramp)
    out["ramp_s"] = round(time.monotonic() - started, 1)
    if target.setting is not None:
        out["log"] = target.setting.log_findings(offsets)
    return out


def _sleep_until(deadline_ns: int) -> None:
    delay = (deadline_ns - time.monotonic_ns()) / 1e9
    if delay > 0:
        time.sleep(delay)


def _due(
    clients: list[dict[str, Any]], starts: list[int], window: tuple[int, int], workers: int
) -> list[tuple[int, int]]:
    """For each worker: the deliveries from peers due to its participants for edits scheduled
    in the window, and its participants' own edits in it (each confirmed to its sender)."""
    own = [
        sends_between(starts[c["step"]] + c["phase_ns"], c["period_ns"], *window)
        if c["step"] < len(starts)
        else 0
        for c in clients
    ]
    per_board: Counter[int] = Counter()
    for client, edits in zip(clients, own, strict=True):
        per_board[client["board"]] += edits
    due = [[0, 0] for _ in range(workers)]
    for number, (client, edits) in enumerate(zip(clients, own, strict=True)):
        if client["step"] < len(starts):
            due[number % workers][0] += per_board[client["board"]] - edits
            due[number % workers][1] += edits
    return [(expected, mine) for expected, mine in due]


def _results(worker: Worker, step: int) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    path = worker.out.with_name(f"{worker.out.name}-step{step}")
    with np.load(path.with_suffix(".npz")) as arrays:
        found = {name: arrays[name] for name in arrays.files}
    return found, json.loads(path.with_suffix(".json").read_text())


def _step(
    participants: int,
    results: list[tuple[dict[str, np.ndarray], dict[str, Any]]],
    spent: dict[str, dict[str, float]],
    processes: dict[str, dict[str, float]],
    ramp: Ramp,
    due: list[tuple[int, int]],
) -> dict[str, Any]:
    """One step's figures, from the workers' results and the processes' CPU over the window."""
    from benchmarks.report import latency_summary  # report.py imports this module

    def joined(name: str) -> np.ndarray:
        return np.concatenate([arrays[name] for arrays, _ in results])

    stats = [found for _, found in results]
    expected = sum(e for e, _ in due)
    edits = sum(o for _, o in due)
    received = sum(s["received"] for s in stats)
    reach = received / expected if expected else None
    latency = latency_summary(joined("peer_lat"))
    lag = latency_summary(joined("lag"))
    server_pct = spent["server"]["cpu_pct"] + spent.get("backing", {}).get("cpu_pct", 0.0)
    delivered_edits = received / (PER_BOARD - 1)
    cpu_s = server_pct / 100 * ramp.measure
    workers = [spent[name]["cpu_pct"] for name in sorted(spent) if name.startswith("worker")]
    busiest_process = max(
        (v["cpu_pct"] for k, v in processes.items() if k not in ("machine", "other")), default=0.0
    )
    machine = spent["machine"]["cpu_pct"]
    held = reach is not None and reach >= 1.0 and (latency["p99"] or 0) <= LIMIT_MS
    errors: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    for s in stats:
        errors.update(s["errors"])
        closed.update(s["closed"])
    return {
        "participants": participants,
        "boards": participants // PER_BOARD,
        "edits_per_s_offered": round(edits / ramp.measure, 1),
        "edits_per_s_delivered": round(delivered_edits / ramp.measure, 1),
        "deliveries_per_s": round(received / ramp.measure),
        "expected": expected,
        "received": received,
        "reach": reach,
        "latency_ms": latency,
        "self_latency_ms": latency_summary(joined("self_lat")),
        "server_cpu_pct": round(server_pct, 1),
        "busiest_server_process_pct": busiest_process,
        "generator_cpu_pct_per_process": workers,
        "generator_lag_ms": lag,
        "usage": spent,
        "cpu_ms_per_edit": round(1000 * cpu_s / delivered_edits, 3) if delivered_edits else None,
        "cpu_us_per_delivery": round(1e6 * cpu_s / received, 1) if received else None,
        "bound": _bound(workers, busiest_process, machine, spent["other"]["cpu_pct"]),
        "errors": dict(errors),
        "sockets_closed": dict(closed),
        "send_failures": sum(s["send_failures"] for s in stats),
        "held": held,
    }


def _bound(workers: list[float], busiest_process: float, machine: float, other: float) -> str:
    """What was saturated over the window, if anything: a generator process, a server process,
    or both cores (the generator and the server share them, and so do other processes: their
    share is said when it is large)."""
    if max(workers, default=0.0) >= GENERATOR_BUSY_PCT:
        return "generator"
    if busiest_process >= SERVER_BUSY_PCT:
        return "server process"
    if machine >= BOTH_CORES_PCT:
        return "both cores" + (f" ({other:.0f}% other processes)" if other >= 25 else "")
    return "none"


def _knee(steps: list[dict[str, Any]], ramp: Ramp) -> dict[str, Any]:
    """The knee: the last step that held (every step before it held too)."""
    held = [step for step in steps if step.get("held")]
    knee = held[-1] if held else None
    past = next((step for step in steps if not step.get("held")), None)
    return {
        "steps": steps,
        "knee": None if knee is None else knee["participants"],
        "knee_edits_per_s": None if knee is None else knee["edits_per_s_delivered"],
        "knee_cpu_ms_per_edit": None if knee is None else knee["cpu_ms_per_edit"],
        "beyond_top": past is None,  # every step held: the knee is above the ramp's top
        "past_knee": past,
        "generator_bound": any(step.get("bound") == "generator" for step in steps),
        "top": ramp.steps[-1],
    }


# ----- the worker process -----

# PATCH_HEAD of benchmarks/loadgen.py, on the frame's bytes: no decoding either.
PATCH_HEAD_BYTES = re.compile(PATCH_HEAD.pattern.encode())


class Receiver(ClientConnection):
    """A participant's socket that records the load's patches as they are parsed, instead of
    queueing each frame for a reader task to take: per delivery, that hop cost the generator
    more than the parsing. Other frames (welcome, presence, the confirmation of the first add,
    errors) go the usual way, to benchmarks/loadgen.py's reader."""

    cid = b""
    recorder: Recorder | None = None

    def listen(self, client: Client, recorder: Recorder) -> None:
        """From now on, record the load's patches as they are parsed."""
        self.cid, self.recorder = client.cid.encode(), recorder

    def process_event(self, event: Any) -> None:
        if (
            self.recorder is not None
            and isinstance(event, Frame)
            and event.opcode is Opcode.TEXT
            and event.fin
            and self._record(event.data)
        ):
            return
        super().process_event(event)

    def _record(self, frame: bytes | bytearray | memoryview) -> bool:
        """Note a patch of one of the load's edits; False for any other frame."""
        now = time.monotonic_ns()
        head = PATCH_HEAD_BYTES.match(frame)
        if head is None or head.group(2) is None:
            return False
        parts = head.group(2).split(b"-")
        if len(parts) != 3:
            return False
        recorder = self.recorder
        assert recorder is not None
        recorder.frames["patch"] += 1
        recorder.note(int(parts[2]), now, own=parts[0] == self.cid)
        return True


async def _watch_lag(lags: list[int], window: list[int]) -> None:
    """Note, for the measured window, how late the event loop wakes from a short sleep."""
    every = int(LAG_EVERY_S * 1e9)
    while True:
        planned = time.monotonic_ns() + every
        await asyncio.sleep(LAG_EVERY_S)
        if window[0] <= planned < window[1]:
            lags.append(time.monotonic_ns() - planned)


async def work(spec: dict[str, Any], out: Path) -> None:
    raise_open_files()
    p2pboard = spec["target"] == "p2pboard"
    clients: list[tuple[int, Client]] = [
        (
            c["step"],
            Client(
                cid=c["cid"], url=c["url"], sessionid=c["sessionid"], origin=c["origin"],
                board=str(c["board"]), phase_ns=c["phase_ns"], period_ns=c["period_ns"],
                expected=0, own=0, kind=c["kind"],
            ),
        )
        for c in spec["clients"]
    ]  # fmt: skip
    recorder = Recorder()
    gate = asyncio.Semaphore(32)
    loop = asyncio.get_running_loop()
    readers: list[asyncio.Task[None]] = []
    senders: list[asyncio.Task[None]] = []
    lags: list[int] = []
    lag_window = [2**62, 2**62]
    watcher = asyncio.create_task(_watch_lag(lags, lag_window))
    while True:
        line = (await loop.run_in_executor(None, sys.stdin.readline)).split()
        if not line or line[0] == "stop":
            break
        step = int(line[1])
        mine = [client for at, client in clients if at == step]
        if line[0] == "connect":
            started = time.monotonic()
            readers += await asyncio.gather(
                *(connect_one(c, recorder, gate, p2pboard, Receiver) for c in mine)
            )
            connected_s = time.monotonic() - started
            if p2pboard:
                await asyncio.gather(*(add_own_sticky(c) for c in mine))
            for client in mine:
                assert isinstance(client.ws, Receiver)
                client.ws.listen(client, recorder)
            added = f", added in {time.monotonic() - started - connected_s:.2f} s"
            print(f"ready {len(mine)} connected in {connected_s:.2f} s"
                  f"{added if p2pboard else ''}", flush=True)  # fmt: skip
        elif line[0] == "go":
            start, window = int(line[2]), (int(line[3]), int(line[4]))
            recorder.window = window
            lag_window[:] = window
            senders += [
                asyncio.create_task(send_on_schedule(c, start, 2**62, p2pboard)) for c in mine
            ]
        elif line[0] == "report":
            deadline, expected, own = (int(word) for word in line[2:5])
            while time.monotonic_ns() < deadline:  # until all that is due came, or too late
                if len(recorder.peer_sched) >= expected and len(recorder.self_sched) >= own:
                    break
                await asyncio.sleep(0.05)
            _write_step(out.with_name(f"{out.name}-step{step}"), recorder, lags, clients)
            recorder.window = (2**62, 2**62)
            lag_window[:] = [2**62, 2**62]
            print(f"reported {step}", flush=True)
    for task in [watcher, *senders]:
        task.cancel()
    await asyncio.gather(*(c.ws.close() for _, c in clients if c.ws is not None))
    for task in readers:
        task.cancel()
    print("done", flush=True)


def _write_step(
    path: Path, recorder: Recorder, lags: list[int], clients: list[tuple[int, Client]]
) -> None:
    """The step's deliveries and counts, for the parent; then the recorder starts afresh."""
    sched = np.array(recorder.peer_sched, dtype=np.int64)
    own = np.array(recorder.self_sched, dtype=np.int64)
    np.savez(
        path.with_suffix(".npz"),
        peer_lat=np.array(recorder.peer_recv, dtype=np.int64) - sched,
        self_lat=np.array(recorder.self_recv, dtype=np.int64) - own,
        lag=np.array(lags, dtype=np.int64),
    )
    stats = {
        "received": len(recorder.peer_sched),
        "confirmed": len(recorder.self_sched),
        "errors": dict(recorder.errors),
        "closed": Counter(c.closed for _, c in clients if c.closed),
        "send_failures": sum(c.send_failures for _, c in clients),
        "frames": dict(recorder.frames),
    }
    path.with_suffix(".json").write_text(json.dumps(stats))
    for name in ("peer_sched", "peer_recv", "self_sched", "self_recv"):
        setattr(recorder, name, [])
    recorder.errors.clear()
    lags.clear()


# ----- for benchmarks/report.py -----


def _shown_knee(run: dict[str, Any]) -> str:
    if run["knee"] is None:
        return "none (the first step did not hold)"
    return f"{'≥ ' if run['beyond_top'] else ''}{run['knee']:,} participants"


def checks(setting: str, run: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The target of (q): scale-out holds at least 1,500 participants."""
    from benchmarks.report import _check

    check = partial(_check, "q", setting)
    if run is None:
        return []
    if "failed" in run:
        return [check("ran", None, "completes", False, run["failed"])]
    if setting != "scaleout":
        return []
    knee = run["knee"] or 0
    # The value is not one number: the knee moves in steps, and the quick ramp's steps are not
    # the full one's, so the regression guard (benchmarks/guard.py) leaves it out.
    value = {"participants": run["knee"], "edits_per_s": run["knee_edits_per_s"],
             "cpu_ms_per_edit": run["knee_cpu_ms_per_edit"]}  # fmt: skip
    return [check("knee", value, f"≥ {GOAL:,} participants", knee >= GOAL, _shown_knee(run))]


def _ramps(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    runs = {"floor": results.get("floor", {}).get("q")}
    for setting, found in results.get("settings", {}).items():
        runs[setting] = found.get("scenarios", {}).get("q")
    return {name: run for name, run in runs.items() if run and "failed" not in run}


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def table(results: dict[str, Any]) -> list[str]:
    """(q): each setting's knee, then every step of its ramp."""
    runs = _ramps(results)
    if not runs:
        return []
    lines = [
        "",
        f"(q) capacity: 20-person boards added step by step, each participant editing "
        f"{RATE:g} times a second, until p99 > {LIMIT_MS:.0f} ms or reach < 100%. The knee "
        "is the last step that held; CPU is the server's (with PostgreSQL and Redis) per edit "
        "delivered to everyone on its board:",
        "",
        "| setting | knee | edits/s at the knee | CPU per delivered edit | past the knee "
        "| saturated there | ramp |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, run in runs.items():
        past = run["past_knee"]
        if past is None:
            why = "– (every step held)"
            bound = "–"
        elif "failed" in past:
            why = f"{past['participants']:,}: failed to connect"
            bound = "–"
        else:
            reasons = []
            if (past["latency_ms"]["p99"] or 0) > LIMIT_MS:
                reasons.append(f"p99 {_ms(past['latency_ms']['p99'])}")
            if (past["reach"] or 0) < 1:
                reasons.append(f"reach {100 * (past['reach'] or 0):.2f}%")
            why = f"{past['participants']:,}: {', '.join(reasons)}"
            bound = past["bound"]
        cpu = run["knee_cpu_ms_per_edit"]
        lines.append(
            f"| {name} | {_shown_knee(run)} | "
            f"{'–' if run['knee_edits_per_s'] is None else f'{run["knee_edits_per_s"]:,.0f}'} "
            f"| {'–' if cpu is None else f'{cpu:.2f} ms'} | {why} | {bound} "
            f"| {run['ramp_s']:.0f} s |"
        )
    lines += [
        "",
        "| setting | participants | edits/s offered → delivered | deliveries/s | p50 | p99 "
        "| reach | server CPU | busiest server process | generator CPU (each) "
        "| generator loop lag p99 | other CPU | CPU per edit | held |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, run in runs.items():
        for step in run["steps"]:
            if "failed" in step:
                lines.append(f"| {name} | {step['participants']:,} | failed to connect |"
                             + " |" * 11)  # fmt: skip
                continue
            workers = " + ".join(f"{pct:.0f}" for pct in step["generator_cpu_pct_per_process"])
            generator = step["usage"].get("generator", {}).get("cpu_pct", 0)
            per_edit = step["cpu_ms_per_edit"]
            lines.append(
                f"| {name} | {step['participants']:,} | {step['edits_per_s_offered']:,.0f} → "
                f"{step['edits_per_s_delivered']:,.0f} | {step['deliveries_per_s']:,} "
                f"| {_ms(step['latency_ms']['p50'])} | {_ms(step['latency_ms']['p99'])} "
                f"| {100 * (step['reach'] or 0):.2f}% | {step['server_cpu_pct']:.0f}% "
                f"| {step['busiest_server_process_pct']:.0f}% | {generator:.0f}% ({workers}) "
                f"| {_ms(step['generator_lag_ms']['p99'])} "
                f"| {step['usage']['other']['cpu_pct']:.0f}% "
                f"| {'–' if per_edit is None else f'{per_edit:.2f} ms'} "
                f"| {'yes' if step['held'] else 'no'} |"
            )
    generator_bound = [name for name, run in runs.items() if run["generator_bound"]]
    lines += [
        "",
        "Server CPU is % of one core (2 cores = 200%), PostgreSQL and Redis included; the "
        "generator's loop lag is how late its event loop woke from a 10 ms sleep (time it "
        "adds to every latency); other CPU is what the rest of the machine used (should be "
        "near 0). "
        + (
            f"Generator-bound: a generator process was above {GENERATOR_BUSY_PCT:.0f}% of a "
            f"core in {', '.join(generator_bound)}: there the generator, not the server, set "
            "the pace."
            if generator_bound
            else f"No generator process reached {GENERATOR_BUSY_PCT:.0f}% of a core."
        ),
    ]
    joins = [
        f"{setting} {found['join_q']['participants']:,} in {found['join_q']['seconds']:.0f} s"
        for setting, found in results.get("settings", {}).items()
        if "join_q" in found
    ]
    if joins:
        lines += ["", f"(q)'s participants joined over HTTP (untimed set-up): {', '.join(joins)}."]
    return lines


def plot(results: dict[str, Any], folder: Path, colours: dict[str, str], plt: Any) -> Path | None:
    """latency-q.png: p99 and CPU against participants, a line per setting, the 100 ms line."""
    from matplotlib.ticker import FuncFormatter

    runs = _ramps(results)
    if not runs:
        return None
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    for name, run in runs.items():
        steps = [step for step in run["steps"] if "failed" not in step]
        people = [step["participants"] for step in steps]
        left.plot(people, [step["latency_ms"]["p99"] for step in steps], marker="o",
                  color=colours[name], label=f"{name} p99")  # fmt: skip
        right.plot(people, [step["server_cpu_pct"] for step in steps], marker="o",
                   color=colours[name], label=f"{name} server")  # fmt: skip
        generator = [step["usage"].get("generator", {}).get("cpu_pct", 0) for step in steps]
        right.plot(people, generator, linestyle=":", color=colours[name],
                   label=f"{name} generator")  # fmt: skip
        if run["knee"]:
            left.axvline(run["knee"], color=colours[name], linestyle="--", linewidth=0.8)
    left.axhline(LIMIT_MS, color="black", linestyle="--", linewidth=1, label=f"{LIMIT_MS:.0f} ms")
    left.set_yscale("log")
    for axis in (left.yaxis.set_major_formatter, left.yaxis.set_minor_formatter):
        axis(FuncFormatter(lambda value, _: f"{value:g}"))  # 300, not 3 × 10²
    left.set_xlabel("participants (20 a board, 0.5 edit/s each)")
    left.set_ylabel("edit-to-peer p99 (ms)")
    left.set_title("p99 through the ramp (dashed: each knee)")
    left.legend(fontsize=8)
    left.grid(True, which="both", alpha=0.3)
    right.axhline(200, color="black", linestyle="--", linewidth=1, label="both cores")
    right.set_xlabel("participants")
    right.set_ylabel("CPU, % of one core")
    right.set_title("server (with PostgreSQL and Redis) and generator CPU")
    right.legend(fontsize=8)
    right.grid(True, alpha=0.3)
    figure.suptitle(f"(q) capacity ({results['mode']} mode, {results['date']})")
    figure.tight_layout()
    path = folder / "latency-q.png"
    figure.savefig(path, dpi=90)
    plt.close(figure)
    return path


if __name__ == "__main__":
    spec_file, out_file = Path(sys.argv[1]), Path(sys.argv[2])
    asyncio.run(work(json.loads(spec_file.read_text()), out_file))
