"""The load generator: simulated participants on boards, speaking the real protocol.

Joining (untimed): `join_many` goes through the real join flow over HTTP (GET the join page
for the csrftoken cookie and the form's token, POST a name, keep the `sessionid` cookie from
the redirect), in a thread pool; `log_in` does the same with the login page, for a facilitator.

Load (timed): the parent (benchmarks/run.py) starts two or more worker processes, each running
`python -m benchmarks.loadgen SPEC OUT` for a slice of the participants. A worker:

1. connects its participants' websockets (Cookie: sessionid, Origin), waits for `welcome`;
   against p2pboard each then adds one sticky of its own (an event on the timeline or a parked
   note) and waits for the patch that confirms it;
2. prints `ready`, and waits for `start T0` on stdin (T0 in `time.monotonic_ns()`, which is
   system-wide on Linux, so comparable across processes);
3. sends `update`s of its sticky's text on a fixed schedule, T0 + phase + k × period (open
   loop: a sender that falls behind still stamps the scheduled time), each `op` being
   `<client>-<k>-<scheduled ns>`;
4. records, for every patch any of its participants receives, receive time − scheduled time:
   deliveries to peers, and the sender's own confirmation separately, for edits scheduled in
   the measured window (after the warm-up);
5. after the window, waits until each of its participants has had every delivery it should
   (or the drain time passed: later ones count as missing), then writes its figures to OUT
   (.npz with the latencies, .json with counts) and prints `done`.

Against the floor (benchmarks/floor.py) the same code runs, without the join and the add.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import numpy as np
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from benchmarks.servers import PYTHON, RESULTS, ROOT
from p2pboard.process import KEEP_FREED, OWN_PAGES_FROM

PATCH_PREFIX = '{"type":"patch"'
# The start of every patch frame (workshops/protocol.py declares the fields in this order): its
# seq and op, read without parsing the rest (a reveal's patch is hundreds of KiB).
PATCH_HEAD = re.compile(r'\{"type":"patch","seq":(\d+),"op":(?:"([^"\\]*)"|null)')
PRESENCE_PREFIX = '{"type":"presence"'
# glibc keeps freed memory in the workers too, as in the server (p2pboard/process.py): a worker
# reading a reveal's 256 KiB on each of its sockets otherwise faults in fresh pages for each.
LEAN_MALLOC = {
    "MALLOC_TRIM_THRESHOLD_": str(KEEP_FREED),
    "MALLOC_MMAP_THRESHOLD_": str(OWN_PAGES_FROM),
}
MAX_FRAME = 64 * 2**20  # snapshots of big boards and presence lists of 200 people are large

# ----- joining over HTTP -----

_FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass(frozen=True)
class Member:
    """A participant who joined a board: what a socket needs to be them."""

    base: str  # http://127.0.0.1:PORT of the process they joined through
    slug: str
    sessionid: str


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


class Joiner:
    """One browser joining people by link: it loads a join page once per server (for the
    csrftoken cookie and the form's token), then posts a name for each person, without a
    session cookie, so each post makes a new participant with a new session. Joins are
    setup, not measured; skipping a page load per person halves the time they take."""

    def __init__(self) -> None:
        self.forms: dict[str, tuple[str, str]] = {}  # base -> (csrftoken cookie, form token)
        self.connections: dict[str, http.client.HTTPConnection] = {}  # kept alive

    def _connection(self, base: str) -> http.client.HTTPConnection:
        if base not in self.connections:
            parts = urlsplit(base)
            self.connections[base] = http.client.HTTPConnection(
                parts.hostname or "", parts.port, timeout=60
            )
        return self.connections[base]

    def _form(self, base: str, path: str) -> tuple[str, str]:
        if base not in self.forms:
            connection = self._connection(base)
            connection.request("GET", path)
            page = connection.getresponse()
            found = _FORM_TOKEN.search(page.read().decode())
            csrf = _cookies(page).get("csrftoken")
            if page.status != 200 or found is None or csrf is None:
                raise RuntimeError(f"join page: HTTP {page.status}")
            self.forms[base] = (csrf, found.group(1))
        return self.forms[base]

    def join(self, base: str, token: str, slug: str, name: str) -> Member:
        path = f"/j/{token}/"
        for attempt in range(3):
            try:
                session = self.post_form(base, path, {"name": name}, what="joining")
                return Member(base=base, slug=slug, sessionid=session)
            except (OSError, RuntimeError, http.client.HTTPException):
                self.forms.pop(base, None)
                broken = self.connections.pop(base, None)
                if broken is not None:
                    broken.close()
                if attempt == 2:
                    raise
                time.sleep(0.2 * (attempt + 1))
        raise AssertionError("unreachable")

    def post_form(self, base: str, path: str, fields: dict[str, str], *, what: str) -> str:
        """POST a form as a browser does (with the page's CSRF token); the session it gets."""
        csrf, form_token = self._form(base, path)
        connection = self._connection(base)
        connection.request(
            "POST",
            path,
            body=urlencode({"csrfmiddlewaretoken": form_token, **fields}),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf}",
                "Origin": base,
                "Referer": base + path,
            },
        )
        answer = connection.getresponse()
        answer.read()
        session = _cookies(answer).get("sessionid")
        if answer.status != 302 or not session:
            raise RuntimeError(f"{what}: HTTP {answer.status}")
        return session

    def close(self) -> None:
        for connection in self.connections.values():
            connection.close()


def log_in(base: str, username: str, password: str) -> str:
    """Log in as a user does (the login page's CSRF token, a POST of the name and password);
    the session id a facilitator's socket then presents."""
    joiner = Joiner()
    path = "/accounts/login/"
    try:
        fields = {"username": username, "password": password}
        return joiner.post_form(base, path, fields, what=f"logging in as {username}")
    finally:
        joiner.close()


def join(base: str, token: str, slug: str, name: str) -> Member:
    """Join one person to a board by its participant link, as a browser does."""
    joiner = Joiner()
    try:
        return joiner.join(base, token, slug, name)
    finally:
        joiner.close()


def join_many(
    bases: list[str], boards: list[tuple[str, str, int]], *, threads: int = 4
) -> dict[str, list[Member]]:
    """Join `count` participants to each (slug, token, count) board. Every member of a board
    joins, and later connects, through the same server process, chosen by a hash of the board
    as deploy/nginx.conf chooses its replica. Returns the members of each board, in order."""
    jobs = [
        (process_of(bases, slug), token, slug, f"Bench {slug[:4]} {number}")
        for slug, token, count in boards
        for number in range(count)
    ]
    local = threading.local()
    joiners: list[Joiner] = []

    def one(job: tuple[str, str, str, str]) -> Member:
        if not hasattr(local, "joiner"):
            local.joiner = Joiner()
            joiners.append(local.joiner)
        joiner: Joiner = local.joiner
        return joiner.join(*job)

    try:
        with ThreadPoolExecutor(threads) as pool:
            members = list(pool.map(one, jobs))
    finally:
        for joiner in joiners:
            joiner.close()
    out: dict[str, list[Member]] = {slug: [] for slug, _, _ in boards}
    for member in members:
        out[member.slug].append(member)
    return out


def process_of(bases: list[str], slug: str) -> str:
    """The server process a board's sockets go to."""
    return bases[zlib.crc32(slug.encode()) % len(bases)]


def ws_url(base: str, slug: str) -> str:
    return base.replace("http://", "ws://") + f"/ws/w/{slug}/"


async def open_socket(
    url: str,
    *,
    sessionid: str | None,
    origin: str | None,
    connection: type[ClientConnection] = ClientConnection,
) -> ClientConnection:
    headers = {"Cookie": f"sessionid={sessionid}"} if sessionid else None
    return await connect(
        url,
        create_connection=connection,
        additional_headers=headers,
        origin=Origin(origin) if origin else None,
        compression=None,  # Daphne does not negotiate permessage-deflate; the floor does not either
        proxy=None,
        max_size=MAX_FRAME,
        ping_interval=None,
        open_timeout=60,
        close_timeout=5,
    )


# ----- schedules (the parent and the workers count the same way) -----


def sends_in_window(phase: float, period: float, warmup: float, measure: float) -> int:
    """How many of the sends T0 + phase + k × period (k ≥ 0, before warm-up + measure) fall in
    [warm-up, warm-up + measure): the edits that count."""
    end = warmup + measure
    count = 0
    k = 0
    while phase + k * period < end:
        if phase + k * period >= warmup:
            count += 1
        k += 1
    return count


# ----- the worker process -----


@dataclass
class Client:
    cid: str
    url: str
    sessionid: str | None
    origin: str | None
    board: str
    phase_ns: int
    period_ns: int
    expected: int  # deliveries from peers this participant should get in the window
    own: int  # its own edits in the window
    kind: str
    ws: ClientConnection | None = None
    sticky: str | None = None
    welcome: asyncio.Future[dict[str, Any]] | None = None
    added: asyncio.Future[str] | None = None
    received: int = 0
    confirmed: int = 0
    send_failures: int = 0
    closed: str | None = None


@dataclass
class Recorder:
    window: tuple[int, int] = (2**62, 2**62)
    peer_sched: list[int] = field(default_factory=list)
    peer_recv: list[int] = field(default_factory=list)
    self_sched: list[int] = field(default_factory=list)
    self_recv: list[int] = field(default_factory=list)
    frames: Counter[str] = field(default_factory=Counter)
    frame_bytes: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    error_examples: list[str] = field(default_factory=list)

    def note(self, scheduled: int, now: int, *, own: bool) -> bool | None:
        """Note an edit's patch received at `now`: the sender's own confirmation or a peer's
        delivery. Whether it was the sender's own, or None when scheduled outside the window."""
        start, end = self.window
        if not start <= scheduled < end:
            return None
        if own:
            self.self_sched.append(scheduled)
            self.self_recv.append(now)
        else:
            self.peer_sched.append(scheduled)
            self.peer_recv.append(now)
        return own


def keep_worker_logs(folder: Path, prefix: str) -> None:
    """Copy a failed load's worker logs to results/logs/, named after `prefix`."""
    keep = RESULTS / "logs"
    keep.mkdir(parents=True, exist_ok=True)
    for log in folder.glob("worker-*.log"):
        shutil.copy(log, keep / f"{prefix}-{log.name}")


async def read(client: Client, recorder: Recorder) -> None:
    assert client.ws is not None
    try:
        async for frame in client.ws:
            now = time.monotonic_ns()
            if not isinstance(frame, str):
                continue
            if frame.startswith(PATCH_PREFIX):
                # The op from the frame's head, unparsed: (r)'s reveals are tens of KiB. The
                # agenda's patches ((r), benchmarks/traffic.py) are counted apart.
                head = PATCH_HEAD.match(frame)
                op = (head.group(2) if head else None) or ""
                kind = "agenda" if op.startswith("agenda:") else "patch"
                recorder.frames[kind] += 1
                recorder.frame_bytes[kind] += len(frame)
                parts = op.split("-")
                if len(parts) == 3:
                    own = recorder.note(int(parts[2]), now, own=parts[0] == client.cid)
                    if own is not None:
                        client.confirmed += own
                        client.received += not own
                elif op.startswith("flood:") and op != "flood:add":  # (k): benchmarks/flood.py
                    recorder.frames["flood"] += 1
                elif op == f"{client.cid}-add" and client.added and not client.added.done():
                    client.added.set_result(json.loads(frame)["entities"][0]["id"])
                continue
            if frame.startswith(PRESENCE_PREFIX):  # large (everyone present, rendered): skip
                recorder.frames["presence"] += 1
                recorder.frame_bytes["presence"] += len(frame)
                continue
            message = json.loads(frame)
            kind = str(message.get("type"))
            recorder.frames[kind] += 1
            recorder.frame_bytes[kind] += len(frame)
            if kind == "welcome" and client.welcome and not client.welcome.done():
                client.welcome.set_result(message)
            elif kind == "ack" and client.added and not client.added.done():
                client.added.set_exception(RuntimeError(f"add already applied: {frame[:300]}"))
            elif kind == "error":
                recorder.errors[str(message.get("code"))] += 1
                if len(recorder.error_examples) < 5:
                    recorder.error_examples.append(frame[:300])
                if client.added and not client.added.done() and message.get("op"):
                    client.added.set_exception(RuntimeError(f"add refused: {frame[:300]}"))
    except ConnectionClosed as closed:
        client.closed = f"{closed.rcvd.code if closed.rcvd else 'no close frame'}"
        return
    if client.ws.close_code not in (None, 1000):
        client.closed = str(client.ws.close_code)


async def connect_one(
    client: Client,
    recorder: Recorder,
    gate: asyncio.Semaphore,
    p2pboard: bool,
    connection: type[ClientConnection] = ClientConnection,
) -> asyncio.Task[None]:
    async with gate:
        client.ws = await open_socket(
            client.url, sessionid=client.sessionid, origin=client.origin, connection=connection
        )
        client.welcome = asyncio.get_running_loop().create_future()
        reader = asyncio.create_task(read(client, recorder))
        if p2pboard:
            await asyncio.wait_for(client.welcome, 300)
    return reader


async def add_own_sticky(client: Client) -> None:
    """The participant's sticky, which it will keep editing: an event or a parked note."""
    assert client.ws is not None
    client.added = asyncio.get_running_loop().create_future()
    add = {
        "type": "add",
        "op": f"{client.cid}-add",
        "kind": client.kind,
        "text": f"Sticky of {client.cid}",
        "place": {"parked": client.kind != "event"},
    }
    await client.ws.send(json.dumps(add))
    client.sticky = await asyncio.wait_for(client.added, 300)


async def send_on_schedule(client: Client, start: int, end: int, p2pboard: bool) -> None:
    assert client.ws is not None
    k = 0
    while True:
        scheduled = start + client.phase_ns + k * client.period_ns
        if scheduled >= end:
            return
        delay = scheduled - time.monotonic_ns()
        if delay > 0:
            await asyncio.sleep(delay / 1e9)
        op = f"{client.cid}-{k}-{scheduled}"
        command: dict[str, Any] = {"type": "update", "op": op, "text": f"Edit {k} by {client.cid}"}
        if p2pboard:
            command["sticky"] = client.sticky
        try:
            await client.ws.send(json.dumps(command))
        except ConnectionClosed:
            client.send_failures += 1
            return
        k += 1


async def report_progress(clients: list[Client], started: float) -> None:
    """Say on stderr (the worker's log) how setting up goes, every 10 s."""
    while True:
        await asyncio.sleep(10)
        connected = sum(c.ws is not None for c in clients)
        welcomed = sum(bool(c.welcome and c.welcome.done()) for c in clients)
        added = sum(c.sticky is not None for c in clients)
        print(
            f"{time.monotonic() - started:.0f} s: {connected} connected, {welcomed} welcomed, "
            f"{added} added of {len(clients)}",
            file=sys.stderr,
            flush=True,
        )


async def work(spec: dict[str, Any], out: Path) -> None:
    p2pboard = spec["target"] == "p2pboard"
    clients = [
        Client(
            cid=c["cid"],
            url=c["url"],
            sessionid=c.get("sessionid"),
            origin=c.get("origin"),
            board=c["board"],
            phase_ns=int(c["phase"] * 1e9),
            period_ns=int(c["period"] * 1e9),
            expected=c["expected"],
            own=c["own"],
            kind=c["kind"],
        )
        for c in spec["clients"]
    ]
    recorder = Recorder()
    gate = asyncio.Semaphore(32)
    loop = asyncio.get_running_loop()
    set_up_started = time.monotonic()
    progress = asyncio.create_task(report_progress(clients, set_up_started))
    readers = list(
        await asyncio.gather(*(connect_one(c, recorder, gate, p2pboard) for c in clients))
    )
    connected_s = time.monotonic() - set_up_started
    if p2pboard:
        await asyncio.gather(*(add_own_sticky(c) for c in clients))
    progress.cancel()
    added = f", added in {time.monotonic() - set_up_started - connected_s:.2f} s"
    print(f"ready {len(clients)} connected in {connected_s:.2f} s{added if p2pboard else ''}",
          flush=True)  # fmt: skip

    line = await loop.run_in_executor(None, sys.stdin.readline)
    t0 = int(line.split()[1])
    warmup, measure = int(spec["warmup"] * 1e9), int(spec["measure"] * 1e9)
    recorder.window = (t0 + warmup, t0 + warmup + measure)
    end = t0 + warmup + measure
    await asyncio.gather(*(send_on_schedule(c, t0, end, p2pboard) for c in clients))

    # Drain: until every participant has had what it should, or the drain time is up.
    deadline = end + int(spec["drain"] * 1e9)
    while time.monotonic_ns() < deadline:
        if all(c.received >= c.expected and c.confirmed >= c.own for c in clients):
            break
        await asyncio.sleep(0.05)
    drained_after = (time.monotonic_ns() - end) / 1e9

    await asyncio.gather(*(c.ws.close() for c in clients if c.ws is not None))
    for task in readers:
        task.cancel()

    sched = np.array(recorder.peer_sched, dtype=np.int64)
    own = np.array(recorder.self_sched, dtype=np.int64)
    np.savez(
        out.with_suffix(".npz"),
        peer_sched=sched,
        peer_lat=np.array(recorder.peer_recv, dtype=np.int64) - sched,
        self_sched=own,
        self_lat=np.array(recorder.self_recv, dtype=np.int64) - own,
    )
    stats = {
        "clients": len(clients),
        "expected": sum(c.expected for c in clients),
        "received": sum(c.received for c in clients),
        "own_expected": sum(c.own for c in clients),
        "own_confirmed": sum(c.confirmed for c in clients),
        "send_failures": sum(c.send_failures for c in clients),
        "closed": Counter(c.closed for c in clients if c.closed),
        "frames": dict(recorder.frames),
        "frame_bytes": dict(recorder.frame_bytes),
        "errors": dict(recorder.errors),
        "error_examples": recorder.error_examples,
        "drained_after_s": round(drained_after, 3),
        "t0": t0,
    }
    out.with_suffix(".json").write_text(json.dumps(stats))
    print("done", flush=True)


# ----- the parent's side -----


class Worker:
    """One worker process, driven over its stdin and stdout: `python -m MODULE SPEC OUT` (this
    module's load worker, or another's: benchmarks/agenda.py's listeners, benchmarks/flood.py)."""

    def __init__(
        self,
        spec: dict[str, Any],
        folder: Path,
        number: int | str,
        module: str = "benchmarks.loadgen",
    ) -> None:
        self.spec_path = folder / f"worker-{number}.spec.json"
        self.out = folder / f"worker-{number}"
        self.spec_path.write_text(json.dumps(spec))
        self.log = (folder / f"worker-{number}.log").open("wb")
        self.process = subprocess.Popen(
            [PYTHON, "-m", module, str(self.spec_path), str(self.out)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            start_new_session=True,
            text=True,
            env=os.environ | LEAN_MALLOC,
        )
        self.set_up_s = 0.0

    @property
    def pid(self) -> int:
        return self.process.pid

    def expect(self, word: str, timeout: float) -> str:
        """The worker's next line, which must start with `word`."""
        assert self.process.stdout is not None
        result: list[str] = []
        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(self.process.stdout.readline)
            try:
                result.append(future.result(timeout))
            except TimeoutError:
                self.stop()
                raise RuntimeError(
                    f"worker did not say {word!r} within {timeout} s; see {self.log.name}"
                ) from None
        line = result[0]
        if not line.startswith(word):
            self.log.flush()
            tail = Path(self.log.name).read_text()[-2000:]
            last = tail.strip().splitlines()[-1] if tail.strip() else "no output"
            raise RuntimeError(f"worker said {line!r}, not {word!r}: {last}\n{tail}")
        return line

    def start(self, t0: int) -> None:
        self.tell(f"start {t0}")

    def tell(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(f"{line}\n")
        self.process.stdin.flush()

    def results(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        with np.load(self.out.with_suffix(".npz")) as arrays:
            data = {name: arrays[name] for name in arrays.files}
        return data, json.loads(self.out.with_suffix(".json").read_text())

    def stop(self) -> None:
        from benchmarks.servers import stop_process

        stop_process(self.process)  # type: ignore[arg-type]
        self.log.close()


if __name__ == "__main__":
    spec_file, out_file = Path(sys.argv[1]), Path(sys.argv[2])
    asyncio.run(work(json.loads(spec_file.read_text()), out_file))
