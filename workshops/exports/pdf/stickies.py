"""A sticky as the PDF prints it: its words wrapped to its width first, so that its height is known
before a page is laid out, then drawn like the board's with its kind said in a word. An event also
says in words what marks it (a bottleneck, a hot spot, a hand-off), and under it a card says its
time."""

from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from workshops.exports.map import Note, Step
from workshops.exports.pdf.look import (
    COLOURS,
    COLUMN,
    DANGER,
    EDGE,
    INK,
    PAGE_HEIGHT,
    percent,
    style,
    text,
)
from workshops.exports.pdf.marks import Marks
from workshops.kinds import Kind

PAD = 3.5
NOTE_SIZE, EVENT_SIZE = 7.5, 8.0


@dataclass
class Strip:
    """A mark across the top of an event, in white on a dark colour: "Hot spot: 27% of the pain"."""

    paragraph: Paragraph
    colour: Any
    height: float


@dataclass
class PrintedSticky:
    """A sticky laid out for a column: its words wrapped, so its height is known."""

    paragraph: Paragraph
    colour: Any
    height: float
    strips: list[Strip] = field(default_factory=list)
    parallel: bool = False
    bookend: bool = False
    edge: Any = EDGE


def _inset(parallel: bool) -> float:
    """Room for the double rule a parallel step has down its left edge."""
    return 3.0 if parallel else 0.0


def _strip(words: str, colour: Any, width: float) -> Strip:
    paragraph = Paragraph(f"<b>{escape(words)}</b>", style(7, False, "#ffffff"))
    _, height = paragraph.wrap(width - 2 * PAD, PAGE_HEIGHT)
    return Strip(paragraph, colour, height + 3)


def _sticky(
    markup: str,
    colour: Any,
    width: float,
    size: float = NOTE_SIZE,
    *,
    strips: tuple[tuple[str, Any], ...] = (),
    parallel: bool = False,
    bookend: bool = False,
    edge: Any = EDGE,
) -> PrintedSticky:
    paragraph = Paragraph(markup, style(size))
    _, height = paragraph.wrap(width - 2 * PAD - _inset(parallel), PAGE_HEIGHT)
    made = [_strip(words, strip_colour, width) for words, strip_colour in strips]
    height += 2 * PAD + sum(strip.height for strip in made)
    return PrintedSticky(paragraph, colour, height, made, parallel, bookend, edge)


def _kind_colour(kind: str) -> Any:
    return colors.HexColor(COLOURS[kind])


def note(note: Note, width: float = COLUMN, votes_shown: bool = False) -> PrintedSticky:
    kind = note.kind.kind.value
    votes = ""
    if votes_shown and note.votes:
        votes = f" · {note.votes} vote{'s' if note.votes != 1 else ''}"
    markup = f"<b>{escape(note.kind.short)}{votes}</b><br/>{text(note.text)}"
    return _sticky(markup, _kind_colour(kind), width)


def event(step: Step, marks: Marks) -> PrintedSticky:
    head = f"<b>Step {step.number}</b> · Event"
    if marks.votes:
        head += f" · {marks.votes} vote{'s' if marks.votes != 1 else ''}"
    lines = [head]
    if step.parallel:
        lines.append(f"<b>Runs alongside step {step.number - 1}</b>")
    if marks.hand_off_from:
        lines.append(f"<b>Hand-off from step {marks.hand_off_from}</b>")
    strips: list[tuple[str, Any]] = []
    if marks.bottleneck:
        share = f": {percent(marks.share)} of the lead time" if marks.share is not None else ""
        strips.append((f"Bottleneck {marks.bottleneck}{share}", INK))
    if marks.hot_spot:
        strips.append((f"Hot spot: {percent(marks.hot_spot.share)} of the pain", DANGER))
    markup = "<br/>".join([*lines, text(step.event.text)])
    return _sticky(
        markup,
        _kind_colour(Kind.EVENT),
        COLUMN,
        EVENT_SIZE,
        strips=tuple(strips),
        parallel=step.parallel,
    )


def time(marks: Marks) -> PrintedSticky:
    """The card under an event: its time as it was given, and what it adds to the lead time."""
    if marks.timing is None:
        return _sticky("<b>Time</b><br/>No timing yet", colors.white, COLUMN, edge=EDGE)
    lines = [f"<b>Time</b> {escape(marks.said)}"]
    group = marks.group
    if group:
        lines.append(f"Timed with steps {group[0]}-{group[-1]} as a group")
    lines.append(escape(marks.adds[0].upper() + marks.adds[1:]))
    return _sticky("<br/>".join(lines), colors.white, COLUMN, edge=INK)


def bookend(label: str, event: str) -> PrintedSticky:
    markup = f"<b>{label}</b><br/>{text(event)}"
    return _sticky(markup, _kind_colour(Kind.EVENT), COLUMN, EVENT_SIZE, bookend=True)


def draw(canvas: Canvas, sticky: PrintedSticky, x: float, top: float, width: float) -> None:
    bottom = top - sticky.height
    canvas.setFillColor(sticky.colour)
    canvas.setStrokeColor(INK if sticky.bookend else sticky.edge)
    canvas.setLineWidth(1.5 if sticky.bookend else 0.5)
    canvas.roundRect(x, bottom, width, sticky.height, 2, stroke=1, fill=1)
    if sticky.parallel:  # a double rule down its left edge, as on the board
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.8)
        canvas.lines([(x + 1.5, top, x + 1.5, bottom), (x + 3.5, top, x + 3.5, bottom)])
    for strip in sticky.strips:
        canvas.setFillColor(strip.colour)
        canvas.rect(x, top - strip.height, width, strip.height, stroke=0, fill=1)
        strip.paragraph.drawOn(canvas, x + PAD, top - strip.height + 1.5)
        top -= strip.height
    sticky.paragraph.drawOn(canvas, x + PAD + _inset(sticky.parallel), bottom + PAD)
