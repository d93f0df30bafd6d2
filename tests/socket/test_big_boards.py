"""Big boards open and catch up: what would not fit one frame (Daphne refuses frames over
1 MiB) comes another way, a big catch-up as a snapshot and a big snapshot over HTTP."""

import json

import pytest
from channels.db import database_sync_to_async
from django.test import Client

from benchmarks.seed import fill
from tests.socket.conftest import Socket
from tests.socket.test_board_sync import joined, settled
from workshops import services
from workshops.access import remember_participant
from workshops.limits import LIMITS
from workshops.models import Participant, Sticky, Workshop
from workshops.protocol import Place

pytestmark = pytest.mark.django_db(transaction=True)


@database_sync_to_async
def fetched(board: Workshop, participant: Participant, url: str) -> str:
    client = Client()
    session = client.session
    remember_participant(session, participant)
    session.save()
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    return response.content.decode()


async def test_a_board_too_big_for_one_frame_is_fetched_over_http(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    ids = await database_sync_to_async(fill)(board, board.owner, 2100)
    ally = await joined(sockets, board, participant=alice)
    await settled(ally)
    await ally.send({"type": "sync", "since": 0})
    frame = await ally.communicator.receive_output(10)
    while '"type":"snapshot"' not in frame.get("text", ""):
        frame = await ally.communicator.receive_output(10)
    assert len(frame["text"]) < LIMITS.frame_out_bytes
    snapshot = json.loads(frame["text"])
    assert snapshot["html"] is None and snapshot["seq"] == 2100
    assert snapshot["url"] == f"/w/{board.slug}/board/"
    html = await fetched(board, alice, snapshot["url"])
    assert len(html) > LIMITS.frame_out_bytes
    assert 'data-seq="2100"' in html
    assert all(f'id="s-{sticky_id}"' in html for sticky_id in ids)


async def test_a_catch_up_too_big_for_one_frame_comes_as_the_whole_board(
    sockets: list[Socket], board: Workshop, alice: Participant
) -> None:
    @database_sync_to_async
    def long_stickies() -> int:
        for number in range(600):
            text = f"{number} " + "Waited for the change advisory board to meet again " * 6
            services.sticky_add(
                workshop=board, by=alice, op=None, kind="event", text=text[:280],
                place=Place(parked=False),
            )  # fmt: skip
        return Workshop.objects.get(pk=board.pk).seq

    seq = await long_stickies()
    ally = await joined(sockets, board, participant=alice)
    await settled(ally)
    await ally.send({"type": "sync", "since": 0})  # 600 long stickies missed: over 512 KiB
    answer = await ally.receive_type("snapshot", timeout=20)
    assert answer["seq"] == seq
    html = answer["html"] or await fetched(board, alice, answer["url"])
    assert html.count(' id="s-') == 600
    await ally.send({"type": "sync", "since": seq - 5})  # a few missed: a catch-up as ever
    assert len((await ally.receive_type("catchup"))["entities"]) == 5
    assert await database_sync_to_async(Sticky.objects.count)() == 600
