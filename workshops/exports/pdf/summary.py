"""The first page: the workshop (what it mapped, when, who took part) and how many stickies of each
kind it made. What its map shows follows it (`findings`)."""

from xml.sax.saxutils import escape

from django.utils import dateformat, timezone
from reportlab.lib import colors
from reportlab.platypus import Flowable, Paragraph, Spacer, Table

from workshops.exports.map import Map
from workshops.exports.pdf.look import (
    COLOURS,
    GREY,
    WIDTH,
    style,
    table,
    text,
)
from workshops.kinds import KINDS


def about(workshop_map: Map) -> list[Flowable]:
    """The workshop: what it mapped, when, who was there, and how many stickies it made."""
    workshop, body = workshop_map.workshop, style(9.5)
    exported = dateformat.format(timezone.localtime(workshop_map.exported_at), "j M Y, H:i")
    facts = [
        ("First event", text(workshop.first_event)),
        ("Last event", text(workshop.last_event)),
        ("Agenda phase", escape(str(workshop.get_phase_display()))),
        ("Exported", exported),
    ]
    names = ", ".join(escape(person.name) for person in workshop_map.participants)
    story: list[Flowable] = [
        Paragraph("Path to Production map", style(10, False, GREY)),
        Paragraph(escape(workshop.title), style(20, True)),
    ]
    if workshop.goal:
        story.append(Paragraph(f"<b>Goal:</b> {text(workshop.goal)}", style(11)))
    return [
        *story,
        table(
            [[Paragraph(k, style(9.5, True)), Paragraph(v, body)] for k, v in facts],
            [95, WIDTH - 95],
            ("LEFTPADDING", (0, 0), (0, -1), 0),
        ),
        Spacer(0, 4),
        # Not in the table: a table row cannot run over a page, and a board has up to 500 people.
        Paragraph(
            f"<b>Who took part ({len(workshop_map.participants)}):</b> {names or 'nobody'}", body
        ),
        Paragraph("Stickies on the map", style(10, True)),
        _counts(workshop_map.counts),
    ]


def _counts(counts: dict[str, int]) -> Table:
    """How many stickies of each kind, each in its kind's colour and with its lane's name."""
    cells = [
        Paragraph(f"<b>{n}</b>  {escape(KINDS[kind].lane)}", style(9.5))
        for kind, n in counts.items()
    ]
    colours = [
        ("BACKGROUND", (index, 0), (index, 0), colors.HexColor(COLOURS[kind]))
        for index, kind in enumerate(counts)
    ]
    return table(
        [cells],
        [WIDTH / len(cells)] * len(cells),
        ("GRID", (0, 0), (-1, -1), 3, colors.white),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        *colours,
    )
