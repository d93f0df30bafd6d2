"""The facilitator running the workshop: its own details, the phase of the agenda, the silent
brainstorm and its reveal, ending and reopening. Each is one change of the board's own state,
live on every screen."""

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils import timezone

from workshops import text as typed
from workshops.agenda import Phase
from workshops.kinds import Kind
from workshops.limits import LIMITS
from workshops.models import Participant, Workshop
from workshops.selectors import live
from workshops.services.changes import Change, change
from workshops.timings import TimingError, read_sizes

DEFAULT_FIRST_EVENT = "Somebody had an idea"
DEFAULT_LAST_EVENT = "A customer used the new feature"


def _one_line(value: str, *, what: str, limit: int) -> str:
    return " ".join(typed.required(value, what=what, limit=limit).split())


def board_update(
    *,
    workshop: Workshop,
    by: Participant | None,
    op: str | None,
    title: str | None = None,
    goal: str | None = None,
    first_event: str | None = None,
    last_event: str | None = None,
    phase: str | None = None,
    private_brainstorm: bool | None = None,
    locked: bool | None = None,
    votes_each: int | None = None,
    votes_per_sticky: int | None = None,
    votes_hidden: bool | None = None,
    anonymous_pain: bool | None = None,
    sizes: dict[str, Any] | None = None,
    calendar_days: bool | None = None,
) -> Workshop:
    """Change the workshop's own details, state or settings; each field given is set. Going to
    another phase (back too) changes no sticky: nothing is lost; people's ready flags were for
    the phase they were given in."""
    with change("board", workshop=workshop, by=by, op=op) as now:
        board = now.board()
        fields = []
        if title is not None:
            board.title = _one_line(title, what="title", limit=LIMITS.workshop_title)
            fields.append("title")
            now.say(f"renamed the workshop “{board.title}”")
        if goal is not None:
            board.goal = typed.cleaned(goal, lines=True)
            if len(board.goal) > LIMITS.workshop_goal:
                raise ValidationError(f"The goal holds {LIMITS.workshop_goal} characters at most.")
            fields.append("goal")
            now.say("changed the goal")
        for name, value in (("first_event", first_event), ("last_event", last_event)):
            if value is not None:
                what = name.replace("_", " ")
                setattr(board, name, _one_line(value, what=what, limit=LIMITS.sticky_text))
                fields.append(name)
                now.say(f"set the {what}: “{getattr(board, name)}”")
        if phase is not None:
            board.phase = Phase(phase)
            fields.append("phase")
            now.say(f"moved the workshop to “{board.get_phase_display()}”")
        if private_brainstorm is not None:
            board.private_brainstorm = private_brainstorm
            fields.append("private_brainstorm")
            now.say(
                "started a silent brainstorm: new stickies are private until revealed"
                if private_brainstorm
                else "ended the silent brainstorm"
            )
        if locked is not None:
            board.locked = locked
            fields.append("locked")
            now.say("locked the board" if locked else "unlocked the board")
        fields += _voting(now, board, votes_each, votes_per_sticky, votes_hidden)
        if anonymous_pain is not None:
            board.anonymous_pain = anonymous_pain
            fields.append("anonymous_pain")
            now.say(f"{'allowed' if anonymous_pain else 'stopped'} pain points without a name")
        if sizes is not None:
            try:
                board.sizes = read_sizes(sizes)
            except TimingError as wrong:
                raise ValidationError(str(wrong)) from None
            fields.append("sizes")
            now.say("changed what the sizes mean")
        if calendar_days is not None:
            board.calendar_days = calendar_days
            fields.append("calendar_days")
            now.say(f"counted time in {'calendar' if calendar_days else 'working'} days")
        now.touch_board(*fields)
        return board


MOST_VOTES = 20


def _voting(
    now: Change,
    board: Workshop,
    each: int | None,
    per_sticky: int | None,
    hidden: bool | None,
) -> list[str]:
    fields = []
    if each is not None:
        if not 1 <= each <= MOST_VOTES:
            raise ValidationError(f"Each person has 1 to {MOST_VOTES} votes.")
        board.votes_each = each
        fields.append("votes_each")
        now.say(f"gave everyone {each} vote{'s' * (each > 1)}")
    if per_sticky is not None:
        board.votes_per_sticky = per_sticky
        fields.append("votes_per_sticky")
        now.say(f"allowed {per_sticky} vote{'s' * (per_sticky > 1)} per sticky from each person")
    if not 1 <= board.votes_per_sticky <= board.votes_each:
        raise ValidationError("The most votes per sticky is 1 up to the votes each person has.")
    if hidden is not None and hidden != board.votes_hidden:
        board.votes_hidden = hidden
        fields.append("votes_hidden")
        now.touch_tally()  # who sees the totals changed
        now.say("hid the votes until they are shown" if hidden else "showed everyone the votes")
    return fields


TIMER_ACTIONS = ("start", "pause", "resume", "add", "stop")
SHORTEST, LONGEST = 10, 4 * 60 * 60  # a timebox's length, in seconds


def timer_set(
    *,
    workshop: Workshop,
    by: Participant | None,
    op: str | None,
    action: str,
    seconds: int | None = None,
) -> Workshop:
    """The shared timebox: `start` it for `seconds`, `pause`, `resume`, `add` (a minute, or
    `seconds`), `stop`. Everyone counts down from the server's end time: nothing is sent each
    second, and a page that reloads or reconnects shows the same time left."""
    with change("timer", workshop=workshop, by=by, op=op) as now:
        if action not in TIMER_ACTIONS:
            raise ValidationError(f"'action' must be one of {', '.join(TIMER_ACTIONS)}.")
        board, moment = now.board(), timezone.now()
        left = _left(board, moment)
        if action == "start":
            length = _length(seconds)
            board.timer_ends_at, board.timer_left, board.timer_length = (
                moment + timedelta(seconds=length),
                None,
                length,
            )
            now.say(f"started a timer of {_duration(length)}")
        elif left is None:
            raise ValidationError("There is no timer running: start one first.")
        elif action == "pause":
            if board.timer_ends_at is None:
                raise ValidationError("The timer is paused already.")
            board.timer_ends_at, board.timer_left = None, left
            now.say("paused the timer")
        elif action == "resume":
            if board.timer_ends_at is not None:
                raise ValidationError("The timer is running already.")
            board.timer_ends_at, board.timer_left = moment + timedelta(seconds=left), None
            now.say("resumed the timer")
        elif action == "add":
            extra = _length(seconds if seconds is not None else 60, shortest=1)
            if left + extra > LONGEST:
                raise ValidationError(f"A timebox lasts {_duration(LONGEST)} at most.")
            if board.timer_ends_at is not None:
                board.timer_ends_at = moment + timedelta(seconds=left + extra)
            else:
                board.timer_left = left + extra
            board.timer_length += extra
            now.say(f"added {_duration(extra)} to the timer")
        else:
            board.timer_ends_at = board.timer_left = None
            board.timer_length = 0
            now.say("stopped the timer")
        now.touch_board("timer_ends_at", "timer_left", "timer_length")
        return board


def _left(board: Workshop, moment: datetime) -> float | None:
    """Seconds left on the timer (0 once it ran out), or None when there is no timer."""
    if board.timer_ends_at is not None:
        return max(0.0, (board.timer_ends_at - moment).total_seconds())
    return board.timer_left


def _length(seconds: int | None, *, shortest: int = SHORTEST) -> int:
    if seconds is None or not shortest <= seconds <= LONGEST:
        raise ValidationError(
            f"A timebox lasts from {_duration(shortest)} to {_duration(LONGEST)}: "
            "give 'seconds' in that range."
        )
    return seconds


def _duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{hours} h" if hours else "", f"{minutes} min" if minutes else ""]
    parts.append(f"{rest} s" if rest or not (hours or minutes) else "")
    return " ".join(part for part in parts if part)


def ready_set(*, workshop: Workshop, by: Participant | None, op: str | None, ready: bool) -> bool:
    """Say one is done with the phase the board is in (or not yet): the facilitator sees who
    is ready. A flag counts for its phase only: moving on resets everyone's."""
    with change("ready", workshop=workshop, by=by, op=op) as now:
        phase = now.board().phase
        me = Participant.objects.get(pk=now.by.pk)
        me.ready_phase = phase if ready else ""
        now.touch_participant(me, "ready_phase")
        label = Phase(phase).label
        now.say(f"is ready with “{label}”" if ready else f"is not ready with “{label}” yet")
        return ready


def follow_set(
    *, workshop: Workshop, by: Participant | None, op: str | None, target: str | None = None
) -> Workshop:
    """Bring every screen to a part of the board: an event ("event:<id>"), the parking area
    ("parking") or the start of the timeline ("start"); no target: stop leading. Each person
    may step out; this only says where the facilitator is."""
    with change("follow", workshop=workshop, by=by, op=op) as now:
        board = now.board()
        if target:
            kind, _, ident = target.partition(":")
            if target not in ("parking", "start") and not (
                kind == "event" and _visible_event(board, ident)
            ):
                raise ValidationError(
                    '\'target\' is "parking", "start" or "event:<id>" of an event on the timeline.'
                )
        board.follow = target or ""
        now.touch_board("follow")
        now.say("asked everyone to follow" if target else "stopped leading the screens")
        return board


def _visible_event(board: Workshop, ident: str) -> bool:
    try:
        event_id = UUID(ident)
    except ValueError:
        return False
    events = live(board).filter(pk=event_id, kind=Kind.EVENT, parked=False, private=False)
    return events.exists()


def board_reveal(*, workshop: Workshop, by: Participant | None, op: str | None) -> int:
    """Show everyone every private sticky at once, and end the silent brainstorm. Returns how
    many were revealed."""
    with change("reveal", workshop=workshop, by=by, op=op) as now:
        hidden = now.reveal_all()
        now.board().private_brainstorm = False
        now.touch_board("private_brainstorm")
        count = sum(1 for sticky in hidden if sticky.deleted_at is None)
        now.say(f"revealed {count} private stick{'y' if count == 1 else 'ies'}")
        return count


def workshop_end(*, workshop: Workshop, by: Participant | None, op: str | None = None) -> Workshop:
    """End the workshop: its board becomes read-only for everyone, still there to export."""
    with change("end", workshop=workshop, by=by, op=op) as now:
        board = now.board()  # (the skeleton refuses `end` on an ended workshop)
        board.ended_at = timezone.now()
        now.touch_board("ended_at")
        now.say("ended the workshop")
        return board


def workshop_reopen(
    *, workshop: Workshop, by: Participant | None, op: str | None = None
) -> Workshop:
    with change("reopen", workshop=workshop, by=by, op=op) as now:
        board = now.board()
        if board.ended_at is None:
            raise ValidationError("This workshop is open already.")
        board.ended_at = None
        now.touch_board("ended_at")
        now.say("reopened the workshop")
        return board


PURPOSES = {
    "improve": "improve the path",
    "release": "plan the first release",
    "risks": "mitigate the risks",
}
SHORTEST_MEETING, LONGEST_MEETING = 15, 8 * 60  # minutes


def followup_set(
    *,
    workshop: Workshop,
    by: Participant | None,
    op: str | None,
    at: str | None = None,
    minutes: int | None = None,
    purposes: list[str] | None = None,
    notes: str | None = None,
) -> Workshop:
    """The follow-up meeting: when (`at`, ISO 8601 with the offset from UTC; "" clears it), how
    long, and what the output will be used for; each field given is set."""
    with change("followup", workshop=workshop, by=by, op=op) as now:
        board, fields = now.board(), []
        if at is not None:
            board.followup_at = _moment(at)
            fields.append("followup_at")
        if minutes is not None:
            if not SHORTEST_MEETING <= minutes <= LONGEST_MEETING:
                raise ValidationError(
                    f"A follow-up meeting lasts {SHORTEST_MEETING} minutes to 8 hours."
                )
            board.followup_minutes = minutes
            fields.append("followup_minutes")
        if purposes is not None:
            unknown = [p for p in purposes if p not in PURPOSES]
            if unknown:
                raise ValidationError(
                    f"The output is for {', '.join(PURPOSES)} (say more in the notes);"
                    f" not “{unknown[0][:30]}”."
                )
            board.followup_purposes = [p for p in PURPOSES if p in purposes]
            fields.append("followup_purposes")
        if notes is not None:
            board.followup_notes = typed.cleaned(notes, lines=True)
            if len(board.followup_notes) > LIMITS.workshop_goal:
                raise ValidationError(f"The notes hold {LIMITS.workshop_goal} characters at most.")
            fields.append("followup_notes")
        now.touch_board(*fields)
        when = board.followup_at if at is not None else None  # (read back, it is in UTC)
        now.say(f"set the follow-up for {when:%Y-%m-%d %H:%M}" if when else "changed the follow-up")
        return board


def _moment(value: str) -> datetime | None:
    if not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValidationError(
            "Give the follow-up's date and time with its offset from UTC, like"
            f" 2027-01-14T10:00:00+01:00; not “{value[:30]}”."
        )
    if not 2000 <= moment.year <= 2100:
        raise ValidationError("The follow-up's date should be in this century.")
    return moment
