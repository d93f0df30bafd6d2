"""Drawing the board: the same functions draw a sticky (and an event's column) on the page and in
live patches, and each version of a sticky is drawn once per process, however many screens show
it; a whole board unchanged since it was last drawn for the same view is not drawn again."""

import threading
from html import escape
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from workshops import nudges
from workshops.kinds import KINDS, LANE_KINDS
from workshops.limits import LIMITS
from workshops.models import Participant, Sticky, Workshop
from workshops.selectors import Board, Column, board_of, has_private
from workshops.visibility import Viewer

CACHE_SIZE = 20_000  # about 16 MiB of html
_rendered: dict[tuple[object, ...], str] = {}


def sticky_html(sticky: Sticky) -> str:
    author = sticky.created_by
    # Everything the partial shows that can change: the version covers the sticky itself. Only
    # plain values (the id as its number), so the garbage collector stops tracking the keys: a
    # full cache was tens of thousands more objects in each of its full passes.
    key = (
        sticky.pk.int,
        sticky.version,
        sticky.deleted_at is None,
        author.name if author else None,
        author.colour if author else None,
    )
    html = _rendered.get(key)
    if html is None:
        html = _draw(sticky)
        if len(_rendered) >= CACHE_SIZE:
            _rendered.clear()
        _rendered[key] = html
    return html


def _draw(sticky: Sticky) -> str:
    """A sticky's html, written out here rather than by a template: a reveal or a catch-up draws
    hundreds at once, and the template engine took ~90 µs a sticky where this takes under 10.
    Every value that comes from people is escaped.

    Kept light: a big board has thousands, and each element inside one is parsed, styled and
    laid out on every screen (and sent in every patch). Its accessible name says it all (kind,
    marks, text, author, sign-off, the hint), so the initials and the hint are hidden from
    screen readers; the kind's glyph and label (parked) and the hint's label are drawn by CSS
    (board.html, app.css)."""
    info, author = sticky.info, None if sticky.anonymous else sticky.created_by
    hint = nudges.past_tense_hint(sticky.text) if sticky.is_event else None
    text = escape(sticky.text)
    classes = f"sticky kind-{sticky.kind}"
    label: str = escape(info.short)
    marks = ""
    if sticky.parallel:
        classes += " is-parallel"
        label += ", in parallel"
        marks += '<span class="parallel-mark">∥ parallel</span>'
    if sticky.private:
        classes += " is-private"
        label += ", private until the reveal"
        marks += (
            '<span class="private-mark" title="Only you see this until the facilitator reveals'
            ' it">private</span>'
        )
    if len(sticky.authors) > 1 and not sticky.anonymous:
        names = _names(sticky.authors)
        marks += (
            f'<span class="authors" title="Written by {escape(names)}">'
            f"{len(sticky.authors)} people</span>"
        )
        label += f", written by {len(sticky.authors)} people: {escape(names)}"
    label += f": {text}"
    corner = ""
    if author is not None:
        name = escape(author.name)
        corner = (
            f'<span class="author person-{escape(author.colour[1:])}" title="Added by {name}"'
            f' aria-hidden="true">{escape(author.initials)}</span>'
        )
        label += f". Added by {name}"
    if marks:  # the marks and the initials in a row
        corner = f"<header>{marks}{corner}</header>"
    said = ""
    if sticky.owner:
        owner = escape(sticky.owner)
        label += f". Signed off by {owner}"
        said += (
            '<p class="owner" dir="auto"><span class="owner-label">Signed off by</span>'
            f" {owner}</p>"
        )
    if hint:
        label += f". As a fact? {escape(hint)}"
        said += f'<p class="past-hint" dir="auto" aria-hidden="true"> “{escape(hint)}”</p>'
    # An event on the timeline heads its column (named after it); other stickies are items of
    # their lane or shelf.
    role = "group" if sticky.on_timeline else "listitem"
    merged = f' data-merged="{sticky.merged_count}"' if sticky.merged_count else ""
    return (
        f'<div role="{role}" class="{classes}" id="s-{sticky.pk}" data-id="{sticky.pk}"'
        f' data-kind="{sticky.kind}" data-rank="{escape(sticky.rank)}"'
        f' data-version="{sticky.version}" data-text-version="{sticky.text_version}"{merged}'
        f' tabindex="0" aria-roledescription="sticky note" aria-label="{label}">'
        f'{corner}<p class="text" dir="auto">{text}</p>{said}</div>'
    )


def _column(column: Column) -> str:
    """An event's column: the event heading it, then a lane per kind with its notes, each lane
    named after the event for a screen reader. Written out here like a sticky: drawn by the
    template engine, the columns were most of the time a big board took to draw."""
    event = column.event
    about = escape(Truncator(event.text).chars(40))
    lanes = "".join(
        f'<div role="list" class="lane" data-place="lane" data-event="{event.pk}"'
        f' data-kind="{info.kind.value}" aria-label="{escape(info.lane)} under “{about}”">'
        f"{''.join(map(sticky_html, notes))}</div>"
        for info, notes in column.lanes
    )
    return (
        f'<li class="column" id="c-{event.pk}" data-id="{event.pk}"'
        f' data-rank="{escape(event.rank)}" aria-labelledby="s-{event.pk}">'
        f"{sticky_html(event)}{lanes}</li>"
    )


def _drawn(board: Board) -> dict[str, SafeString]:
    """The board's columns and parked stickies, drawn (every value escaped where drawn)."""
    return {
        "columns_html": mark_safe("".join(map(_column, board.columns))),  # noqa: S308
        "parked_events_html": mark_safe("".join(map(sticky_html, board.parked_events))),  # noqa: S308
        "parked_notes_html": mark_safe("".join(map(sticky_html, board.parked_notes))),  # noqa: S308
    }


def _names(ids: list[int]) -> str:
    """The names of these participants, in this order, as a sentence says them."""
    found = dict(Participant.objects.filter(pk__in=ids).values_list("pk", "name"))
    names = [found[pk] for pk in ids if pk in found]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def board_context(workshop: Workshop) -> dict[str, Any]:
    """What the board's templates need, on the page and in a fresh render alike."""
    return {
        "workshop": workshop,
        "kinds": KINDS.values(),
        "lane_kinds": [KINDS[kind] for kind in LANE_KINDS],
        "lane_names": {kind: KINDS[kind].lane for kind in LANE_KINDS},
        "limits": LIMITS,
    }


def render_board(workshop: Workshop, viewer: Viewer) -> str:
    """The whole board as the page shows it to `viewer`. A board unchanged since it was last
    drawn (the same sequence number and authors) for the same view is not drawn again: people
    joining a workshop together get the same render. While someone has private stickies, views
    differ by who is looking, and the cache keys by that too."""
    authors: tuple[tuple[Any, ...], ...] = tuple(
        Participant.objects.filter(workshop=workshop).values_list("pk", "name", "colour")
    )
    details = (workshop.version, workshop.first_event, workshop.last_event)
    view = viewer.participant if has_private(workshop) else "everyone"
    key = (workshop.pk, workshop.slug, workshop.seq, details, hash(authors), view)
    html = _boards.get(key)
    if html is None:
        board = board_of(workshop, viewer)
        context = board_context(workshop) | {"board": board} | _drawn(board)
        html = render_to_string("workshops/board.html#board-content", context)
        with _boards_lock:
            if len(_boards) >= 32:
                _boards.clear()
            _boards[key] = html
    return html


_boards: dict[tuple[object, ...], str] = {}
_boards_lock = threading.Lock()
