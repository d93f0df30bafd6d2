"""The first page: the workshop and how many stickies of each kind it made, then what its map shows
(the pain hot spots, who and what is most involved, and whether lead time could be worked out)."""

from typing import Any
from xml.sax.saxutils import escape

from django.utils import dateformat, timezone
from reportlab.lib import colors
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table

from workshops.exports.map import HotSpot, Involvement, Map
from workshops.exports.pdf.look import (
    COLOURS,
    DANGER,
    GREY,
    LINE,
    WIDTH,
    fonts,
    style,
    table,
    text,
)
from workshops.kinds import KINDS

MOST_INVOLVED = 8


def _steps(numbers: list[int]) -> str:
    return f"step{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"


def _involved(title: str, involved: list[Involvement]) -> list[Flowable]:
    """The most involved first, in one paragraph that can run over a page if it must."""
    shown = "; ".join(
        f"<b>{escape(item.name)}</b> ({_steps(item.steps)})" for item in involved[:MOST_INVOLVED]
    )
    if len(involved) > MOST_INVOLVED:
        shown += f"; and {len(involved) - MOST_INVOLVED} more"
    return [
        Paragraph(title, style(10, True)),
        Paragraph(shown or "None on the timeline.", style(9.5)),
    ]


def _hot_spots(spots: list[HotSpot]) -> list[Flowable]:
    title = Paragraph("Pain hot spots: the steps with the most pain points", style(10, True))
    if not spots:
        return [title, Paragraph("No pain points were placed on the timeline.", style(9.5))]
    head = style(8.5, True)
    labels = ("Step", "Event", "Pain points", "Questions", "Share of pain")
    rows: list[list[Any]] = [[Paragraph(label, head) for label in labels]]
    rows += [
        [spot.step.number, Paragraph(text(spot.step.event.text), style(9)), spot.pain_points,
         spot.questions, f"{spot.share:.0%}"]
        for spot in spots
    ]  # fmt: skip
    return [
        title,
        table(
            rows,
            [40, WIDTH - 250, 70, 65, 75],
            ("FONT", (0, 1), (-1, -1), fonts()[0], 9),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
            ("LINEBEFORE", (0, 1), (0, -1), 2.5, DANGER),
        ),
    ]


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


def findings(workshop_map: Map) -> list[Flowable]:
    """What the map shows once it is worked out."""
    story: list[Flowable] = [
        Spacer(0, 10),
        CondPageBreak(120),
        Paragraph("What the map shows", style(14, True)),
        *_hot_spots(workshop_map.hot_spots),
        Spacer(0, 8),
        *_involved("People and teams most involved", workshop_map.people),
        *_involved("Systems and tools most involved", workshop_map.systems),
    ]
    if not workshop_map.timings_recorded:
        story.append(
            Paragraph(
                "<b>Lead time and the bottleneck are not worked out:</b> no timings were recorded "
                "on this board.",
                style(9.5),
            )
        )
    how_to_read = (
        "How to read the timeline: steps run left to right, each with its lanes beneath it. Every "
        "sticky names its kind; a hot spot has a red border and says “Hot spot”; a step that “Runs "
        "alongside the step before” happens in parallel with the one to its left."
    )
    return [*story, Spacer(0, 6), Paragraph(how_to_read, style(8.5, False, GREY))]
