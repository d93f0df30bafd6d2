"""The benchmark of p2pboard: `make bench` (about 20 minutes) or `make bench-quick` (about 6).

    python -m benchmarks.run [--quick] [--only a,b,...] [--setting embedded,scaleout]

Sets up both settings of p2pboard side by side (untimed: servers started, boards seeded,
participants joined over HTTP): embedded (one Daphne process, SQLite, in-memory fan-out) and
scale-out (PostgreSQL, Redis, two Uvicorn processes). Then, one thing at a time, measures the
floor (a bare `websockets` broadcast server) under loads (a)-(c) (load (a) for (h) and (i) too,
whose targets are relative to it), and every selected scenario against each setting, stopping
its servers when done. Writes
benchmarks/results/latest.json (every figure), latest.md (the table) and latency-*.png, and
copies the server logs to results/logs/. Everything it starts is stopped at the end.
See benchmarks/README.md for what each scenario does and how to read the output.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks import agenda, capacity, report, traffic
from benchmarks.loadgen import Member, join_many, log_in
from benchmarks.memory import QUICK_ROUNDS, ROUNDS, WARM_UP_ROUNDS, run_churn
from benchmarks.scenarios import (
    Load,
    Target,
    Timing,
    floor_sockets,
    p2pboard_sockets,
    run_browser,
    run_catch_up,
    run_exports,
    run_flood,
    run_idle_memory,
    run_in_process,
    run_load,
    run_suggestions,
)
from benchmarks.seed import FACILITATOR
from benchmarks.servers import RESULTS, ROOT, Floor, Group, Setting, wait_idle

LOADS = {
    "a": Load("a", "50 participants × 1 edit/s, one board", boards=1, per_board=50, rate=1.0),
    "b": Load("b", "200 participants × 0.2 edit/s, one board", boards=1, per_board=200, rate=0.2),
    "c": Load("c", "20 boards × 20 participants × 0.5 edit/s", boards=20, per_board=20, rate=0.5),
}
ALL = "abcdefghijklmnopqr"
AGENDA_KEYS = "hijl"  # on one board: its participants listen and its facilitator speaks
# Characters of sticky html in the floor's patches, so that its frames are about as long as
# p2pboard's in these scenarios (~770 bytes; both are reported in the notes).
FLOOR_PAYLOAD = 416


@dataclass(frozen=True)
class Mode:
    name: str
    timing: Timing
    catch_up_offline: float  # seconds offline in (e)
    catch_up_runs: int
    idle_connections: int  # (g)
    browser_loads: int  # (d)
    pause: float  # (g), (m): seconds to wait once the server is idle, before reading its memory
    browser_in: tuple[str, ...] = ("embedded", "scaleout")  # (d): settings it runs in
    big_board: int = 2000  # (d)
    catch_up_board: int = 300  # stickies already on the board in (e)
    export_board: int = 300  # (f)
    suggestion_board: int = 500  # (n)
    export_runs: int = 7  # (f): downloads of each format, after a warm-up
    phase_changes: int = 20  # (h)
    phase_spacing: float = 0.5  # (h): seconds between two phase changes
    reveals: int = 5  # (i): silent brainstorms revealed, each of `reveal_stickies` new stickies
    reveal_stickies: int = 300
    merges: int = 10  # (j): merges, each of `merged_each` stickies into one
    merged_each: int = 10
    votes: int = 40  # (l): votes given and taken back
    flood_rate: float = 200.0  # (k): frames a second the flooder sends
    churn_rounds: int = ROUNDS  # (m): rounds of 200 sockets measured after the warm-up
    churn_warm_up: int = WARM_UP_ROUNDS  # (m): rounds before the baseline is read
    insight_board: int = 2000  # (o)
    insight_runs: int = 30  # (o): insight_of and map_of each, after a warm-up
    import_board: int = 300  # (p): stickies on the board whose export is imported
    import_runs: int = 5  # (p): imports after a warm-up
    # (r): the loads run without and with the agenda's traffic, and each one's pairs of runs
    traffic_pairs: tuple[tuple[str, int], ...] = (("a", 2), ("c", 1))
    traffic_timing: Timing = traffic.TIMING  # (r): each run's
    traffic_pace: traffic.Pace = traffic.PACE  # (r): phase changes, brainstorms and notes


FULL = Mode("full", Timing(warmup=5, measure=20, drain=5), 60, 5, 300, 11, 1.5)
# Quick: short windows, fewer runs; (d) in the embedded setting only (the same page either way),
# to stay around 6 minutes.
QUICK = Mode(
    "quick",
    Timing(warmup=1, measure=2, drain=2),
    2,
    1,
    200,
    2,
    0.5,
    ("embedded",),
    export_runs=2,
    phase_changes=10,
    phase_spacing=0.2,
    reveals=1,
    merges=3,
    votes=10,
    churn_rounds=QUICK_ROUNDS,
    churn_warm_up=1,
    insight_runs=5,
    import_runs=2,
    traffic_pairs=(("a", 2),),
    traffic_timing=Timing(warmup=1, measure=2, drain=2),
    traffic_pace=traffic.QUICK_PACE,
)
AGENDA_PARTICIPANTS = 50  # (h), (i): the participants listening on the board


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def machine() -> dict[str, Any]:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kib / 2**20, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "hostname": platform.node(),
    }


def code_version() -> dict[str, Any]:
    """The commit measured, and whether the product's files differed from it."""

    def git(*args: str) -> str:
        found = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        )
        return found.stdout.strip() if found.returncode == 0 else ""

    changed = [
        line[3:]
        for line in git("status", "--porcelain").splitlines()
        if line[3:].startswith(("workshops/", "p2pboard/", "templates/", "static/"))
    ]
    return {"commit": git("rev-parse", "--short", "HEAD") or "unknown", "uncommitted": changed}


def attempt(name: str, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run one scenario; a failure is recorded as its result and the run goes on."""
    started = time.monotonic()
    try:
        out = work()
    except Exception as problem:
        traceback.print_exc()
        say(f"{name}: FAILED: {problem}")
        return {"failed": f"{type(problem).__name__}: {problem}"[:500]}
    out["wall_s"] = round(time.monotonic() - started, 1)
    say(f"{name}: done in {out['wall_s']:.0f} s")
    return out


def run_floor(only: str, mode: Mode, folder: Path) -> dict[str, Any]:
    """The floor under the selected loads, and under (a) for (h) and (i) as well."""
    wanted = only + ("a" if set(only) & set(AGENDA_KEYS) else "")
    loads = [LOADS[key] for key in "abc" if key in wanted]
    out: dict[str, Any] = {}
    if not loads and "q" not in only:
        return out
    floor = Floor(folder, FLOOR_PAYLOAD).start()
    try:
        for load in loads:
            target = Target(
                "floor", [Group("server", [floor.pid()])], floor_sockets(floor.ws_url, load)
            )
            out[load.key] = attempt(
                f"floor ({load.key})", partial(run_load, load, target, mode.timing)
            )
        if "q" in only:  # the ramp, on as many boards of the floor as p2pboard's
            ramp = capacity.RAMPS[mode.name]
            load = Load("q", "capacity", ramp.boards, capacity.PER_BOARD, capacity.RATE)
            target = Target("floor", [Group("server", [floor.pid()])],
                            floor_sockets(floor.ws_url, load))  # fmt: skip
            out["q"] = attempt("floor (q)", partial(capacity.run_ramp, target, ramp))
    finally:
        floor.stop()
    return out


@dataclass
class Prepared:
    """A setting, started, seeded and joined: what its scenarios need."""

    setting: Setting
    out: dict[str, Any]  # its figures, starting with how long this took
    boards: dict[str, Any] | None = None
    members: dict[str, list[Member]] | None = None
    per_c_board: int = 0
    facilitator: Member | None = None  # the owner, logged in, on board "hi" ((h), (i))


def set_up(setting: Setting, only: str, mode: Mode) -> Prepared:
    """Start a setting's servers, seed its boards through the ORM and join its participants
    through the real join flow. Untimed: the settings are set up side by side, before anything
    is measured. A failure is recorded, not raised."""
    prepared = Prepared(setting, {"scenarios": {}})
    out = prepared.out
    try:
        per_c_board = max(
            20 if "c" in only or ("r" in only and "c" in dict(mode.traffic_pairs)) else 0,
            math.ceil(mode.idle_connections / 20) if "g" in only else 0,
        )
        # (k): the 50 of (a) and one more, the flooder.
        on_ab = max(200 if "b" in only else 0, 51 if "k" in only else 0, 50 if "a" in only else 0)
        if "r" in only:  # (r): the writers of its private notes, after the 51 of (a) and (k)
            on_ab = max(on_ab, 51 + traffic.WRITERS)
        plan: list[dict[str, Any]] = []
        wanted: dict[str, int] = {}
        if on_ab:
            plan.append({"key": "ab"})
            wanted["ab"] = on_ab
        if per_c_board:
            plan += [{"key": f"c{n}"} for n in range(20)]
            wanted |= {f"c{n}": per_c_board for n in range(20)}
            if "r" in only and "c" in dict(mode.traffic_pairs):  # (r)'s writers, on board c0
                wanted["c0"] += traffic.WRITERS
        if "d" in only:
            plan.append({"key": "d", "stickies": mode.big_board})
            wanted["d"] = 1
        if "e" in only:
            plan.append({"key": "e", "stickies": mode.catch_up_board})
            wanted["e"] = 11
        if "f" in only:
            plan.append({"key": "f", "stickies": mode.export_board})
            wanted["f"] = 1
        if "n" in only:
            # The same few texts again and again: every sticky has dozens of twins.
            plan.append({"key": "n", "stickies": mode.suggestion_board, "numbered": False})
            wanted["n"] = 1
        # (o), (p): boards with the phase work done (timings, votes shown, actions), read and
        # imported in process; nobody joins them.
        if "o" in only:
            plan.append({"key": "o", "stickies": mode.insight_board, "phase_work": True})
        if "p" in only:
            plan.append({"key": "p", "stickies": mode.import_board, "phase_work": True})
        if set(only) & set(AGENDA_KEYS):
            plan.append({"key": "hi"})
            wanted["hi"] = AGENDA_PARTICIPANTS
        if "q" in only:  # the capacity ramp's 20-person boards, joined apart below
            plan += capacity.plan(mode.name)
        password = secrets.token_urlsafe(18)
        started = time.monotonic()
        boards = setting.start(
            {"boards": plan, "facilitator_password": password}, idle_apps="g" in only
        )["boards"]
        out["start_and_seed_s"] = round(time.monotonic() - started, 1)
        started = time.monotonic()
        joined = join_many(
            [app.url for app in setting.apps],
            [(boards[key]["slug"], boards[key]["token"], count) for key, count in wanted.items()],
        )
        out["join"] = {
            "participants": sum(wanted.values()),
            "seconds": round(time.monotonic() - started, 1),
        }
        say(f"{setting.name}: started; {out['join']['participants']} joined in "
            f"{out['join']['seconds']} s")  # fmt: skip
        prepared.boards = boards
        prepared.members = {key: joined[boards[key]["slug"]] for key in wanted}
        if "q" in only:  # thousands of joins: timed apart, to show what they take
            ramp_members, out["join_q"] = capacity.join(setting, boards, mode.name)
            prepared.members |= ramp_members
            say(f"{setting.name}: (q)'s {out['join_q']['participants']} joined in "
                f"{out['join_q']['seconds']} s")  # fmt: skip
        prepared.per_c_board = per_c_board
        if "hi" in boards or "r" in only:  # the facilitator logs in as a person does
            base = setting.apps[0].url
            sessionid = log_in(base, FACILITATOR, password)
            slug = boards["hi" if "hi" in boards else "ab"]["slug"]
            prepared.facilitator = Member(base, slug, sessionid)
    except Exception as problem:
        traceback.print_exc()
        out["failed"] = f"{type(problem).__name__}: {problem}"[:500]
        say(f"{setting.name}: FAILED to start: {problem}")
    return prepared


def set_up_all(settings: list[Setting], only: str, mode: Mode) -> list[Prepared]:
    """Set up every setting at once (they share the two cores; nothing is measured yet)."""
    with ThreadPoolExecutor(len(settings)) as pool:
        return list(pool.map(lambda setting: set_up(setting, only, mode), settings))


def run_setting(prepared: Prepared, only: str, mode: Mode) -> dict[str, Any]:
    """Every selected scenario against one setting, then its servers are stopped."""
    setting, out = prepared.setting, prepared.out
    name = setting.name
    scenarios = out["scenarios"]
    try:
        if "failed" in out:
            return out
        boards, members = prepared.boards, prepared.members
        assert boards is not None and members is not None
        say(f"{name}: measuring")
        wait_idle(setting.groups(), timeout=30)
        if "g" in only:  # first, on processes that have not held many sockets yet
            idle = [members[f"c{n}"][i] for i in range(prepared.per_c_board) for n in range(20)]
            scenarios["g"] = attempt(
                f"{name} (g)",
                lambda: run_idle_memory(idle[: mode.idle_connections], setting, mode.pause),
            )
        for key in "akbc":  # (k) right after (a), its baseline
            if key not in only:
                continue
            load = LOADS["a" if key == "k" else key]
            keys = ["ab"] if key in "abk" else [f"c{n}" for n in range(20)]
            target = Target(
                name,
                setting.groups(),
                p2pboard_sockets([members[k] for k in keys], load.per_board),
                setting,
            )
            if key == "k":
                work = partial(
                    run_flood,
                    load,
                    target,
                    mode.timing,
                    members["ab"][load.per_board],
                    rate=mode.flood_rate,
                    baseline=scenarios.get("a"),
                )
            else:
                work = partial(run_load, load, target, mode.timing)
            scenarios[key] = attempt(f"{name} ({key})", work)
            wait_idle(setting.groups(), timeout=60)
        if "r" in only:  # the loads again, without and with the agenda's traffic
            scenarios["r"] = attempt(f"{name} (r)", partial(run_traffic, prepared, mode))
        if set(only) & set(AGENDA_KEYS):
            scenarios |= run_agenda(prepared, only, mode)
        if "e" in only:
            scenarios["e"] = attempt(
                f"{name} (e)",
                lambda: run_catch_up(
                    members["e"],
                    boards["e"]["sticky_ids"],
                    setting,
                    offline=mode.catch_up_offline,
                    runs=mode.catch_up_runs,
                ),
            )
        if "d" in only and name not in mode.browser_in:
            scenarios["d"] = {"skipped": f"not run in {mode.name} mode in this setting"}
        elif "d" in only:
            scenarios["d"] = attempt(
                f"{name} (d)",
                lambda: run_browser(members["d"][0], mode.big_board, mode.browser_loads, setting),
            )
        if "f" in only:
            scenarios["f"] = attempt(
                f"{name} (f)", lambda: run_exports(members["f"][0], setting, mode.export_runs)
            )
        if "n" in only:
            scenarios["n"] = attempt(
                f"{name} (n)", lambda: run_suggestions(members["n"][0], setting, mode.export_runs)
            )
        if wanted := [key for key in "op" if key in only]:
            found = attempt(
                f"{name} ({', '.join(wanted)})",
                lambda: run_in_process(
                    setting,
                    insight=(boards["o"]["id"], mode.insight_runs) if "o" in only else None,
                    imports=(boards["p"]["id"], mode.import_runs) if "p" in only else None,
                ),
            )
            scenarios |= {key: found.get(key, found) for key in wanted}
        if "q" in only:  # near the end: thousands of sockets leave their mark on the servers
            sockets = p2pboard_sockets(
                [members[f"q{n}"] for n in range(capacity.RAMPS[mode.name].boards)],
                capacity.PER_BOARD,
            )
            target = Target(name, setting.groups(), sockets, setting)
            scenarios["q"] = attempt(
                f"{name} (q)", partial(capacity.run_ramp, target, capacity.RAMPS[mode.name])
            )
            wait_idle(setting.groups(), timeout=60)
        if "m" in only:  # last: its baseline is read after everything else has run
            scenarios["m"] = attempt(
                f"{name} (m)",
                lambda: run_churn(
                    setting,
                    rounds=mode.churn_rounds,
                    warm_up=mode.churn_warm_up,
                    pause=mode.pause,
                ),
            )
        out["logs"] = setting.log_findings([0] * len(setting.apps))
    except Exception as problem:
        traceback.print_exc()
        out["failed"] = f"{type(problem).__name__}: {problem}"[:500]
        say(f"{name}: FAILED: {problem}")
    finally:
        setting.stop()
        logs = RESULTS / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        # PostgreSQL's log says when it checkpointed, Redis's when it saved: kept with the
        # servers' for reading a stall.
        services = [service.log for service in (setting.postgres, setting.redis) if service]
        for log in [app.log for app in setting.apps + setting.idle_apps] + services:
            if log.exists():
                shutil.copy(log, logs / f"{name}-{log.name}")
        setting.remove()
    return out


def run_traffic(prepared: Prepared, mode: Mode) -> dict[str, Any]:
    """(r): loads (a) (and (c)) again, in runs alternately without and with the facilitator's
    agenda traffic on the load's first board (benchmarks/traffic.py)."""
    setting, members, facilitator = prepared.setting, prepared.members, prepared.facilitator
    assert members is not None and facilitator is not None
    out = {}
    for key, pairs in mode.traffic_pairs:
        load = LOADS[key]
        boards = [members["ab"]] if key == "a" else [members[f"c{n}"] for n in range(20)]
        sockets = p2pboard_sockets(boards, load.per_board)
        out[key] = traffic.run_alternating(
            load,
            Target(setting.name, setting.groups(), sockets, setting),
            mode.traffic_timing,
            facilitator=Member(facilitator.base, boards[0][0].slug, facilitator.sessionid),
            writers=boards[0][-traffic.WRITERS :],
            pace=mode.traffic_pace,
            pairs=pairs,
        )
        say(f"{setting.name} (r): ({key}) with ÷ without, each pair: "
            f"{', '.join(str(pair['ratio']) for pair in out[key]['pairs'])}")  # fmt: skip
    return out


def run_agenda(prepared: Prepared, only: str, mode: Mode) -> dict[str, Any]:
    """(h), (i), (j) and (l), on one board: its participants listen and its facilitator
    speaks."""
    setting, name = prepared.setting, prepared.setting.name
    assert prepared.members is not None and prepared.facilitator is not None
    wanted = [key for key in AGENDA_KEYS if key in only]
    session = agenda.Session(prepared.facilitator, prepared.members["hi"], setting)
    out: dict[str, Any] = {}
    try:
        session.open()
    except Exception as problem:
        traceback.print_exc()
        say(f"{name} ({', '.join(wanted)}): FAILED to connect: {problem}")
        session.close(failed=True)
        return {key: {"failed": f"{type(problem).__name__}: {problem}"[:500]} for key in wanted}
    try:
        if "h" in only:
            out["h"] = attempt(
                f"{name} (h)",
                lambda: agenda.run_phase_changes(
                    session, changes=mode.phase_changes, spacing=mode.phase_spacing
                ),
            )
            wait_idle(setting.groups(), timeout=30)
        if "i" in only:
            out["i"] = attempt(
                f"{name} (i)",
                lambda: agenda.run_reveals(
                    session, reveals=mode.reveals, stickies=mode.reveal_stickies
                ),
            )
        if "j" in only:
            out["j"] = attempt(
                f"{name} (j)",
                lambda: agenda.run_merges(session, merges=mode.merges, size=mode.merged_each),
            )
            wait_idle(setting.groups(), timeout=30)
        if "l" in only:
            out["l"] = attempt(f"{name} (l)", lambda: agenda.run_votes(session, votes=mode.votes))
        frames = session.frames()
        for key in out:
            out[key]["listener_frames"] = frames
    finally:
        session.close(failed=any("failed" in found for found in out.values()))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter windows and fewer runs")
    parser.add_argument("--only", default=",".join(ALL), help="scenarios, e.g. a,b,g")
    parser.add_argument("--setting", default="embedded,scaleout", help="embedded,scaleout")
    args = parser.parse_args(argv)
    only = "".join(key.strip() for key in args.only.split(","))
    if set(only) - set(ALL):
        parser.error(f"unknown scenario in {args.only!r}; choose from {','.join(ALL)}")
    settings = [name.strip() for name in args.setting.split(",") if name.strip()]
    if set(settings) - {"embedded", "scaleout"}:
        parser.error("--setting takes embedded, scaleout or both")
    mode = QUICK if args.quick else FULL

    # A TERM (a CI timeout, say) ends the run through the finally blocks, which stop servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    results: dict[str, Any] = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "mode": mode.name,
        "machine": machine(),
        "code": code_version(),
        "timing": asdict(mode.timing),
        "mode_settings": asdict(mode),
        "floor_payload": FLOOR_PAYLOAD,
        "floor": {},
        "settings": {},
    }
    folder = Path(tempfile.mkdtemp(prefix="p2pboard-bench-floor-"))
    RESULTS.mkdir(exist_ok=True)
    shutil.rmtree(RESULTS / "logs", ignore_errors=True)
    say(f"{mode.name} run: scenarios {','.join(only)}; settings {','.join(settings)}")
    if "q" in only:  # thousands of sockets: the servers and workers started from here inherit it
        capacity.raise_open_files()
    stack = [Setting(name) for name in settings]
    try:
        prepared = set_up_all(stack, only, mode)
        results["floor"] = run_floor(only, mode, folder)
        for each in prepared:
            results["settings"][each.setting.name] = run_setting(each, only, mode)
    finally:
        for setting in stack:  # stopped already, unless the run was interrupted
            setting.stop()
            setting.remove()
        shutil.rmtree(folder, ignore_errors=True)
    results["checks"] = report.checks(results)
    results["plots"] = report.plots(results, RESULTS)
    results["wall_s"] = round(time.monotonic() - started, 1)
    table = report.markdown(results)
    runs = RESULTS / "runs"  # every run kept, under its date
    runs.mkdir(exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    for folder, name in ((RESULTS, "latest"), (runs, f"{stamp}-{mode.name}")):
        (folder / f"{name}.json").write_text(json.dumps(results, indent=1))
        (folder / f"{name}.md").write_text(table)
    print()
    print(table)
    say(
        f"wrote {RESULTS / 'latest.md'}, latest.json and {len(results['plots'])} plots "
        f"in {results['wall_s']:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
