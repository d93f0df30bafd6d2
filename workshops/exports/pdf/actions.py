"""What the workshop decided to do next: the actions (each with its owner, due date, status and the
step it came from) and the follow-up meeting (when, how long, what the map will be used for)."""

from datetime import datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from django.utils import dateformat, timezone
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer

from workshops.exports.map import ActionItem, Map
from workshops.exports.pdf.look import GREY, LINE, WIDTH, clipped, style, table, text
from workshops.services.agenda import PURPOSES

SOURCE = 70  # characters of the sticky an action came from


def _from(action: ActionItem) -> str:
    if action.step is None and action.source is None:
        return ""
    where = f"<b>Step {action.step}</b>" if action.step else "Parked"
    return f"{where}: {escape(clipped(action.source, SOURCE))}" if action.source else where


def _actions(actions: list[ActionItem]) -> list[Flowable]:
    title = Paragraph("Actions", style(14, True))
    if not actions:
        return [title, Paragraph("No actions were recorded on this board.", style(9.5))]
    head, cell = style(8.5, True), style(9)
    labels = ("", "Action", "Owner", "Due", "Status", "From")
    rows: list[list[Any]] = [[Paragraph(label, head) for label in labels]]
    for number, action in enumerate(actions, start=1):
        due = dateformat.format(action.due, "j M Y") if action.due else "—"
        rows.append(
            [
                Paragraph(str(number), cell),
                Paragraph(text(action.text), cell),
                Paragraph(escape(action.owner) if action.owner else "nobody yet", cell),
                Paragraph(due, cell),
                Paragraph(escape(action.status_label), cell),
                Paragraph(_from(action), style(8.5)),
            ]
        )
    widths: list[float] = [20, 0, 110, 70, 50, 190]
    widths[1] = WIDTH - sum(widths)
    return [
        title,
        table(rows, widths, ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE), repeat_rows=1),
    ]


def _moment(at: datetime) -> str:
    """ "Thursday 14 January 2027, 10:00 (UTC+01:00)", in the server's time zone."""
    local = timezone.localtime(at)
    offset = local.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    zone = f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return f"{dateformat.format(local, 'l j F Y, H:i')} ({zone})"


def _length(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if rest or not hours:
        parts.append(f"{rest} minutes")
    return " ".join(parts)


def _followup(workshop_map: Map) -> list[Flowable]:
    workshop = workshop_map.workshop
    title = Paragraph("Follow-up", style(14, True))
    if not (workshop.followup_at or workshop.followup_purposes or workshop.followup_notes):
        return [title, Paragraph("No follow-up meeting was set.", style(9.5))]
    uses = [PURPOSES.get(purpose, purpose) for purpose in workshop.followup_purposes]
    facts = [
        ("When", escape(_moment(workshop.followup_at)) if workshop.followup_at else "not set yet"),
        ("Length", _length(workshop.followup_minutes)),
        ("The map is for", escape(", ".join(uses)) if uses else "not said"),
    ]
    if workshop.followup_notes:
        facts.append(("Notes", text(workshop.followup_notes)))
    return [
        title,
        table(
            [[Paragraph(k, style(9.5, True)), Paragraph(v, style(9.5))] for k, v in facts],
            [95, WIDTH - 95],
            ("LEFTPADDING", (0, 0), (0, -1), 0),
        ),
    ]


def next_steps(workshop_map: Map) -> list[Flowable]:
    return [
        Spacer(0, 10),
        CondPageBreak(110),
        *_actions(workshop_map.actions),
        Spacer(0, 10),
        CondPageBreak(90),
        *_followup(workshop_map),
        Spacer(0, 4),
        Paragraph(
            "Actions stay on the board for their owners to update after the workshop.",
            style(8.5, False, GREY),
        ),
    ]
