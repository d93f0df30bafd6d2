"""The deployment the fault tests break, in a folder of its own: a PostgreSQL cluster with its
durable defaults (fsync and synchronous commit on, unlike the fast one scripts/test starts), a
Redis, and p2pboard's processes as the Docker image runs them (Uvicorn). Each can be crashed and
started again on the same port. The cluster, Redis and the small helpers are the benchmark's
(benchmarks/servers.py)."""

import signal
import subprocess
from pathlib import Path

from benchmarks.servers import Postgres, Redis, free_port
from p2pboard import serve

__all__ = ["ROOT", "App", "DurablePostgres", "Redis"]  # Redis: the benchmark's, as it is

ROOT = Path(__file__).resolve().parents[2]


class DurablePostgres(Postgres):
    """The benchmark's throwaway cluster (PostgreSQL's durable defaults: a commit is on disk
    before it is confirmed), which can also crash and start again on the same port."""

    def create(self) -> "DurablePostgres":
        super().start()
        return self

    def start(self) -> "DurablePostgres":  # after a crash
        self.launch()
        return self

    def crash(self) -> None:
        """Stop as a power cut would leave it: no checkpoint, no goodbye to clients; it
        recovers from its write-ahead log on the next start."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        self.started = False


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
