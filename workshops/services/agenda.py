"""The facilitator running the workshop: its own details, the phase of the agenda, the silent
brainstorm and its reveal, ending and reopening. Each is one change of the board's own state,
live on every screen."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from workshops import text as typed
from workshops.agenda import Phase
from workshops.limits import LIMITS
from workshops.models import Participant, Sticky, Workshop
from workshops.services.changes import change

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
) -> Workshop:
    """Change the workshop's own details or state; each field given is set."""
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
        now.touch_board(*fields)
        return board


def board_reveal(*, workshop: Workshop, by: Participant | None, op: str | None) -> int:
    """Show everyone every private sticky at once, and end the silent brainstorm. Returns how
    many were revealed."""
    with change("reveal", workshop=workshop, by=by, op=op) as now:
        hidden = list(Sticky.objects.filter(workshop=now.workshop, private=True))
        for sticky in hidden:
            sticky.private = False
            now.touch(sticky)
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
