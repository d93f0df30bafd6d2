"""Cleaning up duplicates: merging stickies into one, splitting a merge again, and saying that
two stickies the board suggests as duplicates are not. Suggestions come from
`workshops/duplicates.py`."""

from uuid import UUID

from django.core.exceptions import ValidationError

from workshops import duplicates
from workshops.kinds import KINDS
from workshops.models import Dismissal, Participant, Sticky, Workshop
from workshops.protocol import Place
from workshops.selectors import live
from workshops.services.changes import Change, Gone, change
from workshops.services.stickies import bring_back, named, park_notes_of, rank_in
from workshops.visibility import sees_sticky


def _own(sticky: Sticky) -> list[int]:
    """Its author, unless it was posted without a name (then nobody may learn who)."""
    return [] if sticky.anonymous or sticky.created_by_id is None else [sticky.created_by_id]


def _authors(sticky: Sticky, merged: list[Sticky]) -> list[int]:
    """Everyone who wrote `sticky` and what is merged into it now, its own author first (a
    merged sticky brings the authors of what was merged into it). Worked out afresh each time,
    so that a split takes its authors away again."""
    found: list[int] = []
    for author in [*_own(sticky), *(a for one in merged for a in one.authors or _own(one))]:
        if author not in found:
            found.append(author)
    return found


def _about(now: Change) -> Sticky:
    """The sticky the command is about, on the board: not one merged into another."""
    sticky = now.about()
    if sticky.merged_into_id is not None:
        raise Gone("That sticky was merged into another: split it out first.")
    return sticky


def _others(now: Change, kept: Sticky, ids: list[UUID], *, what: str) -> list[Sticky]:
    if not ids:
        raise ValidationError(f"Say which stickies to {what}.")
    if kept.pk in ids:
        raise ValidationError(
            "A sticky cannot be merged into itself."
            if what.startswith("merge")
            else "A sticky is no duplicate of itself."
        )
    if len(set(ids)) != len(ids):
        raise ValidationError("Each sticky may be named once.")
    found = {s.pk: s for s in live(now.workshop).filter(pk__in=ids) if sees_sticky(now.viewer, s)}
    if len(found) != len(ids):
        raise Gone("One of those stickies is no longer on the board.")
    return [found[pk] for pk in ids]


def stickies_merge(
    *,
    workshop: Workshop,
    by: Participant | None,
    op: str | None,
    sticky_id: UUID,
    stickies: list[UUID],
) -> Sticky:
    """Merge duplicates into the sticky kept: they leave the board but are kept (a split brings
    them back), the kept one names every author, and the notes under merged events move under
    the kept event, remembering where they came from."""
    with change("merge", workshop=workshop, by=by, op=op, about=sticky_id) as now:
        kept = _about(now)
        merged = _others(now, kept, stickies, what="merge into it")
        if any(one.kind != kept.kind for one in merged):
            label = str(KINDS[kept.kind].kind.label).lower()
            raise ValidationError(f"Only stickies of one kind merge: these are not all {label}s.")
        if kept.private or any(one.private for one in merged):
            raise ValidationError("Private stickies can be merged after the reveal.")
        events = [one for one in merged if one.on_timeline]
        if events and kept.on_timeline:
            _move_notes(now, events, kept)
        for one in events if not kept.on_timeline else ():  # the notes wait in the parking
            park_notes_of(now, one)
        now.touch_all(merged, merged_into=kept)
        # (The kept sticky's own authors name those of what was merged into it before.)
        kept.authors = _authors(kept, [kept, *merged])
        kept.merged_count += len(merged)
        now.touch(kept)
        count = len(merged)
        now.say(f"merged {count} duplicate{'s' * (count > 1)} into {named(kept)}")
        return kept


def _move_notes(now: Change, events: list[Sticky], kept: Sticky) -> None:
    """The notes under the merged events go under the kept one (read in one query), each
    remembering the event it came from."""
    found = live(now.workshop).filter(event__in=[event.pk for event in events], parked=False)
    by_event: dict[UUID, list[Sticky]] = {}
    for note in found.order_by("rank", "id"):
        by_event.setdefault(note.event_id, []).append(note)
    for event in events:
        for note in by_event.get(event.pk, []):
            note.rank = rank_in(now, note, Place(parked=False, event=kept.pk))
            note.event, note.merged_from = kept, event
            now.touch(note)


def sticky_split(
    *,
    workshop: Workshop,
    by: Participant | None,
    op: str | None,
    sticky_id: UUID,
    stickies: list[UUID] | None = None,
) -> Sticky:
    """Take merged stickies out of the one they were merged into (all of them, or those
    named): each goes back where it was (or to the parking area if that place is gone), and
    the notes a merge moved under the kept event, still there, go back under theirs."""
    with change("split", workshop=workshop, by=by, op=op, about=sticky_id) as now:
        kept = _about(now)
        inside = {
            s.pk: s for s in Sticky.objects.filter(merged_into=kept).select_related("created_by")
        }
        if not inside:
            raise ValidationError("Nothing is merged into that sticky.")
        wanted = list(inside) if stickies is None else stickies
        if not wanted:
            raise ValidationError("Say which stickies to split out (or leave the list out: all).")
        if len(set(wanted)) != len(wanted):
            raise ValidationError("Each sticky may be named once.")
        if any(pk not in inside for pk in wanted):
            raise ValidationError("That sticky is not merged into this one.")
        for pk in wanted:
            one = inside.pop(pk)
            one.merged_into = None
            bring_back(now, one)
            if one.on_timeline:
                _return_notes(now, one, kept)
        kept.authors = _authors(kept, list(inside.values())) if inside else []
        kept.merged_count = len(inside)
        now.touch(kept)
        count = len(wanted)
        now.say(f"split {count} stick{'ies' if count > 1 else 'y'} out of {named(kept)}")
        return kept


def _return_notes(now: Change, event: Sticky, kept: Sticky) -> None:
    moved = live(now.workshop).filter(event=kept, merged_from=event, parked=False)
    for note in moved.order_by("rank", "id"):
        note.rank = rank_in(now, note, Place(parked=False, event=event.pk))
        note.event, note.merged_from = event, None
        now.touch(note)


def duplicate_dismiss(
    *, workshop: Workshop, by: Participant | None, op: str | None, sticky_id: UUID, other: UUID
) -> Dismissal:
    """Say that two stickies the board suggested as duplicates are not: not suggested again."""
    with change("dismiss", workshop=workshop, by=by, op=op, about=sticky_id) as now:
        first = _about(now)
        (second,) = _others(now, first, [other], what="compare with it")
        low, high = sorted([first.pk, second.pk], key=str)
        if Dismissal.objects.filter(workshop=now.workshop, first=low, second=high).exists():
            raise ValidationError("Those two were already marked as not duplicates.")
        dismissal = Dismissal(workshop=now.workshop, first=low, second=high, version=0)
        now.touch(dismissal)
        now.say(f"kept {named(first)} and {named(second)} apart: not duplicates")
        return dismissal


def duplicate_suggestions(workshop: Workshop, *, limit: int = 50) -> list[dict[str, object]]:
    """Likely duplicates among the board's shared stickies, kind by kind, best first, without
    the pairs the group dismissed."""
    dismissed = {
        frozenset(pair)
        for pair in Dismissal.objects.filter(workshop=workshop).values_list("first", "second")
    }
    by_kind: dict[str, dict[UUID, str]] = {}
    texts: dict[UUID, str] = {}
    for pk, kind, text in live(workshop).filter(private=False).values_list("pk", "kind", "text"):
        by_kind.setdefault(kind, {})[pk] = text
        texts[pk] = text
    found = [
        suggestion
        for group in by_kind.values()
        for suggestion in duplicates.suggest(group, dismissed=dismissed, limit=limit)
    ]
    found.sort(key=lambda one: -one.score)
    return [
        {
            "a": str(one.a), "b": str(one.b), "score": round(one.score, 3),
            "a_text": texts[one.a], "b_text": texts[one.b],
        }
        for one in found[:limit]
    ]  # fmt: skip
