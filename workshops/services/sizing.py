"""Timings of the steps: a T-shirt size or an estimate for one event, or for a group of 2-3
consecutive events sized together, and the estimation round in which everyone picks a size
privately before the reveal (what each size means is the workshop's scale,
`workshops/timings.py`)."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils import timezone

from workshops.kinds import Kind
from workshops.models import Participant, Pick, Timing, Workshop
from workshops.selectors import live
from workshops.services.changes import Change, Gone, change
from workshops.services.stickies import named
from workshops.timings import SIZE_ORDER, TimingError, read_estimate

MOST_IN_A_GROUP = 3
ROUND_ACTIONS = ("start", "reveal", "stop")


def _steps(now: Change, events: list[UUID]) -> list[str]:
    """The events, in timeline order, if they are 1-3 consecutive events on the timeline that
    everyone sees; else a clear refusal."""
    if not 1 <= len(events) <= MOST_IN_A_GROUP:
        raise ValidationError("Time one event, or a group of 2 or 3 consecutive events.")
    if len(set(events)) != len(events):
        raise ValidationError("Each event may be named once.")
    timeline = [
        str(pk)
        for pk in live(now.workshop)
        .filter(kind=Kind.EVENT, parked=False, private=False)
        .order_by("rank", "id")
        .values_list("pk", flat=True)
    ]
    wanted = {str(pk) for pk in events}
    places = sorted(timeline.index(pk) for pk in wanted if pk in timeline)
    if len(places) != len(wanted):
        on_board = live(now.workshop).filter(pk__in=events)
        if on_board.count() != len(wanted):
            raise Gone("One of those events is no longer on the board.")
        raise ValidationError(
            "Only events on the timeline can be timed (not notes or parked ones)."
        )
    if places[-1] - places[0] != len(places) - 1:
        raise ValidationError("A group is 2 or 3 events next to each other on the timeline.")
    return [timeline[index] for index in places]


def _size(now: Change, size: str) -> str:
    size = size.strip().upper()
    scale = now.board().sizes
    if size not in scale:
        offered = ", ".join(s for s in SIZE_ORDER if s in scale)
        raise ValidationError(f"The sizes on this board are {offered}.")
    return size


def _estimate(said: str, what: str) -> dict[str, object] | None:
    if not said.strip():
        return None
    try:
        return read_estimate(said, what).as_json()
    except TimingError as wrong:
        raise ValidationError(str(wrong)) from None


def timing_set(
    *,
    workshop: Workshop,
    by: Participant | None,
    op: str | None,
    events: list[UUID],
    size: str | None = None,
    estimate: str | None = None,
    work: str | None = None,
    wait: str | None = None,
) -> Timing:
    """Size a step, or a group of 2-3 consecutive steps: each field given is set ("" clears
    it). A timing of exactly these events is changed; timings of some of them give way to this
    one (a group replaces the steps' own sizes, and the other way round)."""
    with change("timing", workshop=workshop, by=by, op=op) as now:
        steps = _steps(now, events)
        current = list(Timing.objects.filter(workshop=now.workshop, deleted_at__isnull=True))
        same = next((t for t in current if t.events == steps), None)
        timing = same or Timing(workshop=now.workshop, events=steps, created_by=now.by, version=0)
        if size is not None:
            timing.size = _size(now, size) if size.strip() else ""
        if estimate is not None:
            timing.estimate = _estimate(estimate, "The estimate")
        if work is not None:
            timing.work = _estimate(work, "The working time")
        if wait is not None:
            timing.wait = _estimate(wait, "The waiting time")
        if not (timing.size or timing.estimate or timing.work or timing.wait):
            raise ValidationError("Give a size or an estimate (to take a timing away, remove it).")
        for other in current:
            if other is not same and set(other.events) & set(steps):
                other.deleted_at = timezone.now()
                now.touch(other)
        now.touch(timing)
        what = "a group of " + str(len(steps)) + " steps" if len(steps) > 1 else "a step"
        first = live(now.workshop).filter(pk=steps[0]).first()
        now.say(f"timed {what} from {named(first)}" if first else f"timed {what}")
        return timing


def timing_clear(
    *, workshop: Workshop, by: Participant | None, op: str | None, timing_id: UUID
) -> Timing:
    with change("untime", workshop=workshop, by=by, op=op) as now:
        timing = Timing.objects.filter(
            workshop=now.workshop, pk=timing_id, deleted_at__isnull=True
        ).first()
        if timing is None:
            raise Gone("That timing is no longer on the board.")
        timing.deleted_at = timezone.now()
        now.touch(timing)
        now.say("took a timing away")
        return timing


def round_set(
    *,
    workshop: Workshop,
    by: Participant | None,
    op: str | None,
    action: str,
    events: list[UUID] | None = None,
) -> Workshop:
    """The estimation round: `start` it on 1-3 consecutive events (everyone picks a size,
    hidden from the others), `reveal` the picks, `stop` it. The facilitator records the
    agreed size with `timing`."""
    with change("round", workshop=workshop, by=by, op=op) as now:
        board = now.board()
        if action not in ROUND_ACTIONS:
            raise ValidationError(f"'action' must be one of {', '.join(ROUND_ACTIONS)}.")
        if action == "start":
            if not events:
                raise ValidationError("Say which event (or group of 2-3) the round sizes.")
            board.round_events, board.round_status = _steps(now, events), "open"
            _drop_picks(now)
            now.say("started an estimation round")
        elif not board.round_status:
            raise ValidationError("No estimation round is under way.")
        elif action == "reveal":
            if board.round_status == "revealed":
                raise ValidationError("The picks are shown already.")
            board.round_status = "revealed"
            now.say("showed the estimation round's picks")
        else:
            board.round_events, board.round_status = [], ""
            _drop_picks(now)
            now.say("ended the estimation round")
        now.touch_round("round_events", "round_status")
        return board


def _drop_picks(now: Change) -> None:
    picks = Pick.objects.filter(workshop=now.workshop)
    pickers = list(Participant.objects.filter(pk__in=picks.values("participant")))
    picks.delete()
    for picker in pickers:
        now.touch_participant(picker)


def round_pick(
    *, workshop: Workshop, by: Participant | None, op: str | None, size: str | None = None
) -> Pick | None:
    """Pick a size in the round under way (hidden from everyone else until the reveal);
    no size, or "": take the pick back."""
    with change("pick", workshop=workshop, by=by, op=op) as now:
        board = now.board()
        if board.round_status != "open":
            raise ValidationError(
                "No estimation round is open."
                if not board.round_status
                else "The picks are shown already: wait for the next round."
            )
        pick = None
        chosen = _size(now, size) if size and size.strip() else None
        # (a new pick replaces the old one: not update_or_create, whose UPDATE's row count is
        # not known yet in the runner's pipeline, which Django takes for "no row saved")
        Pick.objects.filter(workshop=now.workshop, participant=now.by).delete()
        if chosen:
            pick = Pick.objects.create(workshop=now.workshop, participant=now.by, size=chosen)
            now.say("picked a size")  # never which: the history is read by everyone
        else:
            now.say("took their pick back")
        now.touch_participant(now.by)
        now.touch_round()
        return pick
