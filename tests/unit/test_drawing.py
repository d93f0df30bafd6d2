"""The board as it is drawn: arranged in one query, rendered once, escaped; entity states."""

from typing import Any

from tests.factories import make_sticky
from tests.unit.board_helpers import (
    PARKED,
    under,
)
from workshops import entities, services
from workshops.kinds import LANE_KINDS, Kind
from workshops.models import Participant, Workshop
from workshops.rendering import render_board, sticky_html
from workshops.selectors import board_of
from workshops.visibility import EVERYONE


def test_the_board_is_arranged_as_it_is_drawn_in_one_query(
    board: Workshop, alice: Participant, django_assert_num_queries: Any
) -> None:
    idea = make_sticky(board, alice, text="Idea")
    review = make_sticky(board, alice, text="Review")
    make_sticky(board, alice, kind=Kind.QUESTION, text="Who?", place=under(review))
    make_sticky(board, alice, kind=Kind.SYSTEM, text="GitHub", place=under(review))
    make_sticky(board, alice, kind=Kind.SYSTEM, text="Jira", place=under(review))
    make_sticky(board, alice, text="Rollback", place=PARKED)
    make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=PARKED)
    gone = make_sticky(board, alice, kind=Kind.PAIN, text="Gone", place=under(idea))
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=gone.pk)

    with django_assert_num_queries(1):
        drawn = board_of(board)

    assert [column.event.text for column in drawn.columns] == ["Idea", "Review"]
    lanes = {info.kind: [note.text for note in notes] for info, notes in drawn.columns[1].lanes}
    assert [info.kind for info, _ in drawn.columns[1].lanes] == list(LANE_KINDS)
    assert lanes == {
        Kind.SYSTEM: ["GitHub", "Jira"], Kind.PERSON: [], Kind.PAIN: [], Kind.QUESTION: ["Who?"],
        Kind.CHECK: [],
    }  # fmt: skip
    assert all(notes == [] for _, notes in drawn.columns[0].lanes)
    assert [sticky.text for sticky in drawn.parked_events] == ["Rollback"]
    assert [sticky.text for sticky in drawn.parked_notes] == ["Slow"]
    assert drawn.count == 7


def test_the_rendered_board_shows_each_live_sticky_once_and_escapes_text(
    board: Workshop, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Review <script>alert(1)</script>")
    make_sticky(board, alice, kind=Kind.PAIN, text="Slow & painful", place=under(review))
    make_sticky(board, alice, kind=Kind.QUESTION, text="Parked question", place=PARKED)
    deleted = make_sticky(board, alice, text="Deleted one")
    services.sticky_delete(workshop=board, by=alice, op=None, sticky_id=deleted.pk)
    board.refresh_from_db()

    html = render_board(board, EVERYONE)

    assert f'data-seq="{board.seq}"' in html
    assert html.count(f'id="s-{review.pk}"') == 1
    assert f'id="c-{review.pk}"' in html
    assert "&lt;script&gt;" in html
    assert "<script>" not in html
    assert "Slow &amp; painful" in html
    assert "Parked question" in html
    assert "Deleted one" not in html
    assert board.first_event in html


def test_patches_carry_the_state_and_html_each_screen_needs(
    board: Workshop, alice: Participant
) -> None:
    review = make_sticky(board, alice, text="Review")
    slow = make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=under(review))
    parked = make_sticky(board, alice, text="Rollback", place=PARKED)
    deleted = services.sticky_delete(
        workshop=board, by=alice, op=None, sticky_id=make_sticky(board, alice, text="Gone").pk
    )

    states = entities.states([review, slow, parked, deleted])
    on_timeline, note, parked_event, gone = [entity.state for entity in states]

    assert {key: on_timeline[key] for key in ("id", "kind", "parked", "event", "deleted")} == {
        "id": str(review.pk), "kind": "event", "parked": False, "event": None, "deleted": False,
    }  # fmt: skip
    assert (on_timeline["rank"], on_timeline["version"]) == (review.rank, review.version)
    assert f'id="s-{review.pk}"' in on_timeline["html"]
    assert (note["event"], note["parked"]) == (str(review.pk), False)
    assert "Slow" in note["html"]
    assert parked_event["html"] and parked_event["text"] == "Rollback"
    assert gone["deleted"] is True
    assert gone["html"] is None


def test_a_sticky_is_drawn_with_every_value_from_people_escaped_and_its_state_in_words(
    board: Workshop,
) -> None:
    mallory = services.participant_join(workshop=board, name='Mal "<b>" O\'Reilly')
    text = "\"><img src=x onerror=alert(1)> & 'quoted'"
    sticky = make_sticky(board, mallory, text=text)
    sticky.parallel, sticky.private = True, True

    html = sticky_html(sticky)

    assert "<img" not in html and "<b>" not in html
    escaped = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#x27;quoted&#x27;"
    assert f'<p class="text" dir="auto">{escaped}</p>' in html
    assert 'title="Added by Mal &quot;&lt;b&gt;&quot; O&#x27;Reilly"' in html
    label = html.split('aria-label="', 1)[1].split('"', 1)[0]
    assert label.startswith(f"Event, in parallel, private until the reveal: {escaped}")
    assert 'class="sticky kind-event is-parallel is-private"' in html
    assert html.startswith('<div role="group" class=')  # on the timeline, it heads its column
    assert html.endswith("</div>")


def test_a_sticky_is_light_and_says_everything_in_its_accessible_name(
    board: Workshop, alice: Participant
) -> None:
    """One element for the initials (hidden from screen readers: the name says who), no row of
    marks when there are none, the hint's label drawn by CSS; the name says all of it."""
    event = make_sticky(board, alice, text="Run the smoke tests")
    check = make_sticky(board, alice, kind=Kind.CHECK, text="Rollback tested", place=under(event))
    check = services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=check.pk, owner="Platform team"
    )

    html = sticky_html(event)
    label = html.split('aria-label="', 1)[1].split('"', 1)[0]
    assert label == (
        f"Event: Run the smoke tests. Added by {alice.name}. As a fact? Smoke tests ran?"
    )
    assert (
        f'<span class="author person-{alice.colour[1:]}" title="Added by {alice.name}"'
        f' aria-hidden="true">{alice.initials}</span>'
    ) in html
    assert "<header>" not in html and "visually-hidden" not in html
    assert '<p class="past-hint" dir="auto" aria-hidden="true"> “Smoke tests ran?”</p>' in html
    signed = sticky_html(check)
    assert f"Check: Rollback tested. Added by {alice.name}. Signed off by Platform team" in signed

    parallel = services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=event.pk, parallel=True
    )
    assert '<header><span class="parallel-mark">∥ parallel</span><span class="author' in (
        sticky_html(parallel)
    )


def test_each_lane_of_a_column_is_named_after_its_event(
    board: Workshop, alice: Participant
) -> None:
    long = "Review <b>the</b> change & merge it into the main branch after two approvals"
    event = make_sticky(board, alice, text=long)
    make_sticky(board, alice, kind=Kind.SYSTEM, text="GitHub", place=under(event))
    board.refresh_from_db()

    html = render_board(board, EVERYONE)

    column = html.split(f'<li class="column" id="c-{event.pk}"', 1)[1].split("</li>", 1)[0]
    about = "Review &lt;b&gt;the&lt;/b&gt; change &amp; merge it int…"  # 40 characters
    for kind in LANE_KINDS:
        lane = (
            f'<div role="list" class="lane" data-place="lane" data-event="{event.pk}"'
            f' data-kind="{kind}" aria-label="'
        )
        assert column.count(lane) == 1
    assert f'aria-label="Systems and tools under “{about}”">' in column
    assert "GitHub" in column.split('data-kind="system"', 1)[1].split("</div></div>", 1)[0]
