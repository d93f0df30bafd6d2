"""A check or gate names who signs it off: shown on the sticky, for checks only."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import make_note, make_sticky
from tests.unit.board_helpers import PARKED, fresh, nothing_changes
from workshops import entities, services
from workshops.kinds import Kind
from workshops.models import Participant, Sticky, Workshop


def sign_off(board: Workshop, by: Participant, sticky: Sticky, owner: str) -> Sticky:
    return services.sticky_update(workshop=board, by=by, op=None, sticky_id=sticky.pk, owner=owner)


def test_a_check_shows_who_signs_it_off(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    review = make_sticky(board, alice, text="Code reviewed")
    check = make_note(board, alice, Kind.CHECK, "Two approvals", review)
    sign_off(board, bob, check, "  Change   Advisory\nBoard ")
    state = entities.sticky_state(fresh(check)).state
    assert state["owner"] == "Change Advisory Board" and state["version"] == 2
    assert (
        '<p class="owner" dir="auto"><span class="owner-label">Signed off by</span>'
        " Change Advisory Board</p>"
    ) in state["html"]
    assert "Signed off by Change Advisory Board" in state["html"]  # in its label too
    last = board.operations.order_by("seq").last()
    assert last is not None
    assert last.summary == "gave “Two approvals” its owner: Change Advisory Board"

    sign_off(board, bob, check, "")
    state = entities.sticky_state(fresh(check)).state
    assert state["owner"] is None and "Signed off by" not in state["html"]
    last = board.operations.order_by("seq").last()
    assert last is not None and last.summary == "gave “Two approvals” its owner: nobody"


def test_an_owner_is_written_as_text(board: Workshop, alice: Participant) -> None:
    check = make_sticky(board, alice, kind=Kind.CHECK, text="Security review", place=PARKED)
    sign_off(board, alice, check, '<b onclick="x()">Sec & Ops</b>')
    html = entities.sticky_state(fresh(check)).state["html"]
    assert "<b onclick" not in html and "&lt;b onclick=&quot;x()&quot;&gt;Sec &amp; Ops" in html


def test_only_checks_have_an_owner_of_a_sensible_length(
    board: Workshop, alice: Participant
) -> None:
    for kind in (Kind.EVENT, Kind.PAIN, Kind.QUESTION, Kind.PERSON, Kind.SYSTEM):
        sticky = make_sticky(board, alice, kind=kind, text=f"A {kind}", place=PARKED)
        with nothing_changes(board), pytest.raises(ValidationError) as refused:
            sign_off(board, alice, sticky, "CAB")
        assert refused.value.messages == ["Only checks and gates have an owner who signs them off."]
    check = make_sticky(board, alice, kind=Kind.CHECK, text="Security review", place=PARKED)
    with nothing_changes(board), pytest.raises(ValidationError) as refused:
        sign_off(board, alice, check, "x" * 81)
    assert refused.value.messages == ["An owner's name holds 80 characters at most."]
    assert sign_off(board, alice, check, "x" * 80).owner == "x" * 80


def test_a_check_made_another_kind_loses_its_owner(board: Workshop, alice: Participant) -> None:
    check = make_sticky(board, alice, kind=Kind.CHECK, text="Security review", place=PARKED)
    sign_off(board, alice, check, "CAB")
    services.sticky_update(workshop=board, by=alice, op=None, sticky_id=check.pk, kind=Kind.PAIN)
    state = entities.sticky_state(fresh(check)).state
    assert state["owner"] is None and "Signed off by" not in state["html"]
