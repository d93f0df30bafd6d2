"""What each viewer may see: during a silent brainstorm a sticky reaches its author alone, in
every frame, page, catch-up, snapshot, history row and export, until the facilitator reveals it;
everyone still gets a patch for every sequence number."""

import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.socket.conftest import Socket
from tests.socket.test_board_sync import PARKING, TIMELINE, add, joined, settled
from workshops.access import remember_participant
from workshops.models import Participant, Sticky, Workshop

pytestmark = pytest.mark.django_db(transaction=True)

CANARY = "Canary 7f3a: signed off by the CAB"


class Listening:
    """Every text frame a socket received, in order."""

    def __init__(self, socket: Socket) -> None:
        self.socket = socket
        self.frames: list[str] = []

    async def take(self) -> None:
        while not await self.socket.communicator.receive_nothing(timeout=1.0):
            output = await self.socket.communicator.receive_output()
            if "text" in output:
                self.frames.append(output["text"])

    def messages(self, kind: str) -> list[dict[str, Any]]:
        found = (json.loads(frame) for frame in self.frames)
        return [message for message in found if message["type"] == kind]

    def saw(self, text: str) -> bool:
        return any(text in frame for frame in self.frames)

    def seqs(self) -> list[int]:
        return [message["seq"] for message in self.messages("patch")]


async def added(socket: Socket, op: str) -> str:
    """The id of the sticky this socket's command `op` added."""
    while True:
        patch = await socket.receive_type("patch")
        if patch["op"] == op:
            return str(patch["entities"][0]["id"])


async def everyone(sockets: list[Socket], board: Workshop, **people: Any) -> dict[str, Listening]:
    return {name: Listening(await joined(sockets, board, **who)) for name, who in people.items()}


@database_sync_to_async
def page(board: Workshop, route: str, **who: Any) -> str:
    client = Client()
    if "user" in who:
        client.force_login(who["user"])
    elif "participant" in who:
        session = client.session
        remember_participant(session, who["participant"])
        session.save()
    else:
        client.get(reverse("observe", args=[board.observer_token]))
    return client.get(reverse(route, args=[board.slug])).content.decode()


async def test_a_private_sticky_reaches_its_author_alone_until_the_reveal(
    sockets: list[Socket], board: Workshop, facilitator: User, alice: Participant, bob: Participant
) -> None:
    room = await everyone(
        sockets,
        board,
        fran={"user": facilitator},
        alice={"participant": alice},
        bob={"participant": bob},
        watcher={"observing": board},
    )
    fran, ally = room["fran"].socket, room["alice"].socket
    await settled(*(listening.socket for listening in room.values()))
    await fran.send({"type": "board", "op": "f1", "private_brainstorm": True})
    await ally.send(add("a1", CANARY))
    await ally.send(add("a2", CANARY + " (parked)", kind="pain", place=PARKING))
    await room["bob"].socket.send(add("b1", "Deployed to staging"))
    for listening in room.values():
        await listening.take()

    assert room["alice"].saw(CANARY)
    redacted = {"entity", "id", "version", "private", "by", "deleted"}
    for name in ("fran", "bob", "watcher"):
        listening = room[name]
        assert not listening.saw(CANARY), name
        assert listening.seqs() == [1, 2, 3, 4], name  # no gap: a patch for every change
        hidden = [
            (state["by"], set(state) == redacted)
            for patch in listening.messages("patch")
            for state in patch["entities"]
            if state.get("private") and "text" not in state
        ]
        others = [alice.pk, alice.pk] + ([] if name == "bob" else [bob.pk])
        assert sorted(hidden) == sorted((author, True) for author in others), name
    [mine] = [s for p in room["alice"].messages("patch") for s in p["entities"] if s.get("text")][
        :1
    ]
    assert mine["text"] == CANARY and mine["private"] is True


async def test_catch_up_snapshots_pages_history_and_exports_keep_a_private_sticky_private(
    sockets: list[Socket], board: Workshop, facilitator: User, alice: Participant, bob: Participant
) -> None:
    fran = await joined(sockets, board, user=facilitator)
    ally = await joined(sockets, board, participant=alice)
    await fran.send({"type": "board", "op": "f1", "private_brainstorm": True})
    await ally.send(add("a1", CANARY))
    sticky_id = await added(ally, "a1")
    await ally.send({"type": "update", "op": "a2", "sticky": sticky_id, "text": CANARY + "!"})
    await ally.receive_type("patch")

    others = [
        await joined(sockets, board, participant=bob),
        await joined(sockets, board, observing=board),
    ]
    for socket in [fran, *others]:
        await settled(socket)
        await socket.send({"type": "sync", "since": 0})
        assert CANARY not in json.dumps(await socket.receive_type("catchup"))
        await socket.send({"type": "sync", "since": 99})  # ahead of the board: a snapshot
        snapshot = await socket.receive_type("snapshot")
        assert CANARY not in json.dumps(snapshot) and snapshot["board"]["private_brainstorm"]
    await settled(ally)
    await ally.send({"type": "sync", "since": 99})
    assert CANARY in (await ally.receive_type("snapshot"))["html"]

    assert CANARY in await page(board, "board", participant=alice)
    for who in ({"participant": bob}, {"user": facilitator}, {}):
        assert CANARY not in await page(board, "board", **who)
    history = await page(board, "history", user=facilitator)
    assert "added a private event" in history and CANARY not in history
    assert CANARY not in await page(board, "export_json", user=facilitator)
    assert CANARY not in await page(board, "export_json", participant=alice)


async def test_nobody_but_its_author_can_touch_a_private_sticky(
    sockets: list[Socket], board: Workshop, facilitator: User, alice: Participant, bob: Participant
) -> None:
    fran = await joined(sockets, board, user=facilitator)
    ally = await joined(sockets, board, participant=alice)
    robert = await joined(sockets, board, participant=bob)
    await fran.send({"type": "board", "op": "f1", "private_brainstorm": True})
    await ally.send(add("a1", CANARY))
    sticky_id = await added(ally, "a1")
    await settled(fran, ally, robert)
    tries: list[dict[str, Any]] = [
        {"type": "update", "sticky": sticky_id, "text": "mine now"},
        {"type": "move", "sticky": sticky_id, "place": PARKING},
        {"type": "delete", "sticky": sticky_id},
    ]
    for socket in (robert, fran):
        for number, attempt in enumerate(tries):
            await socket.send({**attempt, "op": f"x{number}"})
            error = await socket.receive_type("error")
            assert error["code"] == "gone" and CANARY not in json.dumps(error), error
    note = add("b1", "Who approves?", kind="question", place={"parked": False, "event": sticky_id})
    await robert.send(note)
    assert (await robert.receive_type("error"))["code"] == "invalid"
    stored = await database_sync_to_async(Sticky.objects.get)(pk=sticky_id)
    assert (stored.text, stored.version, stored.deleted_at) == (CANARY, 1, None)


async def test_the_reveal_shows_everyone_every_private_sticky_at_once(
    sockets: list[Socket], board: Workshop, facilitator: User, alice: Participant, bob: Participant
) -> None:
    fran = await joined(sockets, board, user=facilitator)
    ally = await joined(sockets, board, participant=alice)
    robert = await joined(sockets, board, participant=bob)
    await fran.send({"type": "board", "op": "f1", "private_brainstorm": True})
    for number in range(3):
        await ally.send(add(f"a{number}", f"{CANARY} {number}"))
    await settled(fran, ally, robert)
    await fran.send({"type": "reveal", "op": "f2"})
    revealed = await robert.receive_type("patch")
    texts = sorted(s["text"] for s in revealed["entities"] if s["entity"] == "sticky")
    assert texts == [f"{CANARY} {number}" for number in range(3)]
    [state] = [s for s in revealed["entities"] if s["entity"] == "board"]
    assert state["private_brainstorm"] is False
    assert CANARY in await page(board, "board", participant=bob)
    await robert.send(add("b1", "Deployed", place=TIMELINE))
    assert (await robert.receive_type("patch"))["entities"][0]["private"] is False


@pytest.mark.parametrize("who", ["participant", "observer"])
async def test_only_facilitators_run_the_board(
    sockets: list[Socket], board: Workshop, alice: Participant, who: str
) -> None:
    socket = await joined(
        sockets, board, **({"participant": alice} if who == "participant" else {"observing": board})
    )
    await settled(socket)
    attempts: list[dict[str, Any]] = [
        {"type": "board", "title": "Mine now"},
        {"type": "board", "private_brainstorm": True},
        {"type": "reveal"},
        {"type": "end"},
        {"type": "starter", "starter": "enterprise"},
        {"type": "board", "locked": True},
        {"type": "board", "phase": "order"},
        {"type": "timer", "action": "start", "seconds": 60},
        {"type": "follow", "target": "parking"},
    ]
    for number, command in enumerate(attempts):
        await socket.send({**command, "op": f"o{number}"})
        error = await socket.receive_type("error")
        assert error["code"] == "not_allowed", command
    fresh = await database_sync_to_async(Workshop.objects.get)(pk=board.pk)
    assert (fresh.title, fresh.private_brainstorm, fresh.seq, fresh.ended_at, fresh.locked) == (
        board.title, False, 0, None, False,
    )  # fmt: skip
    assert (fresh.phase, fresh.timer_ends_at, fresh.follow) == (board.phase, None, "")


async def test_a_reveal_too_big_for_one_frame_is_announced_and_fetched_by_catching_up(
    sockets: list[Socket],
    board: Workshop,
    facilitator: User,
    alice: Participant,
    bob: Participant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from workshops import protocol
    from workshops.limits import Limits

    fran = await joined(sockets, board, user=facilitator)
    ally = await joined(sockets, board, participant=alice)
    robert = await joined(sockets, board, participant=bob)
    await fran.send({"type": "board", "op": "f1", "private_brainstorm": True})
    for number in range(12):
        await ally.send(add(f"a{number}", f"{CANARY} {number}"))
    await settled(fran, ally, robert)
    monkeypatch.setattr(protocol, "LIMITS", Limits(frame_out_bytes=4000))
    await fran.send({"type": "reveal", "op": "f2"})
    bulk = await robert.receive_type("bulk")
    assert set(bulk) == {"type", "seq", "op", "by"} and CANARY not in json.dumps(bulk)
    confirmed = await fran.receive_type("bulk")
    assert (confirmed["op"], confirmed["by"]) == ("f2", bulk["by"])
    await robert.send({"type": "sync", "since": bulk["seq"] - 1})
    caught_up = await robert.receive_type("catchup")
    revealed = [s for s in caught_up["entities"] if s.get("text", "").startswith(CANARY)]
    assert len(revealed) == 12
