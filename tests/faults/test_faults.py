"""Faults against real processes: two Uvicorn processes of p2pboard on one Redis and a durable
PostgreSQL, 20 scripted people editing one board over real sockets, and, one at a time with
edits flowing, Redis restarted, PostgreSQL crashed (`pg_ctl stop -m immediate`, then started)
and one app process killed with SIGKILL (its people reconnect to the other; it is started
again). At the end every person's board equals the database, every change confirmed to its
sender is in the database, and every change made during an outage was either confirmed in the
end or refused to its author."""

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from tests.faults.client import Change, LiveClient, Server
from tests.faults.conftest import Deployment, eventually
from tests.socket.simulated import SimulatedClient

EDITORS = 20  # the facilitator and 19 participants
PACE = 0.45  # seconds between one person's changes, on average
CALM = 4.0  # seconds of editing before the first fault and after each one
LOGGED = ["Exception in ASGI application", "A change could not be committed", "Lost Redis"]


class Outages(list[tuple[str, float, float]]):
    """When each fault began and when what it broke was back."""

    @contextlib.asynccontextmanager
    async def outage(self, name: str) -> AsyncIterator[None]:
        began = time.monotonic()
        yield
        self.append((name, began, time.monotonic()))

    def near(self, moment: float) -> str:
        """When `moment` was, said against the faults."""
        for name, began, ended in reversed(self):
            if moment >= began:
                return f"{moment - began:.1f} s after the start of: {name} ({ended - began:.1f} s)"
        return "before the faults"

    def during(self, change: Change) -> str | None:
        for name, began, ended in self:
            if began <= change.made <= ended:
                return name
        return None


def grew(client: LiveClient) -> Callable[[], bool]:
    """Whether `client` sees more stickies than it does now."""
    now = len(client.view)
    return lambda: len(client.view) > now


async def in_thread(work: Callable[[], Any]) -> None:
    """Start or stop a server without stopping the people's event loop meanwhile."""
    await asyncio.to_thread(work)


def restarted(work: Callable[[], Any], then: Callable[[], Any]) -> Callable[[], Awaitable[None]]:
    async def fault() -> None:
        await in_thread(work)
        await asyncio.sleep(1.0)  # down for a second, edits still coming
        await in_thread(then)

    return fault


def tally(clients: list[LiveClient], outages: Outages, lost: list[str]) -> dict[str, Any]:
    """The figures of a run: what was made, confirmed, refused and lost, in all and during
    each outage, and how the people's sockets fared."""
    changes = [change for client in clients for change in client.changes.values()]
    refused = [change for change in changes if change.outcome == "refused"]
    gaps = [gap for client in clients for gap in client.gaps] or [(0.0, 0.0)]
    longest = max(gaps, key=lambda gap: gap[1])
    during = Counter[str]()
    for change in changes:
        if outage := outages.during(change):
            during[f"{outage} / attempted"] += 1
            during[f"{outage} / {change.outcome}"] += 1
            if change.refusals:
                during[f"{outage} / refused at least once, visibly"] += 1
    return {
        "faults survived": [name for name, *_ in outages],
        "outage seconds": [round(ended - began, 1) for _, began, ended in outages],
        "changes made": len(changes),
        "confirmed": sum(change.outcome == "confirmed" for change in changes),
        "confirmed by ack (applied before)": sum(c.confirmed_by == "ack" for c in changes),
        # Said `failed`, yet applied: a commit whose answer a crash cut off (in doubt).
        "failed, then acknowledged": sum(
            "failed" in c.refusals and c.confirmed_by == "ack" for c in changes
        ),
        "refused in the end": Counter(change.refusals[-1] for change in refused),
        "lost": len(lost),
        "during outages": dict(sorted(during.items())),
        "refusals said": Counter(
            f"{code}: {said}"
            for change in changes
            for code, said in zip(change.refusals, change.said, strict=True)
        ),
        "errors without op": sum((c.errors_without_op for c in clients), Counter[str]()),
        "reconnections": sum(sum(c.connects.values()) - 1 for c in clients),
        "closes": sum((c.closes for c in clients), Counter[str]()),
        "syncs": sum(c.syncs for c in clients),
        "longest open gap (s)": round(longest[1], 2),
        "it opened": outages.near(longest[0]),
    }


@pytest.mark.timeout(180)
async def test_no_confirmed_change_is_lost_through_crashes_and_restarts(
    deployment: Deployment,
) -> None:
    started = time.monotonic()
    board = deployment.database("setup", {"participants": EDITORS})  # the last one probes
    for app in deployment.apps:
        app.wait_ready()
    first, second = (Server(app.ws_url, app.url) for app in deployment.apps)
    people = board["people"]
    clients = [
        LiveClient(
            person["name"],
            board["slug"],
            person["session"],
            servers=[first, second] if number % 2 == 0 else [second, first],
            facilitator=number == 0,
        )
        for number, person in enumerate(people[:EDITORS])
    ]
    running = [asyncio.create_task(client.run()) for client in clients]
    await eventually("all connected", lambda: all(c.me for c in clients), timeout=15)
    editing = [
        asyncio.create_task(client.edit(PACE, seed=number)) for number, client in enumerate(clients)
    ]
    set_up = time.monotonic() - started

    postgres, redis, victim = deployment.postgres, deployment.redis, deployment.apps[0]
    faults = {
        "Redis restarted": restarted(redis.stop, redis.start),
        "PostgreSQL crashed (immediate stop)": restarted(postgres.crash, postgres.start),
        "an app process killed (SIGKILL)": restarted(
            victim.kill, lambda: victim.launch().wait_ready()
        ),
    }
    outages = Outages()
    await asyncio.sleep(CALM)
    for name, fault in faults.items():
        async with outages.outage(name):
            await fault()
        await asyncio.sleep(CALM)

    for task in editing:
        task.cancel()
    await eventually("settled", lambda: all(c.settled for c in clients), timeout=30)

    # The restarted process serves, and changes cross between the processes through the
    # restarted Redis both ways.
    probe = LiveClient(
        people[EDITORS]["name"], board["slug"], people[EDITORS]["session"], servers=[first]
    )
    running.append(asyncio.create_task(probe.run()))
    await eventually("the probe connected", lambda: probe.settled, 10)
    on_second = next(c for c in clients if c.connection and c.servers[c.server] == second)
    for sender, receiver in ((on_second, probe), (probe, on_second)):
        heard = grew(receiver)
        message = sender.command(
            {"type": "add", "kind": "event", "text": "after the storm", "place": {"parked": True}}
        )
        await sender.send(message)
        await eventually("the other process's patch", heard, timeout=5)
    everyone = [*clients, probe]
    await eventually("settled", lambda: all(c.settled for c in everyone), timeout=10)
    syncs_after_probe = probe.syncs
    stored = deployment.database("state", {"workshop": board["workshop"]})
    for client in everyone:
        await client.stop()
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)

    assert stored["durability"] == {
        "fsync": "on",
        "synchronous_commit": "on",
        "full_page_writes": "on",
    }
    applied = {(participant, op) for participant, op in stored["operations"]}
    changes = [(client, change) for client in clients for change in client.changes.values()]
    lost = [
        f"{c.name} {ch.op}" for c, ch in changes if ch.confirmed_by and (c.me, ch.op) not in applied
    ]
    refused_yet_applied = [
        f"{c.name} {ch.op}"
        for c, ch in changes
        if ch.outcome == "refused" and (c.me, ch.op) in applied
    ]
    waiting = [f"{c.name} {ch.op}" for c, ch in changes if ch.outcome == "waiting"]
    summary = tally(clients, outages, lost) | {
        "set-up s": round(set_up, 1),
        "total s": round(time.monotonic() - started, 1),
        "app log": {word: len(deployment.log_lines(word)) for word in LOGGED},
    }
    print("fault test:", summary)

    assert not lost, f"confirmed but not in the database: {lost}"
    assert not waiting, f"neither confirmed nor refused: {waiting}"
    assert not refused_yet_applied, f"refused, yet in the database: {refused_yet_applied}"
    for name, _, ended in outages:  # edits went through again after each fault
        assert any(change.made > ended and change.confirmed_by for _, change in changes), name
    assert any(key.endswith("attempted") for key in summary["during outages"])
    expected = SimulatedClient("the database", board["slug"], "")
    expected.apply([stored["board"]])  # read as the page reads it
    for client in everyone:
        assert client.me is not None
        assert client.view == {
            sticky: tuple(state) for sticky, state in stored["views"][str(client.me)].items()
        }, client.name
        if stored["board"]["version"] > 1:  # the board's own state changed: the newest
            assert client.board == expected.board, client.name
    assert syncs_after_probe == 1  # only its first catch-up: the two patches came live
