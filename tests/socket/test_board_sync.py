"""Board commands over the websocket: committed, then broadcast to every socket with the
board's sequence number; resent commands applied once; catching up after a gap."""

from typing import Any

import pytest
from channels.db import database_sync_to_async

from tests.socket.conftest import Socket, session_for
from workshops import services
from workshops.models import Operation, Participant, Sticky, Workshop
from workshops.protocol import Place

pytestmark = pytest.mark.django_db(transaction=True)

TIMELINE = {"parked": False, "event": None}
PARKING = {"parked": True, "event": None}


async def joined(sockets: list[Socket], board: Workshop, **who: Any) -> Socket:
    socket = Socket(board.slug, await session_for(**who))
    sockets.append(socket)
    connected, _ = await socket.connect()
    assert connected
    await socket.receive_type("welcome")
    return socket


async def settled(*sockets: Socket) -> None:
    for socket in sockets:
        await socket.drain()


def add(
    op: str, text: str, kind: str = "event", place: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {"type": "add", "op": op, "kind": kind, "text": text, "place": place or TIMELINE}


@database_sync_to_async
def stored(board: Workshop) -> list[tuple[str, str, bool, int]]:
    return [
        (s.text, s.kind, s.parked, s.version)
        for s in Sticky.objects.filter(workshop=board, deleted_at__isnull=True).order_by("text")
    ]


async def test_an_added_sticky_reaches_everyone_with_the_next_sequence_number(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    fran = await joined(sockets, board, user=board.owner)
    ally = await joined(sockets, board, participant=alice)
    await settled(fran, ally)

    await ally.send(add("a-1", "Code reviewed"))
    for socket in (fran, ally):
        patch = await socket.receive_type("patch")
        assert patch["seq"] == 1 and patch["op"] == "a-1" and patch["by"] == alice.pk
        [state] = patch["entities"]
        assert state["kind"] == "event" and not state["parked"] and state["version"] == 1
        assert "Code reviewed" in state["html"] and f'id="s-{state["id"]}"' in state["html"]
    assert await stored(board) == [("Code reviewed", "event", False, 1)]


async def test_each_socket_gets_each_patch_once(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    """With Redis, a process writes its own patches to its sockets at once and skips them when
    they come back through Redis: never twice."""
    fran = await joined(sockets, board, user=board.owner)
    ally = await joined(sockets, board, participant=alice)
    await settled(fran, ally)
    await ally.send(add("a-1", "Code reviewed"))
    await ally.send(add("a-2", "Deployed"))
    for socket in (fran, ally):
        got = [await socket.receive_type("patch"), await socket.receive_type("patch")]
        assert [(patch["op"], patch["seq"]) for patch in got] == [("a-1", 1), ("a-2", 2)]
        assert await socket.nothing_more()


async def test_every_command_changes_the_board_once_and_in_order(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    ally = await joined(sockets, board, participant=alice)
    await settled(ally)
    await ally.send(add("1", "Deployed"))
    deployed = (await ally.receive_type("patch"))["entities"][0]["id"]
    await ally.send({**add("2", "Built"), "after": None})
    built = (await ally.receive_type("patch"))["entities"][0]["id"]
    await ally.send(add("3", "Jenkins", "system", {"parked": False, "event": built}))
    jenkins = (await ally.receive_type("patch"))["entities"][0]["id"]
    await ally.send({"type": "update", "op": "4", "sticky": built, "text": "Built and tested"})
    assert "Built and tested" in (await ally.receive_type("patch"))["entities"][0]["html"]
    await ally.send(
        {
            "type": "move",
            "op": "5",
            "sticky": jenkins,
            "place": {"parked": False, "event": deployed},
        }
    )
    assert (await ally.receive_type("patch"))["entities"][0]["event"] == deployed
    await ally.send({"type": "update", "op": "6", "sticky": deployed, "parallel": True})
    assert "is-parallel" in (await ally.receive_type("patch"))["entities"][0]["html"]
    await ally.send({"type": "delete", "op": "7", "sticky": deployed})
    deleted = (await ally.receive_type("patch"))["entities"]
    assert {s["id"]: s.get("deleted") for s in deleted} == {deployed: True, jenkins: False}
    await ally.send({"type": "restore", "op": "8", "sticky": deployed})
    restored = await ally.receive_type("patch")
    assert restored["seq"] == 8 and not restored["entities"][0]["deleted"]

    assert await stored(board) == [
        ("Built and tested", "event", False, 2),
        ("Deployed", "event", False, 4),
        ("Jenkins", "system", False, 4),  # back under "Deployed" with it
    ]
    seqs = await database_sync_to_async(
        lambda: list(Operation.objects.filter(workshop=board).values_list("seq", flat=True))
    )()
    assert seqs == list(range(1, 9))


async def test_a_resent_command_is_applied_once_and_confirmed_again(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    ally = await joined(sockets, board, participant=alice)
    await settled(ally)
    await ally.send(add("same-id", "Merged"))
    assert (await ally.receive_type("patch"))["seq"] == 1
    await ally.send(add("same-id", "Merged"))
    assert await ally.receive_type("ack") == {"type": "ack", "op": "same-id", "seq": 1}
    assert await stored(board) == [("Merged", "event", False, 1)]


async def test_a_resend_after_reconnecting_is_applied_once(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    ally = await joined(sockets, board, participant=alice)
    await settled(ally)
    await ally.send(add("before-drop", "Released"))
    await ally.receive_type("patch")
    await ally.close()

    again = await joined(sockets, board, participant=alice)
    await again.send(add("before-drop", "Released"))
    assert (await again.receive_type("ack"))["seq"] == 1
    assert await stored(board) == [("Released", "event", False, 1)]


async def test_a_client_that_missed_changes_catches_up_from_the_log(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    fran = await joined(sockets, board, user=board.owner)
    await settled(fran)
    await fran.send(add("f1", "Approved"))
    approved = (await fran.receive_type("patch"))["entities"][0]["id"]

    # Alice's laptop sleeps through three changes...
    me = await database_sync_to_async(services.facilitator_participant)(
        workshop=board, user=board.owner
    )
    for text in ("Tested", "Deployed"):
        await database_sync_to_async(services.sticky_add)(
            workshop=board, by=me, op=None, kind="event", text=text, place=Place(parked=False)
        )
    await database_sync_to_async(services.sticky_delete)(
        workshop=board, by=me, op=None, sticky_id=approved
    )
    # ...and asks for what came after the last sequence number it holds.
    ally = await joined(sockets, board, participant=alice)
    await ally.send({"type": "sync", "since": 1})
    catch_up = await ally.receive_type("catchup")
    assert catch_up["seq"] == 4
    states = {s["id"]: s for s in catch_up["entities"]}
    assert len(states) == 3 and states[approved]["deleted"]
    await ally.send({"type": "sync", "since": 4})
    assert (await ally.receive_type("catchup"))["entities"] == []


async def test_a_client_that_missed_too_much_gets_the_whole_board(
    sockets: list[Socket], board: Workshop, alice: Participant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workshops.limits import Limits
    from workshops.services import catchup

    monkeypatch.setattr(catchup, "LIMITS", Limits(catch_up_operations=2))
    ally = await joined(sockets, board, participant=alice)
    await settled(ally)
    for number in range(3):
        await ally.send(add(f"n{number}", f"Step {number}"))
        await ally.receive_type("patch")
    await ally.send({"type": "sync", "since": 0})
    snapshot = await ally.receive_type("snapshot")
    assert snapshot["seq"] == 3
    assert all(f"Step {n}" in snapshot["html"] for n in range(3))
    await ally.send({"type": "sync", "since": 99})
    assert (await ally.receive_type("snapshot"))["seq"] == 3


async def test_an_observer_changes_nothing(sockets: list[Socket], board: Workshop) -> None:
    watcher = await joined(sockets, board, observing=board)
    await watcher.send(add("o1", "Sneaky"))
    error = await watcher.receive_type("error")
    assert error["code"] == "not_allowed" and error["op"] == "o1"
    assert await stored(board) == []
    await watcher.send({"type": "ping"})
    assert (await watcher.receive_type("pong"))["seq"] == 0


async def test_a_sticky_of_another_workshop_is_out_of_reach(
    sockets: list[Socket], board: Workshop, other_board: Workshop, alice: Participant
) -> None:
    owner_there = await database_sync_to_async(services.facilitator_participant)(
        workshop=other_board, user=other_board.owner
    )
    theirs = await database_sync_to_async(services.sticky_add)(
        workshop=other_board, by=owner_there, op=None, kind="event", text="Theirs",
        place=Place(parked=False),
    )  # fmt: skip
    ally = await joined(sockets, board, participant=alice)
    for command in (
        {"type": "update", "op": "x1", "sticky": str(theirs.pk), "text": "Mine now"},
        {"type": "delete", "op": "x2", "sticky": str(theirs.pk)},
        {"type": "move", "op": "x3", "sticky": str(theirs.pk), "place": PARKING},
        add("x4", "Under theirs", "pain", {"parked": False, "event": str(theirs.pk)}),
    ):
        await ally.send(command)
        error = await ally.receive_type("error")
        assert error["op"] == command["op"] and error["code"] in {"gone", "invalid"}
    await database_sync_to_async(theirs.refresh_from_db)()
    assert theirs.text == "Theirs" and theirs.deleted_at is None
    assert await stored(board) == []


async def test_an_edit_of_a_sticky_deleted_meanwhile_is_refused_kindly(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    fran = await joined(sockets, board, user=board.owner)
    ally = await joined(sockets, board, participant=alice)
    await settled(fran, ally)
    await fran.send(add("f1", "Signed off"))
    sticky = (await fran.receive_type("patch"))["entities"][0]["id"]
    await ally.receive_type("patch")
    await fran.send({"type": "delete", "op": "f2", "sticky": sticky})
    await ally.receive_type("patch")  # ally's screen has not caught up with it yet, say
    await ally.send({"type": "update", "op": "a1", "sticky": sticky, "text": "Signed off twice"})
    error = await ally.receive_type("error")
    assert error["code"] == "gone" and "deleted" in error["message"]
    assert await stored(board) == []


@pytest.mark.parametrize(
    ("command", "code"),
    [
        ({"type": "add", "op": "b1", "kind": "event", "text": "", "place": TIMELINE}, "invalid"),
        (
            {"type": "add", "op": "b2", "kind": "event", "text": "x" * 281, "place": TIMELINE},
            "invalid",
        ),
        (
            {"type": "add", "op": "b3", "kind": "unicorn", "text": "Hi", "place": TIMELINE},
            "invalid",
        ),
        ({"type": "add", "op": "b4", "kind": "event", "text": 42, "place": TIMELINE}, "invalid"),
        (
            {"type": "add", "op": "b5", "kind": "event", "text": "Hi", "place": "timeline"},
            "invalid",
        ),
        ({"type": "add", "kind": "event", "text": "No op id", "place": TIMELINE}, "invalid"),
        ({"type": "update", "op": "b6", "sticky": "not-a-uuid", "text": "Hi"}, "invalid"),
        (
            {"type": "update", "op": "b7", "sticky": "0c9c41ac-3c2f-4bde-9d3a-111111111111"},
            "invalid",
        ),
        (
            {
                "type": "move",
                "op": "b8",
                "sticky": "0c9c41ac-3c2f-4bde-9d3a-111111111111",
                "place": TIMELINE,
            },
            "gone",
        ),
        ({"type": "sync", "since": -1}, "invalid"),
        (
            {
                "type": "add",
                "op": "b9",
                "kind": "pain",
                "text": "Hurts",
                "place": {"parked": False},
            },
            "invalid",
        ),
    ],
)
async def test_bad_commands_get_a_clear_error_and_change_nothing(
    sockets: list[Socket], board: Workshop, alice: Participant, command: dict[str, Any], code: str
) -> None:
    ally = await joined(sockets, board, participant=alice)
    await ally.send(command)
    error = await ally.receive_type("error")
    assert error["code"] == code and error["message"]
    assert await stored(board) == []
    await ally.send({"type": "ping"})
    assert (await ally.receive_type("pong"))["seq"] == 0


async def test_someone_editing_a_sticky_is_shown_to_the_others(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    fran = await joined(sockets, board, user=board.owner)
    ally = await joined(sockets, board, participant=alice)
    await settled(fran, ally)
    sticky = "0c9c41ac-3c2f-4bde-9d3a-222222222222"
    await ally.send({"type": "editing", "sticky": sticky})
    marker = await fran.receive_type("editing")
    assert marker["participant"] == alice.pk and marker["name"] == "Alice"
    assert marker["sticky"] == sticky
    await ally.close()
    assert (await fran.receive_type("editing"))["sticky"] is None


async def test_a_stale_text_edit_is_refused_over_the_socket_with_the_current_text(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    bob = await database_sync_to_async(services.participant_join)(workshop=board, name="Bob")
    ally = await joined(sockets, board, participant=alice)
    robert = await joined(sockets, board, participant=bob)
    await ally.send(add("a1", "Review"))
    sticky = (await ally.receive_type("patch"))["entities"][0]
    assert sticky["text_version"] == 1
    await settled(ally, robert)
    # Both opened the editor at text version 1; Bob saves first.
    await robert.send(
        {"type": "update", "op": "b1", "sticky": sticky["id"], "text": "Peer review", "base": 1}
    )
    assert (await ally.receive_type("patch"))["entities"][0]["text_version"] == 2
    await robert.receive_type("patch")  # his own, confirming it
    await ally.send(
        {"type": "update", "op": "a2", "sticky": sticky["id"], "text": "Code reviewed", "base": 1}
    )
    conflict = await ally.receive_type("conflict")
    assert conflict == {
        "type": "conflict", "op": "a2", "sticky": sticky["id"], "text": "Peer review",
        "text_version": 2,
        "message": "Someone else changed this sticky's text while you were editing it.",
    }  # fmt: skip
    assert await robert.nothing_more()  # nothing was changed, so nothing was broadcast
    assert await stored(board) == [("Peer review", "event", False, 2)]
    # Alice chooses to keep hers, knowingly: based on the text she was shown.
    await ally.send(
        {"type": "update", "op": "a3", "sticky": sticky["id"], "text": "Code reviewed", "base": 2}
    )
    assert (await robert.receive_type("patch"))["entities"][0]["text"] == "Code reviewed"


async def test_someone_elses_op_ids_neither_collide_with_nor_confirm_ones_own(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    mallory = await database_sync_to_async(services.participant_join)(workshop=board, name="Mal")
    ally = await joined(sockets, board, participant=alice)
    mal = await joined(sockets, board, participant=mallory)
    await ally.send(add("k3j9x0ab-1", "Story picked up"))
    seen = await mal.receive_type("patch")
    assert seen["op"] == "k3j9x0ab-1" and seen["by"] == alice.pk
    # Mallory guesses Alice's next op ids from the one she saw, and uses them first.
    for number in range(2, 6):
        await mal.send(add(f"k3j9x0ab-{number}", f"Mallory's {number}", "pain", PARKING))
        assert (await mal.receive_type("patch"))["by"] == mallory.pk
    await settled(ally, mal)
    await ally.send(add("k3j9x0ab-2", "Code reviewed"))
    mine = await ally.receive_type("patch")  # applied, not acknowledged as a resend
    assert (mine["op"], mine["by"], mine["entities"][0]["text"]) == (
        "k3j9x0ab-2", alice.pk, "Code reviewed",
    )  # fmt: skip
