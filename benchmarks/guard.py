"""The regression guard: a run's figures against the committed baseline (benchmarks/baseline.json),
each said to have moved only when it left its noise band. `make bench-quick` ends with it.

    python -m benchmarks.guard [RUN.json] [--strict]   # compare (results/latest.json by default)
    python -m benchmarks.guard --set-baseline [FULL_RUN.json ...] [--runs 3]
    python -m benchmarks.guard --table FULL_RUN.json ...   # runs side by side, for the README

The figures are the targets' figures of benchmarks/report.py (every check with a number): ratios
to the floor rather than raw milliseconds where the targets use them, since the floor moves with
the machine as p2pboard does. `--set-baseline` takes full runs (by default every full run kept in
results/runs/) and records, for each figure, the median of its three most recent measurements
and their spread, which is its noise. A figure moved when it is further from the baseline's
median than its band: at least a minimum for its kind of figure (wider for a quick run, whose
windows hold a tenth of a full run's deliveries and whose medians rest on one or two runs), or
the spread the baseline runs showed times a factor, whichever is wider.
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.servers import RESULTS, ROOT

BASELINE = ROOT / "benchmarks" / "baseline.json"
RUNS = RESULTS / "runs"


@dataclass(frozen=True)
class Kind:
    """A kind of figure: how its change is measured and the least change that counts."""

    name: str
    relative: bool  # a change in % of the baseline, else in the figure's own units
    quick: float  # the least band against a quick run
    full: float  # against a full run
    higher_is_better: bool = False


LATENCY = Kind("p99 ratio", True, 0.5, 0.25)  # p99 ÷ the floor's, with ÷ without
MEDIAN = Kind("median time", True, 0.5, 0.2)  # medians of a few timed runs: (d)-(f), (n)-(p)
MEMORY = Kind("memory", True, 0.3, 0.15)  # (g) per idle connection
GROWTH = Kind("growth", False, 0.03, 0.02)  # (m): memory after churn ÷ after warm-up − 1
REACH = Kind("reach", False, 0.001, 0.001, higher_is_better=True)  # every delivery is due
COUNT = Kind("count", False, 0.5, 0.5)  # lines in logs, failed sockets, connections
# The baseline runs' own spread (the median distance of their measurements from their median)
# times this: how far a run of this mode may stray from their median by chance. A quick window
# holds a tenth of a full one's deliveries.
SPREAD_FACTOR = {"quick": 3.0, "full": 1.5}
# A run in which the rest of the machine used more than this (% of a core) during a load window
# was disturbed: the baseline leaves it out, and the comparison says so.
DISTURBED_PCT = 25.0
# Figures not compared: PostgreSQL connections after (m) depend on when threads are collected,
# so fewer rounds (a quick run) leave more (not a target: fewer is fine).
NOT_COMPARED = ("PostgreSQL connections",)


def kind_of(scenario: str, figure: str, value: Any) -> Kind:
    if "reach" in figure:
        return REACH
    if figure == "server memory after churn":
        return GROWTH
    if isinstance(value, int) or "connections" in figure or "'over capacity'" in figure:
        return COUNT
    if scenario in "defnop":
        return MEDIAN
    if scenario == "g":
        return MEMORY
    return LATENCY


def figures(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every check of a run with one number (and those whose scenario failed, value None), by
    'scenario setting figure'."""
    out = {}
    for check in run.get("checks", []):
        value = check["value"]
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if check["figure"] in NOT_COMPARED:
            continue
        if numeric or (value is None and check["result"] == "MISS"):
            key = f"{check['scenario']} {check['setting']} {check['figure']}"
            out[key] = check
    return out


# ----- the baseline -----


def set_baseline(files: list[Path], *, per_figure: int) -> dict[str, Any]:
    """Each figure's median and spread over its `per_figure` most recent measurements in
    these full runs (taken in the order of their names, which start with their date)."""
    runs = []
    for path in sorted(files, key=lambda p: p.name):
        run = json.loads(path.read_text())
        if run.get("mode") != "full":
            print(f"skipped {path.name}: a {run.get('mode')} run, not a full one")
            continue
        if (other := _other_cpu(run)) is not None and other > DISTURBED_PCT:
            print(f"skipped {path.name}: disturbed (other processes used {other:.0f}% of a core)")
            continue
        runs.append((path, run))
    values: dict[str, list[tuple[float, str]]] = {}
    for path, run in reversed(runs):  # the most recent first
        for key, check in figures(run).items():
            found = values.setdefault(key, [])
            if check["value"] is not None and len(found) < per_figure:
                found.append((check["value"], path.stem))
    used = sorted({stem for found in values.values() for _, stem in found})
    return {
        "made": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "per_figure": per_figure,
        "runs": [
            {
                "file": path.name,
                "date": run["date"],
                "commit": run.get("code", {}).get("commit"),
                "uncommitted": run.get("code", {}).get("uncommitted", []),
                "other_cpu_pct": _other_cpu(run),
            }
            for path, run in runs
            if path.stem in used
        ],
        "figures": {key: _summary(found) for key, found in sorted(values.items()) if found},
    }


def _summary(found: list[tuple[float, str]]) -> dict[str, Any]:
    """A figure's measurements: their median, and their spread (the median distance from it,
    which one stray run does not widen)."""
    values = [value for value, _ in found]
    median = statistics.median(values)
    return {
        "median": median,
        "spread": statistics.median(abs(value - median) for value in values),
        "low": min(values),
        "high": max(values),
        "values": values,
        "runs": [stem for _, stem in found],
    }


def _json(baseline: dict[str, Any]) -> str:
    """The baseline as JSON with one line per figure, so that a new baseline reads as a diff."""
    figures = baseline["figures"]
    head = json.dumps({**baseline, "figures": {}}, indent=1, ensure_ascii=False)
    rows = ",\n".join(
        f"  {json.dumps(key, ensure_ascii=False)}: {json.dumps(found, ensure_ascii=False)}"
        for key, found in figures.items()
    )
    return head.replace('"figures": {}', '"figures": {\n' + rows + "\n }") + "\n"


def _other_cpu(run: dict[str, Any]) -> float | None:
    """The most the rest of the machine used during a load window of the run (disturbance)."""
    seen = []

    def walk(found: Any) -> None:
        if isinstance(found, dict):
            if isinstance(other := found.get("usage", {}).get("other"), dict):
                seen.append(other["cpu_pct"])
            for value in found.values():
                walk(value)
        elif isinstance(found, list):
            for value in found:
                walk(value)

    walk(run.get("settings", {}))
    return max(seen) if seen else None


# ----- the comparison -----


def compare(run: dict[str, Any], baseline: dict[str, Any]) -> list[dict[str, Any]]:
    """Each figure of the run against the baseline: its change, its band and the verdict."""
    mode = run.get("mode", "quick")
    known = baseline.get("figures", {})
    rows = []
    for key, check in figures(run).items():
        now, base = check["value"], known.get(key)
        kind = kind_of(check["scenario"], check["figure"], now)
        row = {"key": key, "check": check, "now": now, "base": base, "kind": kind}
        if now is None:
            row["verdict"] = "FAILED"
        elif base is None:
            row["verdict"] = "no baseline"
        else:
            median = base["median"]
            spread = base["spread"]
            if kind.relative:
                spread = spread / abs(median) if median else 0.0
            least = kind.quick if mode == "quick" else kind.full
            band = max(least, SPREAD_FACTOR.get(mode, 3.0) * spread)
            if kind.relative:
                change = (now - median) / abs(median) if median else None
            else:
                change = now - median
            row |= {"band": band, "change": change}
            if change is None or abs(change) <= band:
                row["verdict"] = "within noise"
            else:
                worse = (change < 0) if kind.higher_is_better else (change > 0)
                row["verdict"] = "MOVED, worse" if worse else "moved, better"
        rows.append(row)
    return rows


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _amount(row: dict[str, Any], value: float) -> str:
    kind: Kind = row["kind"]
    if kind is REACH:
        return f"{100 * value:.2f}%"
    if kind is GROWTH:
        return f"{100 * value:+.1f}%"
    return _number(value)


def _change(row: dict[str, Any], value: float) -> str:
    kind: Kind = row["kind"]
    if kind.relative:
        return f"{100 * value:+.0f}%"
    if kind in (REACH, GROWTH):
        return f"{100 * value:+.2f} pts"
    return f"{value:+g}"


def table(run: dict[str, Any], baseline: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    code = run.get("code", {})
    runs = baseline.get("runs", [])
    dates = f"{runs[0]['date']} … {runs[-1]['date']}" if runs else "no runs"
    lines = [
        f"Regression guard: this {run.get('mode')} run ({run.get('date')}, commit "
        f"{code.get('commit', '?')}) against {BASELINE.relative_to(ROOT)} (made "
        f"{baseline.get('made', '?')} from {len(runs)} full runs, {dates}; each figure the "
        f"median of its {baseline.get('per_figure', '?')} most recent).",
        "A figure moved when it left its band: the least for its kind "
        f"({'quick' if run.get('mode') == 'quick' else 'full'} run: p99 ratios "
        f"±{100 * _least(LATENCY, run):.0f}%, medians ±{100 * _least(MEDIAN, run):.0f}%, "
        f"memory ±{100 * _least(MEMORY, run):.0f}%, reach −0.1 pts) or the baseline runs' "
        f"spread × {SPREAD_FACTOR.get(run.get('mode', 'quick'), 3.0):g}, whichever is wider.",
    ]
    if (other := _other_cpu(run)) is not None and other > DISTURBED_PCT:
        lines.append(
            f"This run was disturbed: other processes used up to {other:.0f}% of a core during "
            "its load windows, so its latencies say little."
        )
    lines.append("")
    header = ("scenario", "setting", "figure", "baseline (low-high, runs)", "now", "change",
              "band", "verdict")  # fmt: skip
    cells = [header]
    for row in rows:
        check, base = row["check"], row["base"]
        if base is None or row["now"] is None:
            shown_base = "–" if base is None else _amount(row, base["median"])
            now = "–" if row["now"] is None else _amount(row, row["now"])
            cells.append((check["scenario"], check["setting"], check["figure"], shown_base, now,
                          "", "", row["verdict"]))  # fmt: skip
            continue
        values = base["values"]
        spread = (
            f" ({_amount(row, base['low'])}-{_amount(row, base['high'])}, {len(values)})"
            if len(values) > 1
            else " (1 run)"
        )
        band = f"±{100 * row['band']:.0f}%" if row["kind"].relative else ""
        if not row["kind"].relative:
            band = f"±{_change(row, row['band']).lstrip('+')}"
        change = "–" if row["change"] is None else _change(row, row["change"])
        cells.append(
            (
                check["scenario"],
                check["setting"],
                check["figure"],
                _amount(row, base["median"]) + spread,
                _amount(row, row["now"]),
                change,
                band,
                row["verdict"],
            )
        )
    widths = [max(len(str(line[n])) for line in cells) for n in range(len(header))]
    for number, line in enumerate(cells):
        lines.append(
            "  ".join(
                str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)
            ).rstrip()
        )
        if number == 0:
            lines.append("  ".join("-" * width for width in widths))
    moved = [row for row in rows if row["verdict"].startswith(("MOVED", "FAILED"))]
    better = [row for row in rows if row["verdict"] == "moved, better"]
    without = [row for row in rows if row["verdict"] == "no baseline"]
    lines += [
        "",
        f"{len(rows)} figures: {len(moved)} moved for the worse or failed, {len(better)} moved "
        f"for the better, {len(rows) - len(moved) - len(better) - len(without)} within noise, "
        f"{len(without)} without a baseline.",
    ]
    if moved:
        lines.append(
            "MOVED: "
            + "; ".join(
                f"({row['check']['scenario']}) {row['check']['setting']} {row['check']['figure']}"
                f" {'failed' if row['now'] is None else _change(row, row['change'])}"
                for row in moved
            )
        )
    return "\n".join(lines)


def runs_table(files: list[Path]) -> str:
    """Several full runs side by side, in Markdown: each target's figure in each run, their
    median, the spread between the lowest and the highest, and how many runs met the target (the
    README's table of three runs)."""
    runs = [json.loads(path.read_text()) for path in sorted(files, key=lambda p: p.name)]
    by_key: dict[str, list[dict[str, Any] | None]] = {}
    for number, run in enumerate(runs):
        for check in run.get("checks", []):
            key = f"{check['scenario']} {check['setting']} {check['figure']}"
            by_key.setdefault(key, [None] * len(runs))[number] = check
    names = " | ".join(run["date"] for run in runs)
    lines = [
        f"| scenario | setting | figure | target | {names} | median | low-high | met |",
        "|---|---|---|---|" + "---|" * len(runs) + "---|---|---|",
    ]
    for checks in by_key.values():
        some = next(check for check in checks if check is not None)
        values = [
            c["value"] for c in checks if c is not None and isinstance(c["value"], float | int)
        ]
        shown = " | ".join(c["shown"] if c is not None else "–" for c in checks)
        met = sum(1 for c in checks if c is not None and c["result"] == "PASS")
        median = _number(statistics.median(values)) if values else "–"
        spread = f"{_number(min(values))}-{_number(max(values))}" if values else "–"
        lines.append(
            f"| {some['scenario']} | {some['setting']} | {some['figure']} | {some['target']} "
            f"| {shown} | {median} | {spread} | {met} of {len(runs)} |"
        )
    return "\n".join(lines)


def _least(kind: Kind, run: dict[str, Any]) -> float:
    return kind.quick if run.get("mode") == "quick" else kind.full


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run", nargs="?", type=Path, default=RESULTS / "latest.json",
                        help="the run to compare (default: results/latest.json)")  # fmt: skip
    parser.add_argument("--strict", action="store_true",
                        help="exit with 1 when a figure moved for the worse or failed")  # fmt: skip
    parser.add_argument("--set-baseline", nargs="*", type=Path, metavar="FULL_RUN",
                        help=f"write {BASELINE.relative_to(ROOT)} from these full runs' JSON "
                        "(default: every full run in results/runs/)")  # fmt: skip
    parser.add_argument("--runs", type=int, default=3,
                        help="with --set-baseline: measurements kept per figure, the most "
                        "recent (default 3)")  # fmt: skip
    parser.add_argument("--table", nargs="+", type=Path, metavar="FULL_RUN",
                        help="print these runs' figures side by side, with their median and "
                        "spread, in Markdown")  # fmt: skip
    args = parser.parse_args(argv)
    if args.table:
        print(runs_table(args.table))
        return 0
    if args.set_baseline is not None:
        files = args.set_baseline or sorted(RUNS.glob("*-full.json"))
        made = set_baseline(files, per_figure=args.runs)
        BASELINE.write_text(_json(made))
        used = ", ".join(run["file"] for run in made["runs"])
        print(f"wrote {BASELINE.relative_to(ROOT)}: {len(made['figures'])} figures from "
              f"{len(made['runs'])} full runs ({used})")  # fmt: skip
        return 0
    if not args.run.exists():
        print(f"regression guard: no run to compare ({args.run} is missing)")
        return 1 if args.strict else 0
    run = json.loads(args.run.read_text())
    baseline = json.loads(BASELINE.read_text()) if BASELINE.exists() else {}
    if not baseline:
        print(f"regression guard: no baseline yet ({BASELINE.relative_to(ROOT)}); make one with "
              "python -m benchmarks.guard --set-baseline")  # fmt: skip
    rows = compare(run, baseline)
    print(table(run, baseline, rows))
    worse = any(row["verdict"].startswith(("MOVED", "FAILED")) for row in rows)
    return 1 if args.strict and worse else 0


if __name__ == "__main__":
    sys.exit(main())
