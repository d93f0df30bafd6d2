"""Two people editing one sticky's text: an edit names the version of the text it was based on,
and one based on text someone else has changed since is refused, with the current text, rather
than saved over it by surprise."""

import pytest

from tests.factories import make_sticky
from tests.unit.board_helpers import PARKED, fresh, nothing_changes
from workshops import services
from workshops.models import Participant, Workshop


def test_an_edit_based_on_the_current_text_is_saved_and_moves_the_text_on(
    board: Workshop, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    assert review.text_version == 1
    edited = services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=review.pk, text="Code reviewed", base=1
    )
    assert (edited.text, edited.text_version) == ("Code reviewed", 2)


def test_an_edit_based_on_text_someone_changed_since_is_refused_with_the_current_text(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    services.sticky_update(
        workshop=board, by=bob, op=None, sticky_id=review.pk, text="Peer review done", base=1
    )
    with nothing_changes(board), pytest.raises(services.Conflict) as refused:
        services.sticky_update(
            workshop=board, by=alice, op=None, sticky_id=review.pk, text="Code reviewed", base=1
        )
    assert (refused.value.sticky.text, refused.value.sticky.text_version) == (
        "Peer review done", 2,
    )  # fmt: skip
    assert fresh(review).text == "Peer review done"


def test_a_move_or_a_kind_change_does_not_make_an_edit_stale(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    services.sticky_move(workshop=board, by=bob, op=None, sticky_id=review.pk, place=PARKED)
    services.sticky_update(workshop=board, by=bob, op=None, sticky_id=review.pk, parallel=True)
    edited = services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=review.pk, text="Code reviewed", base=1
    )
    assert edited.text == "Code reviewed" and edited.version == 4


def test_choosing_to_keep_ones_own_text_saves_it_over_the_text_seen(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    services.sticky_update(
        workshop=board, by=bob, op=None, sticky_id=review.pk, text="Peer review", base=1
    )
    kept = services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=review.pk, text="Code reviewed", base=2
    )
    assert (kept.text, kept.text_version) == ("Code reviewed", 3)


def test_an_edit_that_names_no_base_is_saved_whatever_came_before(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    services.sticky_update(workshop=board, by=bob, op=None, sticky_id=review.pk, text="Peer")
    last = services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=review.pk, text="Code reviewed"
    )
    assert last.text == "Code reviewed"


def test_saving_the_same_text_again_does_not_make_others_edits_stale(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    services.sticky_update(
        workshop=board, by=bob, op=None, sticky_id=review.pk, text="  Review ", base=1
    )
    assert fresh(review).text_version == 1
    services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=review.pk, text="Reviewed", base=1
    )
    assert fresh(review).text == "Reviewed"
