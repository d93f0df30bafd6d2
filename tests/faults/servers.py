"""The deployment the fault tests break, in a folder of its own: a PostgreSQL cluster with its
durable defaults (fsync and synchronous commit on, unlike the fast one scripts/test starts), a
Redis, and p2pboard's processes as the Docker image runs them (Uvicorn). Each can be crashed and
started again on the same port. Redis and the small helpers are the benchmark's
(benchmarks/servers.py)."""

import os
import shutil
import signal
import subprocess
from pathlib import Path

from benchmarks.servers import Redis, free_port, pg_bindir
from p2pboard import serve

__all__ = ["ROOT", "App", "DurablePostgres", "Redis"]  # Redis: the benchmark's, as it is

ROOT = Path(__file__).resolve().parents[2]


class DurablePostgres:
    """A throwaway cluster with PostgreSQL's durable defaults: a commit is on disk before it is
    confirmed. Runs as the `postgres` user when we are root (PostgreSQL refuses root)."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.data = folder, folder / "pg"
        self.port = free_port()
        self.bindir = pg_bindir()
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        self.running = False

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/p2pboard"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_pg, *args], check=True, capture_output=True)

    def create(self) -> "DurablePostgres":
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
        self.start()
        self._run(
            str(self.bindir / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "p2pboard",
        )
        return self

    def start(self) -> None:
        # fsync and synchronous_commit are PostgreSQL's defaults; said here so nobody wonders.
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=on -c synchronous_commit=on -c max_connections=100"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "pg.log"),
            "-w",
            "start",
            "-o",
            options,
        )
        self.running = True

    def crash(self) -> None:
        """Stop as a power cut would leave it: no checkpoint, no goodbye to clients; it
        recovers from its write-ahead log on the next start."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        self.running = False

    def stop(self) -> None:
        if self.running:
            self.crash()


class App:
    """One p2pboard process, Uvicorn as the Docker image runs it, its output in a log file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.env, self.log = env, log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def launch(self) -> "App":
        command = serve.command("uvicorn", host="127.0.0.1", port=self.port)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        return self

    def wait_ready(self) -> "App":
        assert self.process is not None
        serve.wait_serving(self.url, self.process, self.log, timeout=30)
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown, no goodbye to its sockets, whatever it was doing cut short."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
