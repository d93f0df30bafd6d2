"""Figures measured inside one process, against the setting's own database (its DATABASE_URL
and data folder, as benchmarks/seed.py): (o) the insight of a big board, (p) the import of a
map file. No HTTP, no sockets: the domain functions alone.

Run as `python -m benchmarks.inprocess` with a JSON request on stdin:
    {"insight": {"board": 12, "runs": 30}, "import": {"board": 13, "runs": 5}}
(each part optional; "board" is a seeded workshop's id). It prints the figures as JSON.

- insight: `insight_of(workshop)`, the lean reader of the board's insight strip, and, for
  information, `map_of(workshop)`, the full map every export reads; each once to warm up, then
  `runs` times, the workshop read afresh each time as a request would.
- import: the board's JSON export (`map_json_bytes(map_of(board))`) imported by its owner with
  `workshop_import`, once to warm up, then `runs` times, each a new workshop (broadcasts after
  the commit included, as in a request).

`python -m benchmarks.inprocess --profile` with the same request prints, instead, cProfile's
view of one more run of each part (to stderr), the most cumulative time first.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any


def _times(work: Callable[[], object], runs: int) -> dict[str, Any]:
    """One warm-up, then `runs` timed calls: each in ms, the median, the p95 and the first."""
    started = time.perf_counter()
    work()
    first = (time.perf_counter() - started) * 1000
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(round((time.perf_counter() - started) * 1000, 2))
    ordered = sorted(times)
    return {
        "times_ms": times,
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))],
        "max_ms": ordered[-1],
        "first_ms": round(first, 2),
        "runs": runs,
    }


def insight(board: int, runs: int) -> dict[str, Any]:
    """(o): the insight of a seeded board, lean and from the full map."""
    from workshops.exports.map import insight_of, map_of
    from workshops.models import Sticky, Timing, Vote, Workshop

    def fresh() -> Workshop:
        return Workshop.objects.get(pk=board)

    workshop = fresh()
    worked_out = insight_of(workshop)
    if worked_out != map_of(workshop).insight:
        raise RuntimeError("insight_of differs from map_of().insight on the benchmark's board")
    return {
        "insight_of": _times(lambda: insight_of(fresh()), runs),
        "map_of": _times(lambda: map_of(fresh()), runs),
        "board": {
            "stickies": Sticky.objects.filter(workshop=workshop, deleted_at__isnull=True).count(),
            "steps": worked_out.steps,
            "untimed_steps": len(worked_out.untimed),
            "timings": Timing.objects.filter(workshop=workshop, deleted_at__isnull=True).count(),
            "votes": Vote.objects.filter(workshop=workshop).count(),
            "votes_shown": not workshop.votes_hidden,
            "lead_time_days": list(worked_out.lead_time) if worked_out.lead_time else None,
            "hot_spots": len(worked_out.hot_spots),
            "hand_offs": len(worked_out.hand_offs),
            "gates": len(worked_out.gates),
        },
    }


def imports(board: int, runs: int) -> dict[str, Any]:
    """(p): the board's JSON export imported as a new workshop, `runs` times after a warm-up."""
    from workshops.exports.json import map_json_bytes
    from workshops.exports.map import map_of
    from workshops.models import Sticky, Workshop
    from workshops.services.imports import workshop_import

    workshop = Workshop.objects.get(pk=board)
    raw = map_json_bytes(map_of(workshop))
    made: list[int] = []

    def one() -> None:
        made.append(workshop_import(owner=workshop.owner, raw=raw).workshop.pk)

    out = _times(one, runs)
    document = json.loads(raw)
    out["file"] = {
        "bytes": len(raw),
        "steps": len(document["steps"]),
        "timings": len(document.get("timings", [])),
        "actions": len(document.get("actions", [])),
        "stickies": Sticky.objects.filter(workshop=workshop, deleted_at__isnull=True).count(),
    }
    out["stickies_made"] = Sticky.objects.filter(workshop_id=made[-1]).count()
    return out


def profile(request: dict[str, Any]) -> None:
    """cProfile's view of one run of each requested part, after a warm-up, to stderr."""
    import cProfile
    import pstats

    from workshops.exports.json import map_json_bytes
    from workshops.exports.map import insight_of, map_of
    from workshops.models import Workshop
    from workshops.services.imports import workshop_import

    parts: list[tuple[str, Callable[[], object]]] = []
    if "insight" in request:
        board = request["insight"]["board"]
        parts.append(("insight_of", lambda: insight_of(Workshop.objects.get(pk=board))))
    if "import" in request:
        workshop = Workshop.objects.get(pk=request["import"]["board"])
        raw = map_json_bytes(map_of(workshop))
        parts.append(("workshop_import", lambda: workshop_import(owner=workshop.owner, raw=raw)))
    for name, work in parts:
        work()
        profiler = cProfile.Profile()
        profiler.runcall(work)
        print(f"----- {name} -----", file=sys.stderr)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "p2pboard.settings")
    import django

    django.setup()
    # As the server does once the app is loaded (p2pboard/asgi.py): what lives as long as the
    # process stays out of the garbage collector's full passes, which would add tens of ms to
    # every tenth run or so.
    from p2pboard.process import settle

    settle()
    request = json.load(sys.stdin)
    if "--profile" in sys.argv[1:]:
        profile(request)
        return
    out: dict[str, Any] = {}
    if "insight" in request:
        out["insight"] = insight(request["insight"]["board"], request["insight"]["runs"])
    if "import" in request:
        out["import"] = imports(request["import"]["board"], request["import"]["runs"])
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
