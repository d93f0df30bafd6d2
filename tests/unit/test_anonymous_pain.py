"""Pain points without a name: allowed by the facilitator, for pain points only; nobody sees who
wrote one, on the board, in the history or in the exports."""

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.unit.board_helpers import PARKED, nothing_changes
from tests.unit.test_access_http import as_participant
from workshops import entities, services
from workshops.exports.json import map_json
from workshops.exports.map import map_of
from workshops.kinds import Kind
from workshops.models import Participant, Sticky, Workshop
from workshops.protocol import Place
from workshops.rendering import render_board
from workshops.visibility import EVERYONE, Viewer, view


@pytest.fixture
def fran(board: Workshop) -> Participant:
    return services.facilitator_participant(workshop=board, user=board.owner)


def unnamed(board: Workshop, by: Participant, text: str, kind: str = Kind.PAIN) -> Sticky:
    return services.sticky_add(
        workshop=board, by=by, op=None, kind=kind, text=text, place=PARKED, anonymous=True
    )


def test_a_pain_point_goes_without_a_name_only_when_the_facilitator_allows_it(
    board: Workshop, fran: Participant, alice: Participant
) -> None:
    message = "Only pain points can be posted without a name, when the facilitator allows it."
    with nothing_changes(board), pytest.raises(ValidationError) as refused:
        unnamed(board, alice, "Nobody owns the queue")
    assert refused.value.messages == [message]
    services.board_update(workshop=board, by=fran, op=None, anonymous_pain=True)
    assert entities.board_state(Workshop.objects.get(pk=board.pk)).state["anonymous_pain"]
    for kind in (Kind.EVENT, Kind.QUESTION, Kind.CHECK, Kind.PERSON, Kind.SYSTEM):
        with nothing_changes(board), pytest.raises(ValidationError) as refused:
            unnamed(board, alice, "Nobody owns the queue", kind=kind)
        assert refused.value.messages == [message]
    unnamed(board, alice, "Nobody owns the queue")
    services.board_update(workshop=board, by=fran, op=None, anonymous_pain=False)
    with nothing_changes(board), pytest.raises(ValidationError):
        unnamed(board, alice, "Nobody owns the queue either")
    summaries = [op.summary for op in board.operations.order_by("seq")]
    assert summaries[0] == "allowed pain points without a name"
    assert summaries[-1] == "stopped pain points without a name"


def test_nobody_sees_who_wrote_a_pain_point_without_a_name(
    client: Client, board: Workshop, fran: Participant, alice: Participant, bob: Participant
) -> None:
    services.board_update(workshop=board, by=fran, op=None, anonymous_pain=True)
    sticky = unnamed(board, alice, "Nobody owns the queue")
    named = services.sticky_add(
        workshop=board, by=alice, op=None, kind=Kind.PAIN, text="Flaky tests", place=PARKED
    )

    state = entities.sticky_state(sticky).state
    assert (state["by"], state["authors"], state["private"]) == (None, [], False)
    assert 'class="author' not in state["html"] and "Alice" not in state["html"]
    assert alice.initials in entities.sticky_state(named).state["html"]
    for viewer in (Viewer(alice.pk), Viewer(bob.pk), Viewer(fran.pk, facilitator=True)):
        page = render_board(Workshop.objects.get(pk=board.pk), viewer)
        assert page.count('title="Added by Alice"') == 1  # the pain point with her name only

    [first, *_] = [op for op in board.operations.order_by("seq") if op.action == "add"]
    assert first.anonymous and first.summary.startswith("someone added a pain point without a name")
    client.force_login(board.owner)
    history = client.get(reverse("history", args=[board.slug])).content.decode()
    row = history[history.index(f'id="op-{first.seq}"') :].split("</tr>")[0]
    assert "someone" in row and "Alice" not in row

    exported = map_json(map_of(board))
    by = {note["text"]: note["by"] for note in exported["parked"]["notes"]}
    assert by == {"Nobody owns the queue": None, "Flaky tests": "Alice"}
    download = as_participant(Client(), bob).get(reverse("export_json", args=[board.slug]))
    assert json.loads(download.content)["parked"]["notes"][0]["by"] is None


def test_a_private_pain_point_without_a_name_shows_the_others_no_author(
    board: Workshop, fran: Participant, alice: Participant
) -> None:
    services.board_update(
        workshop=board, by=fran, op=None, anonymous_pain=True, private_brainstorm=True
    )
    sticky = unnamed(board, alice, "Nobody owns the queue")
    assert sticky.private
    seen = view(EVERYONE, entities.sticky_state(sticky))
    assert seen == {
        "entity": "sticky", "id": str(sticky.pk), "version": 1, "private": True, "by": None,
        "deleted": False,
    }  # fmt: skip
    assert view(Viewer(alice.pk), entities.sticky_state(sticky))["text"] == (  # type: ignore[index]
        "Nobody owns the queue"
    )


def test_a_pain_point_without_a_name_goes_under_an_event_like_any_other(
    board: Workshop, fran: Participant, alice: Participant
) -> None:
    services.board_update(workshop=board, by=fran, op=None, anonymous_pain=True)
    review = services.sticky_add(
        workshop=board, by=alice, op=None, kind=Kind.EVENT, text="Code reviewed",
        place=Place(parked=False),
    )  # fmt: skip
    sticky = services.sticky_add(
        workshop=board, by=alice, op=None, kind=Kind.PAIN, text="Queue", anonymous=True,
        place=Place(parked=False, event=review.pk),
    )  # fmt: skip
    assert (sticky.event_id, sticky.anonymous) == (review.pk, True)


def test_the_author_changing_their_pain_point_without_a_name_stays_unnamed(
    board: Workshop, fran: Participant, alice: Participant, bob: Participant
) -> None:
    services.board_update(workshop=board, by=fran, op=None, anonymous_pain=True)
    sticky = unnamed(board, alice, "Nobody owns the queue")
    review = services.sticky_add(
        workshop=board, by=bob, op=None, kind=Kind.EVENT, text="Code reviewed",
        place=Place(parked=False),
    )  # fmt: skip
    seq = board.operations.count()
    about: dict[str, Any] = {"workshop": board, "by": alice, "op": None, "sticky_id": sticky.pk}
    services.sticky_update(**about, text="Nobody owns the review queue")
    services.sticky_move(**about, place=Place(parked=False, event=review.pk))
    services.sticky_delete(**about)
    services.sticky_restore(**about)
    services.sticky_update(workshop=board, by=bob, op=None, sticky_id=sticky.pk, text="Queue!")
    changes = list(board.operations.order_by("seq"))[seq:]
    assert [(op.action, op.anonymous) for op in changes] == [
        ("update", True), ("move", True), ("delete", True), ("restore", True), ("update", False),
    ]  # fmt: skip
