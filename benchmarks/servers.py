"""Servers the benchmark runs against, started on free loopback ports and always stopped.

- `Postgres` and `Redis`: throwaway instances in a temporary folder (as scripts/test does:
  PostgreSQL runs as the `postgres` user when we are root, since it refuses to run as root).
- `App`: one p2pboard process (Daphne, or Uvicorn as in the Docker image), its log in a file.
- `Floor`: the minimal `websockets` broadcast server of benchmarks/floor.py.
- `Setting`: the embedded default (one Daphne, SQLite, in-memory fan-out) or the scale-out
  setting (PostgreSQL, Redis, two Uvicorn processes), with its seeding and log checks.

Also here: reading a process's CPU time and resident memory from /proc.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from p2pboard import serve

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KIB = os.sysconf("SC_PAGE_SIZE") // 1024


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, *, timeout: float, process: subprocess.Popen[bytes] | None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process {process.args!r} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout} s")


def stop_process(process: subprocess.Popen[bytes] | None, *, grace: float = 5.0) -> None:
    """Stop a child started with start_new_session=True, and its whole process group."""
    if process is None or process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


# ----- /proc -----


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def with_descendants(pids: list[int]) -> list[int]:
    tree = _children()
    out: list[int] = []
    todo = list(pids)
    while todo:
        pid = todo.pop()
        if pid in out:
            continue
        out.append(pid)
        todo.extend(tree.get(pid, []))
    return out


def cpu_seconds(pid: int, *, reaped_children: bool = False) -> float:
    """utime + stime of one process (and of its waited-for children, if asked), in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # fields[0] is the state (field 3 of stat): utime, stime, cutime, cstime are fields 14-17.
    ticks = int(fields[11]) + int(fields[12])
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Group:
    """A named set of processes whose CPU and memory are reported together."""

    name: str
    roots: list[int]

    def cpu(self) -> float:
        total = sum(cpu_seconds(pid, reaped_children=True) for pid in self.roots)
        extra = set(with_descendants(self.roots)) - set(self.roots)
        return total + sum(cpu_seconds(pid) for pid in extra)

    def rss_kib(self) -> int:
        return sum(rss_kib(pid) for pid in with_descendants(self.roots))


def machine_busy() -> float:
    """CPU seconds all cores spent busy since boot (from /proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / CLOCK_TICKS


@dataclass
class Sample:
    at: float
    cpu: dict[str, float]
    rss: dict[str, int]
    machine: float


def sample(groups: list[Group]) -> Sample:
    return Sample(
        at=time.monotonic(),
        cpu={group.name: group.cpu() for group in groups},
        rss={group.name: group.rss_kib() for group in groups},
        machine=machine_busy(),
    )


def usage(before: Sample, after: Sample) -> dict[str, dict[str, float]]:
    """CPU % of one core over the interval, and resident memory (MiB) at its end, per group;
    "machine": every core's busy time, and "other": what none of the groups used (other
    processes on the machine, which would disturb the figures)."""
    elapsed = max(after.at - before.at, 1e-9)
    out = {
        name: {
            "cpu_pct": round(100 * (after.cpu[name] - before.cpu[name]) / elapsed, 1),
            "rss_mib": round(after.rss[name] / 1024, 1),
        }
        for name in after.cpu
    }
    machine = 100 * (after.machine - before.machine) / elapsed
    ours = sum(v["cpu_pct"] for k, v in out.items() if not k.startswith("worker"))
    out["machine"] = {"cpu_pct": round(machine, 1)}
    out["other"] = {"cpu_pct": round(max(0.0, machine - ours), 1)}
    return out


def wait_idle(
    groups: list[Group], *, below_pct: float = 8.0, quiet: float = 0.4, timeout: float = 30.0
) -> float:
    """Wait until the processes have used less than `below_pct` of a core for `quiet` seconds
    (presence broadcasts after connects and disconnects settle). Returns the seconds waited."""
    start = time.monotonic()
    last = sum(group.cpu() for group in groups)
    calm_since = time.monotonic()
    while time.monotonic() - start < timeout:
        time.sleep(0.2)
        now = sum(group.cpu() for group in groups)
        if (now - last) / 0.2 * 100 > below_pct:
            calm_since = time.monotonic()
        last = now
        if time.monotonic() - calm_since >= quiet:
            break
    return time.monotonic() - start


# ----- PostgreSQL and Redis -----


def pg_bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if found:
        return found[-1]
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        return Path(pg_ctl).resolve().parent
    raise RuntimeError("PostgreSQL is not installed (Debian: apt-get install postgresql)")


class Postgres:
    """A throwaway PostgreSQL cluster with PostgreSQL's durable defaults: a change is on disk
    before it is confirmed, as in production (an fsync costs about 0.15 ms on this machine)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "pg"
        self.log = folder / "pg.log"
        self.port = free_port()
        self.bindir = pg_bindir()
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        self.started = False

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/p2pboard"

    def _run(self, *args: str) -> None:
        subprocess.run(
            [*self.as_pg, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )

    def start(self) -> Postgres:
        """Make the cluster and its `p2pboard` database, and run it."""
        if self.as_pg:
            shutil.chown(self.folder, "postgres")
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
        )
        self.launch()
        subprocess.run(
            [
                str(self.bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "p2pboard",
            ],
            check=True,
        )
        return self

    def launch(self) -> None:
        """Run the cluster made (again, after a crash: on the same port, from its log)."""
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "start",
            "-o",
            options,
        )
        self.started = True

    def pid(self) -> int:
        return int((self.data / "postmaster.pid").read_text().split()[0])

    def stop(self) -> None:
        if not self.started:
            return
        self.started = False
        try:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        except (subprocess.CalledProcessError, OSError):
            with contextlib.suppress(OSError, ValueError):
                os.kill(self.pid(), signal.SIGQUIT)


class Redis:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.log = folder / "redis.log"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        server = shutil.which("redis-server")
        if server is None:
            raise RuntimeError("Redis is not installed (Debian: apt-get install redis-server)")
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    server,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.folder),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(self.port, timeout=10, process=self.process)
        return self

    def stop(self) -> None:
        stop_process(self.process)


# ----- the servers under test -----


class App:
    """One p2pboard process: Daphne as `make run` starts it, or Uvicorn as the Docker image
    does (p2pboard/serve.py)."""

    def __init__(self, env: dict[str, str], log: Path, server: str = "daphne") -> None:
        self.port = free_port()
        self.env, self.log, self.server = env, log, server
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> App:
        return self.launch().wait_ready()

    def launch(self) -> App:
        command = serve.command(self.server, host="127.0.0.1", port=self.port)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_ready(self) -> App:
        assert self.process is not None
        serve.wait_serving(self.url, self.process, self.log)
        return self

    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        stop_process(self.process)


class Floor:
    """The bare `websockets` broadcast server: what fan-out costs with nothing else."""

    def __init__(self, folder: Path, payload: int) -> None:
        self.port = free_port()
        self.log = folder / "floor.log"
        self.payload = payload
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Floor:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [
                    PYTHON,
                    "-m",
                    "benchmarks.floor",
                    "--port",
                    str(self.port),
                    "--payload",
                    str(self.payload),
                ],
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_for_port(self.port, timeout=20, process=self.process)
        return self

    def ws_url(self, board: str) -> str:
        return f"ws://127.0.0.1:{self.port}/{board}/"

    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> None:
        stop_process(self.process)


# ----- the two settings -----

LOG_PATTERNS = {
    "over_capacity": re.compile(r"over capacity", re.I),
    "errors": re.compile(r"\b(ERROR|CRITICAL)\b"),
    "warnings": re.compile(r"\bWARNING\b"),
}
ERROR_LINE = re.compile(r"\b(?:ERROR|CRITICAL):? ")


@dataclass
class Setting:
    """p2pboard as deployed in one of the two settings, plus what it needs."""

    name: str  # "embedded" or "scaleout"
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="p2pboard-bench-")))
    apps: list[App] = field(default_factory=list)
    idle_apps: list[App] = field(default_factory=list)  # fresh processes for (g)
    postgres: Postgres | None = None
    redis: Redis | None = None
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))
    prepared: bool = False
    failure: str = ""

    @property
    def server(self) -> str:
        """What serves it: Daphne as `make run` does, Uvicorn as the Docker image does."""
        return "uvicorn" if self.name == "scaleout" else "daphne"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
        env |= {
            "P2PBOARD_DATA_DIR": str(self.folder / "data"),
            "SECRET_KEY": self.secret_key,
            "DJANGO_SETTINGS_MODULE": "p2pboard.settings",
            "P2PBOARD_MODE": "local",
            "DEBUG": "",
            # Every simulated participant joins from 127.0.0.1.
            "P2PBOARD_JOINS_PER_MINUTE": "1000000",
        }
        if self.postgres is not None:
            env["DATABASE_URL"] = self.postgres.url
        if self.redis is not None:
            env["REDIS_URL"] = self.redis.url
        return env

    def prepare(self) -> None:
        """For scale-out, PostgreSQL and Redis. May run in a thread (untimed)."""
        if self.prepared:
            return
        if self.failure:
            raise RuntimeError(f"preparing {self.name} failed: {self.failure}")
        try:
            self.folder.chmod(0o755)
            (self.folder / "data").mkdir()
            if self.name == "scaleout":
                self.postgres = Postgres(self.folder).start()
                self.redis = Redis(self.folder).start()
        except Exception as problem:
            self.failure = f"{type(problem).__name__}: {problem}"
            raise
        self.prepared = True

    def start(self, plan: dict[str, Any], *, idle_apps: bool = False) -> dict[str, Any]:
        """Start the app processes, migrate and seed the database meanwhile (`plan`, see
        benchmarks/seed.py; the server touches no table until a request comes) and return what the
        seeding made. With `idle_apps`, as many more server processes are started for (g), to
        stay untouched until then."""
        self.prepare()
        server = self.server
        for number in range(2 if self.name == "scaleout" else 1):
            log = self.folder / f"{server}-{number}.log"
            self.apps.append(App(self.env(), log, server).launch())
            if idle_apps:
                log = self.folder / f"{server}-idle-{number}.log"
                self.idle_apps.append(App(self.env(), log, server).launch())
        seeded = self.seed({**plan, "migrate": True})
        for app in self.apps + self.idle_apps:
            app.wait_ready()
        return seeded

    def stop(self) -> None:
        for app in self.apps + self.idle_apps:
            app.stop()
        if self.redis is not None:
            self.redis.stop()
        if self.postgres is not None:
            self.postgres.stop()

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def seed(self, plan: dict[str, Any]) -> dict[str, Any]:
        """Create workshops and stickies through the ORM (benchmarks/seed.py), untimed."""
        return self.run_module("benchmarks.seed", plan, "seeding")

    def run_module(self, module: str, request: dict[str, Any], what: str) -> dict[str, Any]:
        """Run `module` in a process of its own with this setting's environment (its database),
        `request` as JSON on its stdin; its JSON answer."""
        result = subprocess.run(
            [PYTHON, "-m", module],
            cwd=ROOT,
            env=self.env(),
            input=json.dumps(request).encode(),
            capture_output=True,
            check=False,
            timeout=900,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{what} failed:\n{result.stderr.decode()[-3000:]}")
        answer: dict[str, Any] = json.loads(result.stdout)
        return answer

    # ----- what the processes are doing -----

    def groups(self) -> list[Group]:
        groups = [Group("server", [app.pid() for app in self.apps])]
        backing = []
        if self.postgres is not None:
            backing.append(self.postgres.pid())
        if self.redis is not None and self.redis.process is not None:
            backing.append(self.redis.process.pid)
        if backing:
            groups.append(Group("backing", backing))
        return groups

    def log_offsets(self) -> list[int]:
        return [app.log.stat().st_size if app.log.exists() else 0 for app in self.apps]

    def log_findings(self, since: list[int]) -> dict[str, Any]:
        return log_findings([app.log for app in self.apps], since)


def log_findings(logs: list[Path], since: list[int]) -> dict[str, Any]:
    """What server logs say since `since`: counts of error and warning lines, of 'over
    capacity', and each distinct error (message and exception) with its count."""
    counts = dict.fromkeys(LOG_PATTERNS, 0)
    kinds: Counter[str] = Counter()
    for path, offset in zip(logs, since, strict=True):
        with path.open("rb") as log:
            log.seek(offset)
            text = log.read().decode(errors="replace")
        message, in_traceback = "", False
        for line in text.splitlines():
            for name, pattern in LOG_PATTERNS.items():
                if pattern.search(line):
                    counts[name] += 1
            if ERROR_LINE.search(line):
                if message:
                    kinds[message] += 1
                message = ERROR_LINE.split(line, 1)[-1].strip()[:200]
            elif line.startswith("Traceback"):
                in_traceback = True
            elif (
                in_traceback
                and line
                and not line[0].isspace()
                and not line.startswith(("During handling", "The above exception"))
            ):
                kinds[f"{message} ({line.strip()[:200]})"] += 1
                message, in_traceback = "", False
        if message:
            kinds[message] += 1
    return {
        **counts,
        "distinct": [{"count": n, "what": what} for what, n in kinds.most_common(8)],
    }
