"""The scenarios, each run against one target (the floor, or p2pboard in one setting).

- `run_load`: (a), (b), (c): participants on boards sending edits on a fixed schedule, through
  worker processes (benchmarks/loadgen.py); latency of every delivery, reach, CPU, memory.
- `run_flood`: (k): load (a) with one more participant flooding (benchmarks/flood.py), against
  load (a) without it.
- `run_catch_up`: (e): a participant offline while 500 operations happen, then `sync`.
- `run_idle_memory`: (g): server memory per idle connection.
- `run_browser`: (d): a 2,000-sticky board rendered in Chromium (benchmarks/browser.py).
- `run_in_process`: (o), (p): the insight of a big board and the import of a map file, in a
  process of their own against the setting's database (benchmarks/inprocess.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np

from benchmarks import report
from benchmarks.loadgen import (
    Member,
    Worker,
    keep_worker_logs,
    open_socket,
    sends_in_window,
    ws_url,
)
from benchmarks.servers import (
    PYTHON,
    ROOT,
    App,
    Group,
    Setting,
    log_findings,
    sample,
    stop_process,
    usage,
    wait_idle,
)


@dataclass(frozen=True)
class Load:
    """A load scenario: `boards` boards of `per_board` participants, each editing `rate` times
    a second."""

    key: str
    title: str
    boards: int
    per_board: int
    rate: float


@dataclass(frozen=True)
class Timing:
    warmup: float
    measure: float
    drain: float
    workers: int = 2


@dataclass
class Target:
    """Where the load goes: the floor server, or p2pboard's processes in one setting."""

    name: str  # "floor", "embedded" or "scaleout"
    groups: list[Group]
    # For each board, for each participant: (websocket URL, sessionid, origin).
    sockets: list[list[tuple[str, str | None, str | None]]]
    setting: Setting | None = None


def floor_sockets(floor_url: Any, load: Load) -> list[list[tuple[str, str | None, str | None]]]:
    return [
        [(floor_url(f"{load.key}{board}"), None, None)] * load.per_board
        for board in range(load.boards)
    ]


def p2pboard_sockets(
    boards: list[list[Member]], per_board: int
) -> list[list[tuple[str, str | None, str | None]]]:
    return [
        [(ws_url(m.base, m.slug), m.sessionid, m.base) for m in members[:per_board]]
        for members in boards
    ]


def run_load(
    load: Load,
    target: Target,
    timing: Timing,
    seed: int = 1,
    *,
    tag: str | None = None,
    flood: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Run one load scenario against one target; every figure of it, as a dict. `tag` (letters
    and digits; the load's key by default) starts each participant's op ids: a load run again
    on the same participants needs another, or their first `add` would be taken for a resend.
    With `flood`
    (the flooder's url, sessionid, origin and rate), one more participant floods the board
    from the start of the warm-up to the end of the window (benchmarks/flood.py)."""
    rng = random.Random(seed)
    period = 1 / load.rate
    clients: list[dict[str, Any]] = []
    edits = 0
    expected_total = 0
    for board_number, sockets in enumerate(target.sockets):
        phases = [rng.uniform(0, period) for _ in sockets]
        own = [sends_in_window(p, period, timing.warmup, timing.measure) for p in phases]
        board_edits = sum(own)
        edits += board_edits
        for number, (url, sessionid, origin) in enumerate(sockets):
            expected = board_edits - own[number]
            expected_total += expected
            clients.append(
                {
                    "cid": f"{tag or load.key}b{board_number}m{number}",
                    "url": url,
                    "sessionid": sessionid,
                    "origin": origin,
                    "board": str(board_number),
                    "phase": phases[number],
                    "period": period,
                    "expected": expected,
                    "own": own[number],
                    "kind": "event" if number % 2 == 0 else "pain",
                }
            )
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{load.key}-{target.name}-"))
    workers: list[Worker] = []
    flooder: Worker | None = None
    flooded: dict[str, Any] = {}
    ready_lines: list[str] = []
    offsets = target.setting.log_offsets() if target.setting else []
    try:
        if flood is not None:
            spec = {**flood, "warmup": timing.warmup, "measure": timing.measure}
            flooder = Worker(spec, folder, "flood", module="benchmarks.flood")
        for number in range(timing.workers):
            spec = {
                "target": "floor" if target.name == "floor" else "p2pboard",
                "warmup": timing.warmup,
                "measure": timing.measure,
                "drain": timing.drain,
                "clients": clients[number :: timing.workers],
            }
            workers.append(Worker(spec, folder, number))
        set_up_started = time.monotonic()
        for worker in workers:
            ready_lines.append(worker.expect("ready", timeout=120).strip())
        if flooder is not None:
            flooder.expect("ready", timeout=120)
        set_up_s = time.monotonic() - set_up_started
        settle_s = wait_idle(target.groups, timeout=60)
        generator = Group("generator", [w.pid for w in workers])
        per_worker = [Group(f"worker{n}", [w.pid]) for n, w in enumerate(workers)]
        groups = [*target.groups, generator, *per_worker]
        if flooder is not None:
            groups.append(Group("flooder", [flooder.pid]))

        t0 = time.monotonic_ns() + 300_000_000
        for worker in [*workers, *([flooder] if flooder else [])]:
            worker.start(t0)
        _sleep_until(t0 + int(timing.warmup * 1e9))
        before = sample(groups)
        _sleep_until(t0 + int((timing.warmup + timing.measure) * 1e9))
        after = sample(groups)
        for worker in workers:
            worker.expect("done", timeout=timing.drain + 120)
        results = [worker.results() for worker in workers]
        if flooder is not None:
            flooder.expect("done", timeout=60)
            flooded = json.loads(flooder.out.with_suffix(".json").read_text())
    except BaseException:
        keep_worker_logs(folder, f"{load.key}-{target.name}")
        raise
    finally:
        for worker in [*workers, *([flooder] if flooder else [])]:
            worker.stop()
        shutil.rmtree(folder, ignore_errors=True)

    arrays = {
        name: np.concatenate([data[name] for data, _ in results])
        for name in ("peer_sched", "peer_lat", "self_sched", "self_lat")
    }
    stats = [s for _, s in results]
    window_start = t0 + int(timing.warmup * 1e9)
    spent = usage(before, after)
    received = sum(s["received"] for s in stats)
    assert expected_total == sum(s["expected"] for s in stats)
    frames: Counter[str] = Counter()
    frame_bytes: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    closed: Counter[str] = Counter()
    for s in stats:
        frames.update(s["frames"])
        frame_bytes.update(s["frame_bytes"])
        errors.update(s["errors"])
        closed.update(s["closed"])
    half = window_start + int(timing.measure / 2 * 1e9)
    sched, lat = arrays["peer_sched"], arrays["peer_lat"]
    out: dict[str, Any] = {
        "participants": load.boards * load.per_board,
        "boards": load.boards,
        "rate_per_participant": load.rate,
        "edits_in_window": edits,
        "expected": expected_total,
        "received": received,
        "reach": received / expected_total if expected_total else None,
        "latency_ms": report.latency_summary(lat),
        "self_latency_ms": report.latency_summary(arrays["self_lat"]),
        "own_confirmed": sum(s["own_confirmed"] for s in stats),
        "own_expected": sum(s["own_expected"] for s in stats),
        "first_half_p99_ms": report.percentile_ms(lat[sched < half], 99),
        "second_half_p99_ms": report.percentile_ms(lat[sched >= half], 99),
        "usage": {name: spent[name] for name in spent if not name.startswith("worker")},
        "generator_cpu_pct_per_process": [spent[g.name]["cpu_pct"] for g in per_worker],
        "errors": dict(errors),
        "error_examples": [e for s in stats for e in s["error_examples"]][:5],
        "sockets_closed": dict(closed),
        "send_failures": sum(s["send_failures"] for s in stats),
        "frames": dict(frames),
        "mean_patch_bytes": round(frame_bytes["patch"] / frames["patch"]) if frames["patch"] else 0,
        "set_up_s": round(set_up_s, 2),
        "set_up_workers": ready_lines,
        "connect_s": _slowest(ready_lines, "connected"),
        "add_s": _slowest(ready_lines, "added"),
        "settle_s": round(settle_s, 2),
        "drained_after_s": max(s["drained_after_s"] for s in stats),
        "series": report.series(sched, lat, window_start, timing.measure),
    }
    if flooder is not None:
        # The flooder's changes applied, as every other participant saw them (the flooder
        # misses those whose patch came after the server closed its socket).
        flooded["applied_seen"] = round(frames["flood"] / out["participants"])
        out["flood"] = flooded
    if target.setting is not None:
        out["log"] = target.setting.log_findings(offsets)
    return out


def run_flood(
    load: Load,
    target: Target,
    timing: Timing,
    flooder: Member,
    *,
    rate: float,
    baseline: dict[str, Any] | None,
) -> dict[str, Any]:
    """(k): load (a) while one more participant floods at `rate` frames a second, against
    load (a) without the flood: `baseline`, the (a) just measured in this setting, or, when
    (a) was not run, one measured here first."""
    own_baseline = baseline is None or "failed" in baseline
    if own_baseline:
        baseline = run_load(load, target, timing, tag="kbase")
        wait_idle(target.groups, timeout=60)
    assert baseline is not None
    spec = {"url": ws_url(flooder.base, flooder.slug), "sessionid": flooder.sessionid,
            "origin": flooder.base, "rate": rate}  # fmt: skip
    out = run_load(load, target, timing, tag="k", flood=spec)
    out["baseline"] = {
        "measured": "for (k)" if own_baseline else "(a) of this run",
        "latency_ms": baseline["latency_ms"],
        "reach": baseline["reach"],
        "usage": baseline["usage"],
    }
    return out


def _slowest(lines: list[str], word: str) -> float | None:
    """The slowest worker's time for `word` in its 'ready ... connected in X s, added in Y s'."""
    times = [
        float(m.group(1)) for line in lines if (m := re.search(rf"{word} in ([\d.]+) s", line))
    ]
    return max(times) if times else None


def _sleep_until(deadline_ns: int) -> None:
    delay = (deadline_ns - time.monotonic_ns()) / 1e9
    if delay > 0:
        time.sleep(delay)


# ----- (e) catch-up -----


async def _confirmations(ws: Any, pending: dict[str, asyncio.Future[str]]) -> None:
    async for frame in ws:
        if not frame.startswith('{"type":"patch"') and '"type":"error"' not in frame:
            continue
        message = json.loads(frame)
        future = pending.pop(message.get("op") or "", None)
        if future is None or future.done():
            continue
        if message["type"] == "error":
            future.set_exception(RuntimeError(frame[:300]))
        else:
            future.set_result(message["entities"][0]["id"])


def _keep(stickies: list[str], future: asyncio.Future[str]) -> None:
    if not future.cancelled() and future.exception() is None:
        stickies.append(future.result())


async def _catch_up(
    members: list[Member], seeded: list[str], *, offline: float, operations: int, runs: int
) -> dict[str, Any]:
    rng = random.Random(5)
    absent, makers = members[0], members[1:]
    url = ws_url(absent.base, absent.slug)
    ws = await open_socket(url, sessionid=absent.sessionid, origin=absent.base)
    welcome = json.loads(await ws.recv())
    while welcome.get("type") != "welcome":
        welcome = json.loads(await ws.recv())
    since = int(welcome["seq"])
    await ws.close()
    went_offline = time.monotonic()

    # Other participants change the board meanwhile: half adds, half edits of stickies already
    # there or just added, spread evenly over the offline time.
    sockets = [
        await open_socket(ws_url(m.base, m.slug), sessionid=m.sessionid, origin=m.base)
        for m in makers
    ]
    pending: dict[str, asyncio.Future[str]] = {}
    readers = [asyncio.create_task(_confirmations(s, pending)) for s in sockets]
    stickies = list(seeded)
    confirmations = []
    loop = asyncio.get_running_loop()
    started = time.monotonic()
    for number in range(operations):
        await asyncio.sleep(max(0.0, started + number * offline / operations - time.monotonic()))
        socket = sockets[number % len(sockets)]
        op = f"catchup-{number}"
        command: dict[str, Any]
        if number % 2 == 0 or not stickies:
            kind = ("pain", "event", "question")[number % 3]
            text = f"Added while you were away ({number})"
            command = {
                "type": "add",
                "op": op,
                "kind": kind,
                "text": text,
                "place": {"parked": True},
            }
        else:
            text = f"Edited while you were away ({number})"
            command = {"type": "update", "op": op, "sticky": rng.choice(stickies), "text": text}
        future: asyncio.Future[str] = loop.create_future()
        pending[op] = future
        if command["type"] == "add":
            future.add_done_callback(partial(_keep, stickies))
        confirmations.append(future)
        await socket.send(json.dumps(command))
    await asyncio.wait_for(asyncio.gather(*confirmations), 120)
    for task in readers:
        task.cancel()
    for socket in sockets:
        await socket.close()
    await asyncio.sleep(max(0.0, went_offline + offline - time.monotonic()))
    offline_s = time.monotonic() - went_offline

    measured = []
    for _ in range(runs):
        await asyncio.sleep(0.5)
        begin = time.perf_counter()
        ws = await open_socket(url, sessionid=absent.sessionid, origin=absent.base)
        while True:
            message = json.loads(await ws.recv())
            if message.get("type") == "welcome":
                break
        synced = time.perf_counter()
        await ws.send(json.dumps({"type": "sync", "since": since}))
        while True:
            frame = await ws.recv()
            assert isinstance(frame, str)
            if frame.startswith(('{"type":"catchup"', '{"type":"snapshot"')):
                answer = json.loads(frame)
                break
        done = time.perf_counter()
        await ws.close()
        measured.append(
            {
                "reconnect_to_caught_up_ms": round((done - begin) * 1000, 1),
                "sync_to_caught_up_ms": round((done - synced) * 1000, 1),
                "answer": answer["type"],
                "bytes": len(frame),
                "stickies": len(answer.get("entities", [])),
                "missed": int(answer["seq"]) - since,
            }
        )
    return {
        "median_ms": statistics.median(m["reconnect_to_caught_up_ms"] for m in measured),
        "median_sync_ms": statistics.median(m["sync_to_caught_up_ms"] for m in measured),
        "offline_s": round(offline_s, 1),
        "operations": operations,
        "message_bytes": measured[0]["bytes"],
        "runs": measured,
    }


def run_catch_up(
    members: list[Member], seeded: list[str], setting: Setting, *, offline: float, runs: int
) -> dict[str, Any]:
    offsets = setting.log_offsets()
    out = asyncio.run(_catch_up(members, seeded, offline=offline, operations=500, runs=runs))
    wait_idle(setting.groups(), timeout=30)
    out["log"] = setting.log_findings(offsets)
    return out


# ----- (f) exports -----


def _download(member: Member, path: str) -> tuple[float, int]:
    """One download as a browser makes it: request to the last byte, in ms, and its size."""
    parts = urlsplit(member.base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
    try:
        started = time.perf_counter()
        connection.request("GET", path, headers={"Cookie": f"sessionid={member.sessionid}"})
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        connection.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: HTTP {response.status}")
    return elapsed, len(body)


def run_exports(member: Member, setting: Setting, runs: int) -> dict[str, Any]:
    """Download the map of a seeded board as JSON, PDF, CSV (its actions, for Jira) and
    Markdown, `runs` times each after one warm-up; the median is the figure."""
    offsets = setting.log_offsets()
    out: dict[str, Any] = {}
    for file_type in ("json", "pdf", "csv", "md"):
        path = f"/w/{member.slug}/map.{file_type}"
        _download(member, path)  # warm-up: the first render loads the code and the fonts
        times, size = [], 0
        for _ in range(runs):
            elapsed, size = _download(member, path)
            times.append(elapsed)
        out[file_type] = {
            "times_ms": times,
            "median_ms": statistics.median(times),
            "max_ms": max(times),
            "bytes": size,
            "runs": runs,
        }
    out["log"] = setting.log_findings(offsets)
    return out


def run_suggestions(member: Member, setting: Setting, runs: int) -> dict[str, Any]:
    """The duplicates a board suggests (GET /w/<slug>/duplicates/), `runs` times after one
    warm-up: the board's texts are a few sentences again and again (seed.TEXTS), so each has
    dozens of twins, a worst case for the comparison; the median is the figure."""
    offsets = setting.log_offsets()
    path = f"/w/{member.slug}/duplicates/"
    _download(member, path)
    times, size = [], 0
    for _ in range(runs):
        elapsed, size = _download(member, path)
        times.append(elapsed)
    return {
        "times_ms": times,
        "median_ms": statistics.median(times),
        "max_ms": max(times),
        "bytes": size,
        "runs": runs,
        "log": setting.log_findings(offsets),
    }


# ----- (g) memory per idle connection -----


async def _drain(ws: Any) -> None:
    async for _ in ws:
        pass


async def _open_idle(
    targets: list[tuple[str, str | None, str | None]],
) -> tuple[list[Any], list[asyncio.Task[None]]]:
    gate = asyncio.Semaphore(32)

    async def one(url: str, sessionid: str | None, origin: str | None) -> Any:
        async with gate:
            ws = await open_socket(url, sessionid=sessionid, origin=origin)
            while json.loads(await ws.recv()).get("type") != "welcome":
                pass
            return ws

    sockets = list(await asyncio.gather(*(one(*target) for target in targets)))
    return sockets, [asyncio.create_task(_drain(ws)) for ws in sockets]


async def _close(sockets: list[Any], readers: list[asyncio.Task[None]]) -> None:
    await asyncio.gather(*(ws.close() for ws in sockets))
    for task in readers:
        task.cancel()


def run_idle_memory(members: list[Member], setting: Setting, pause: float) -> dict[str, Any]:
    """Open idle participant sockets and see how the server processes' memory grows.

    The sockets go to fresh server processes of the same setting (as many as it runs, same
    database, same Redis), started for this, so memory that earlier work freed (and the
    allocator kept) does not hide what the sockets take. A few sockets are opened and closed
    first, so first-use allocations are not counted. The sockets are then opened in two halves,
    the resident memory read after each has settled: the figure is the larger of the growth per
    socket over all of them and over the second half alone."""
    fresh = setting.idle_apps or [
        App(setting.env(), setting.folder / f"idle-{n}.log", setting.server).launch()
        for n in range(len(setting.apps))
    ]
    try:
        for app in fresh:
            app.wait_ready()
        groups = [Group("server", [app.pid() for app in fresh]), *setting.groups()[1:]]
        sockets: list[tuple[str, str | None, str | None]] = []
        for number, member in enumerate(members):
            base = fresh[number % len(fresh)].url
            sockets.append((ws_url(base, member.slug), member.sessionid, base))
        found = asyncio.run(_idle(sockets, fresh, groups, pause))
        wait_idle(groups, timeout=60)
        findings = log_findings([app.log for app in fresh], [0] * len(fresh))
    finally:
        for app in fresh:
            app.stop()
    before, middle, after = (sum(k) for k in found["kib"])
    overall = (after - before) / len(members)
    marginal = (after - middle) / (len(members) - found["half"])
    return {
        "connections": len(members),
        "processes": len(fresh),
        "kib_per_connection": round(max(overall, marginal), 1),
        "kib_per_connection_overall": round(overall, 1),
        "kib_per_connection_second_half": round(marginal, 1),
        "rss_mib": [[round(k / 1024, 1) for k in step] for step in found["kib"]],
        "open_s": found["open_s"],
        "log": findings,
    }


async def _idle(
    sockets: list[tuple[str, str | None, str | None]],
    apps: list[App],
    groups: list[Group],
    pause: float,
) -> dict[str, Any]:
    def rss() -> list[int]:
        return [Group("app", [app.pid()]).rss_kib() for app in apps]

    async def settle() -> None:
        await asyncio.to_thread(wait_idle, groups, timeout=60)
        await asyncio.sleep(pause)

    opened, readers = await _open_idle(sockets[:10])
    await _close(opened, readers)
    await settle()
    before = rss()
    started = time.monotonic()
    half = len(sockets) // 2
    first, first_readers = await _open_idle(sockets[:half])
    await settle()
    middle = rss()
    second, second_readers = await _open_idle(sockets[half:])
    opened_s = time.monotonic() - started
    await settle()
    after = rss()
    await _close(first + second, first_readers + second_readers)
    return {"kib": [before, middle, after], "open_s": round(opened_s, 2), "half": half}


# ----- (d) a big board in the browser -----


def run_browser(member: Member, count: int, loads: int, setting: Setting) -> dict[str, Any]:
    offsets = setting.log_offsets()
    # --name=value: a slug or session id may start with "-".
    arguments = {"base": member.base, "slug": member.slug, "sessionid": member.sessionid,
                 "count": count, "loads": loads}  # fmt: skip
    process = subprocess.Popen(
        [PYTHON, "-m", "benchmarks.browser", *(f"--{k}={v}" for k, v in arguments.items())],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # Chromium and all: stopped as one group
    )
    try:
        stdout, stderr = process.communicate(timeout=300)
    finally:
        stop_process(process)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # a Chromium left behind, if any
    if process.returncode != 0:
        raise RuntimeError(f"browser run failed:\n{stderr.decode()[-3000:]}")
    out: dict[str, Any] = json.loads(stdout)
    out["stickies"] = count
    out["log"] = setting.log_findings(offsets)
    return out


# ----- (o), (p) in process -----


def run_in_process(
    setting: Setting,
    *,
    insight: tuple[int, int] | None,
    imports: tuple[int, int] | None,
) -> dict[str, Any]:
    """(o) the insight of a board and (p) the import of a board's export, each given as (the
    seeded board's id, runs), measured by benchmarks/inprocess.py with the setting's own
    database, once its servers are idle: {"o": ..., "p": ...}, as requested."""
    request: dict[str, Any] = {}
    if insight is not None:
        request["insight"] = {"board": insight[0], "runs": insight[1]}
    if imports is not None:
        request["import"] = {"board": imports[0], "runs": imports[1]}
    keys = {"insight": "o", "import": "p"}
    wait_idle(setting.groups(), timeout=30)
    found = setting.run_module("benchmarks.inprocess", request, "the in-process run")
    return {keys[part]: found[part] for part in request}
