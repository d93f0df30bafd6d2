"""What each socket may see of the phase work: hidden vote totals are the facilitators', a ballot
and a pick are their owner's alone (until a round's reveal shows every pick), and a pain point
posted without a name reaches the others without its author, in every frame."""

import asyncio
import json
import re
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.contrib.auth.models import User

from tests.socket.conftest import Socket
from tests.socket.test_board_sync import PARKING, add, joined, settled
from tests.socket.test_private_brainstorm import Listening, everyone, page
from workshops import services
from workshops.models import Participant, Workshop
from workshops.protocol import Place

pytestmark = pytest.mark.django_db(transaction=True)


def states(listening: Listening, entity: str) -> list[dict[str, Any]]:
    """Every state of this kind of entity the socket received, in patches and catch-ups."""
    return [
        state
        for kind in ("patch", "catchup")
        for message in listening.messages(kind)
        for state in message["entities"]
        if state["entity"] == entity
    ]


async def take(room: dict[str, Listening]) -> None:
    await asyncio.gather(*(listening.take() for listening in room.values()))


def embedded(html: str, name: str) -> Any:
    """The JSON a page embeds with json_script under this id."""
    found = re.search(rf'<script id="{name}" type="application/json">(.*?)</script>', html, re.S)
    assert found, name
    return json.loads(found.group(1))


def nobody_elses_ballot_or_pick(listening: Listening, me: int | None) -> None:
    for state in states(listening, "participant"):
        if state["id"] != me:
            assert "votes" not in state and "pick" not in state, state


@database_sync_to_async
def make_sticky(board: Workshop, by: Participant, text: str, kind: str) -> str:
    """A pain point in the parking area, or an event on the timeline; its id."""
    place = Place(parked=kind != "event")
    sticky = services.sticky_add(workshop=board, by=by, op=None, kind=kind, text=text, place=place)
    return str(sticky.pk)


async def make_pain(board: Workshop, by: Participant, text: str) -> str:
    return await make_sticky(board, by, text, "pain")


async def make_event(board: Workshop, by: Participant, text: str) -> str:
    return await make_sticky(board, by, text, "event")


async def test_hidden_votes_the_totals_for_facilitators_each_ballot_for_its_voter(
    sockets: list[Socket], board: Workshop, facilitator: User, alice: Participant, bob: Participant
) -> None:
    busy = await make_pain(board, alice, "Reviewers are busy")
    flaky = await make_pain(board, alice, "Flaky tests")
    room = await everyone(
        sockets,
        board,
        fran={"user": facilitator},
        alice={"participant": alice},
        bob={"participant": bob},
        watcher={"observing": board},
    )
    fran, ally, robert = (room[name].socket for name in ("fran", "alice", "bob"))
    await settled(*(listening.socket for listening in room.values()))

    await ally.send({"type": "vote", "op": "a1", "sticky": busy})
    await robert.send({"type": "vote", "op": "b1", "sticky": busy})
    await robert.send({"type": "vote", "op": "b2", "sticky": flaky})
    await robert.send({"type": "unvote", "op": "b3", "sticky": flaky})
    await take(room)

    people = {"fran": None, "alice": alice.pk, "bob": bob.pk, "watcher": None}
    for name, listening in room.items():
        assert listening.seqs() == [3, 4, 5, 6], name  # after the two pain points
        nobody_elses_ballot_or_pick(listening, people[name])
        tallies = states(listening, "tally")
        assert [tally["hidden"] for tally in tallies] == [True] * 4, name
        if name == "fran":
            assert tallies[-1]["totals"] == {busy: 2}
        else:
            assert all("totals" not in tally for tally in tallies), name
    for name in ("fran", "watcher"):
        assert states(room[name], "participant") == [], name  # not even that someone voted
        assert [(p["op"], p["by"]) for p in room[name].messages("patch")] == [(None, None)] * 4
    [mine] = [p for p in room["alice"].messages("patch") if p["op"] == "a1"]
    assert mine["by"] == alice.pk
    assert [s["votes"] for s in states(room["alice"], "participant")] == [{busy: 1}]
    assert [s["votes"] for s in states(room["bob"], "participant")] == [
        {busy: 1}, {busy: 1, flaky: 1}, {busy: 1},
    ]  # fmt: skip

    await fran.send({"type": "board", "op": "f1", "votes_hidden": False})
    await take(room)
    for name, listening in room.items():
        assert states(listening, "tally")[-1] == {
            "entity": "tally", "id": board.slug, "version": 6, "hidden": False,
            "totals": {busy: 2},
        }, name  # fmt: skip
        nobody_elses_ballot_or_pick(listening, people[name])

    for name in ("bob", "watcher"):
        await room[name].socket.send({"type": "sync", "since": 0})
        await room[name].take()
        nobody_elses_ballot_or_pick(room[name], people[name])
        caught_up = room[name].messages("catchup")[-1]["entities"]
        ballots = [s for s in caught_up if s["entity"] == "participant"]
        assert ballots == ([{**ballots[0], "votes": {busy: 1}}] if name == "bob" else []), name

    await fran.send({"type": "board", "op": "f2", "votes_hidden": True})
    await take(room)
    html = await page(board, "board", participant=bob)
    on_page = {person["id"]: person for person in embedded(html, "people-state")}
    assert on_page[bob.pk]["votes"] == {busy: 1}
    assert "votes" not in on_page[alice.pk] and "pick" not in on_page[alice.pk]
    [tally] = [s for s in embedded(html, "work-state") if s["entity"] == "tally"]
    assert tally["hidden"] is True and "totals" not in tally


async def test_the_refusals_of_voting_reach_the_voter_with_a_clear_message(
    sockets: list[Socket], board: Workshop, facilitator: User, alice: Participant
) -> None:
    busy = await make_pain(board, alice, "Reviewers are busy")
    event = await make_event(board, alice, "Code reviewed")
    ally = await joined(sockets, board, participant=alice)
    fran = await joined(sockets, board, user=facilitator)
    await settled(ally, fran)
    tries: list[tuple[dict[str, Any], str, str]] = [
        ({"type": "vote", "sticky": event}, "invalid", "Votes go to pain points."),
        ({"type": "unvote", "sticky": busy}, "invalid", "You have no vote on “Reviewers"),
        ({"type": "votes_clear"}, "not_allowed", "Only the facilitators"),
        ({"type": "round", "action": "start", "events": [event]}, "not_allowed", "Only the"),
    ]
    for number, (command, code, message) in enumerate(tries):
        await ally.send({**command, "op": f"x{number}"})
        error = await ally.receive_type("error")
        assert (error["code"], error["op"]) == (code, f"x{number}")
        assert error["message"].startswith(message), error
    await ally.send({"type": "vote", "op": "ok", "sticky": busy})
    await ally.receive_type("patch")
    await ally.send({"type": "vote", "op": "again", "sticky": busy})
    error = await ally.receive_type("error")
    assert error["message"] == "One sticky can have at most 1 vote from each person."
    await fran.send({"type": "votes_clear", "op": "f1"})
    cleared = await ally.receive_type("patch")
    [ballot] = [s for s in cleared["entities"] if s["entity"] == "participant"]
    assert ballot["votes"] == {}


async def test_a_pick_reaches_nobody_else_before_the_reveal(
    sockets: list[Socket], board: Workshop, facilitator: User, alice: Participant, bob: Participant
) -> None:
    review = await make_event(board, alice, "Code reviewed")
    room = await everyone(
        sockets,
        board,
        fran={"user": facilitator},
        alice={"participant": alice},
        bob={"participant": bob},
        watcher={"observing": board},
    )
    fran, ally, robert = (room[name].socket for name in ("fran", "alice", "bob"))
    await settled(*(listening.socket for listening in room.values()))
    await fran.send({"type": "round", "op": "f1", "action": "start", "events": [review]})
    await ally.send({"type": "pick", "op": "a1", "size": "XL"})
    await robert.send({"type": "pick", "op": "b1", "size": "S"})
    await take(room)

    people = {"fran": None, "alice": alice.pk, "bob": bob.pk, "watcher": None}
    for name, listening in room.items():
        nobody_elses_ballot_or_pick(listening, people[name])
        rounds = states(listening, "round")
        assert [r["picks"] for r in rounds] == [{}, {}, {}], name
        assert rounds[-1]["picked"] == sorted([alice.pk, bob.pk]) and rounds[-1]["status"] == "open"
        if name != "alice":
            assert not any(re.search(r'"XL"', frame) for frame in listening.frames), name
    assert [s["pick"] for s in states(room["alice"], "participant") if "pick" in s] == ["XL"]
    seen_by_bob = [s for s in states(room["bob"], "participant") if s["id"] == alice.pk]
    assert seen_by_bob and all(s["picked"] for s in seen_by_bob)

    await fran.send({"type": "round", "op": "f2", "action": "reveal"})
    await take(room)
    for name, listening in room.items():
        revealed = states(listening, "round")[-1]
        assert revealed["status"] == "revealed", name
        assert revealed["picks"] == {str(alice.pk): "XL", str(bob.pk): "S"}, name
        nobody_elses_ballot_or_pick(listening, people[name])

    await fran.send({"type": "round", "op": "f3", "action": "stop"})
    await take(room)
    assert states(room["bob"], "round")[-1] | {"version": 0} == {
        "entity": "round", "id": board.slug, "version": 0, "events": [], "status": None,
        "picked": [], "picks": {},
    }  # fmt: skip
    assert [s["pick"] for s in states(room["alice"], "participant") if "pick" in s][-1] is None


async def test_a_pain_point_without_a_name_reaches_the_others_without_its_author(
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
    await ally.send({**add("a0", "Nobody owns it", kind="pain", place=PARKING), "anonymous": True})
    refused = await ally.receive_type("error")
    assert (refused["code"], refused["op"]) == ("invalid", "a0")
    await fran.send({"type": "board", "op": "f1", "anonymous_pain": True})
    assert (await ally.receive_type("patch"))["op"] == "f1"
    await ally.send({**add("a1", "Nobody owns the queue", kind="pain", place=PARKING),
                     "anonymous": True})  # fmt: skip
    await take(room)
    [confirmed] = [p for p in room["alice"].messages("patch") if p["op"] == "a1"]
    assert confirmed["by"] == alice.pk
    sticky_id = confirmed["entities"][0]["id"]

    for name, listening in room.items():
        patches = listening.messages("patch")
        assert [p["seq"] for p in patches][-1] == 2, name
        [state] = [s for s in patches[-1]["entities"] if s["id"] == sticky_id]
        assert (state["by"], state["authors"]) == (None, []), name
        assert "Alice" not in state["html"] and 'class="author' not in state["html"], name
        if name != "alice":
            assert (patches[-1]["op"], patches[-1]["by"]) == (None, None), name
            assert "Alice" not in json.dumps(patches[-1]) and len(patches[-1]["entities"]) == 1
    for name in ("bob", "watcher"):
        await room[name].socket.send({"type": "sync", "since": 1})
        await room[name].take()
        caught_up = room[name].messages("catchup")[-1]["entities"]
        assert [(s["id"], s["by"], s["authors"]) for s in caught_up] == [(sticky_id, None, [])]
    history = await page(board, "history", user=facilitator)
    row = history[history.index('id="op-2"') :].split("</tr>")[0]
    assert "someone" in row and "Alice" not in row
    assert "Nobody owns the queue" in await page(board, "board", participant=bob)
    # Editing it: the others are not told who edits it (that would point at its author).
    await ally.send({"type": "editing", "sticky": sticky_id})
    await room["fran"].take()
    assert room["fran"].messages("editing") == []
    await ally.send({"type": "editing", "sticky": None})
    await room["fran"].take()
    assert [m["sticky"] for m in room["fran"].messages("editing")] == [None]
