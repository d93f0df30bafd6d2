"""The fault tests' deployment: a durable PostgreSQL, a Redis and two Uvicorn processes of
p2pboard (as the Docker image runs them), in a temporary folder, stopped at the end, pass or
fail. The test process stays on pytest-django's fast database; this one is reached through the
servers, and through `python -m tests.faults.database`."""

import asyncio
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.faults.servers import ROOT, App, DurablePostgres, Redis


async def eventually(what: str, done: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"not {what} after {timeout} s")
        await asyncio.sleep(0.01)


@dataclass
class Deployment:
    folder: Path
    postgres: DurablePostgres
    redis: Redis
    apps: list[App]
    env: dict[str, str]

    def database(self, action: str, plan: dict[str, Any]) -> dict[str, Any]:
        """Set the database up, or read what it holds (tests/faults/database.py)."""
        done = subprocess.run(
            [sys.executable, "-m", "tests.faults.database", action],
            cwd=ROOT,
            env=self.env,
            input=json.dumps(plan).encode(),
            capture_output=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"tests.faults.database {action}:\n{done.stderr.decode()[-3000:]}")
        answer: dict[str, Any] = json.loads(done.stdout)
        return answer

    def log_lines(self, *words: str) -> list[str]:
        """The app processes' log lines that mention any of `words`."""
        found = []
        for app in self.apps:
            for line in app.log.read_text(errors="replace").splitlines():
                if any(word in line for word in words):
                    found.append(f"{app.log.name}: {line}")
        return found


@pytest.fixture
def deployment() -> Iterator[Deployment]:
    folder = Path(tempfile.mkdtemp(prefix="p2pboard-faults-"))
    folder.chmod(0o755)  # PostgreSQL runs as its own user in here
    postgres, redis = DurablePostgres(folder), Redis(folder)
    apps: list[App] = []
    try:
        postgres.create()
        redis.start()
        env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE"}}
        env |= {
            "DATABASE_URL": postgres.url,
            "REDIS_URL": redis.url,
            "SECRET_KEY": secrets.token_urlsafe(50),
            "P2PBOARD_DATA_DIR": str(folder / "data"),
            "P2PBOARD_MODE": "local",
            "DEBUG": "",
            "P2PBOARD_JOINS_PER_MINUTE": "100000",
            # The channels this test process's own fan-out uses (tests/conftest.py), so that it
            # publishes where the apps listen.
            "P2PBOARD_REDIS_PREFIX": settings.REDIS_PREFIX,
        }
        apps = [App(env, folder / f"uvicorn-{number}.log").launch() for number in range(2)]
        deployment = Deployment(folder, postgres, redis, apps, env)
        yield deployment
    finally:
        for app in apps:
            app.stop()
        redis.stop()
        postgres.stop()
        if os.environ.get("P2PBOARD_KEEP_FAULT_LOGS"):
            print(f"fault test logs kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
