"""Catching a screen up: what changed after the sequence number it holds, as this viewer may
see it, from the same log for every kind of entity; or the whole board when it missed too much.
What would not fit one frame comes another way: a big catch-up as a snapshot, a big snapshot as
the address to fetch the board from over HTTP."""

from typing import Any

from django.urls import reverse

from workshops import entities, protocol
from workshops.limits import LIMITS
from workshops.models import Operation, Workshop
from workshops.rendering import render_board
from workshops.visibility import Viewer, views


def catch_up(*, workshop: Workshop, since: int, viewer: Viewer) -> dict[str, Any]:
    board = Workshop.objects.get(pk=workshop.pk)
    missed = board.seq - since
    if missed == 0:
        return protocol.message("catchup", seq=board.seq, entities=[])
    if missed < 0 or missed > LIMITS.catch_up_operations:
        return snapshot(board, viewer)
    touched: set[str] = set()
    for keys in Operation.objects.filter(workshop=board, seq__gt=since).values_list(
        "entities", flat=True
    ):
        touched.update(keys)
    states = entities.states(entities.load(board, touched))
    caught_up = protocol.message("catchup", seq=board.seq, entities=views(viewer, states))
    if len(protocol.encode(caught_up)) > LIMITS.frame_out_bytes:
        return snapshot(board, viewer)
    return caught_up


def snapshot(workshop: Workshop, viewer: Viewer) -> dict[str, Any]:
    """The whole board as `viewer` sees it: its rendered stickies (or, when they would not fit
    a frame, where to fetch them), its own state and the phase work's entities."""
    html = render_board(workshop, viewer)
    board = entities.board_state(workshop).state
    work = views(viewer, entities.states(entities.work_of(workshop)))
    if len(html.encode()) > LIMITS.frame_out_bytes:
        url = reverse("board_content", args=[workshop.slug])
        return protocol.message(
            "snapshot", seq=workshop.seq, html=None, url=url, board=board, work=work
        )
    return protocol.message(
        "snapshot", seq=workshop.seq, html=html, url=None, board=board, work=work
    )
