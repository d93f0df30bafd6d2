"""A sticky as the PDF prints it: its words wrapped to its width first, so that its height is known
before a page is laid out, then drawn like the board's with its kind said in a word."""

from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from workshops.exports.map import HotSpot, Note, Step
from workshops.exports.pdf.look import (
    COLOURS,
    COLUMN,
    DANGER,
    EDGE,
    INK,
    PAGE_HEIGHT,
    fonts,
    style,
    text,
)
from workshops.kinds import Kind

PAD = 4.0
STRIP = 12.0  # the "Hot spot" strip on top of an event


@dataclass
class PrintedSticky:
    """A sticky laid out for a column: its words wrapped, so its height is known."""

    paragraph: Paragraph
    colour: Any
    height: float
    strip: str = ""  # "Hot spot ...": drawn in white on red across its top
    parallel: bool = False
    bookend: bool = False


def _sticky(
    markup: str,
    kind: str,
    width: float,
    size: float = 7.5,
    *,
    strip: str = "",
    parallel: bool = False,
    bookend: bool = False,
) -> PrintedSticky:
    paragraph = Paragraph(markup, style(size))
    _, height = paragraph.wrap(width - 2 * PAD - _inset(parallel), PAGE_HEIGHT)
    height += 2 * PAD + (STRIP if strip else 0.0)
    return PrintedSticky(
        paragraph, colors.HexColor(COLOURS[kind]), height, strip, parallel, bookend
    )


def _inset(parallel: bool) -> float:
    """Room for the double rule a parallel step has down its left edge."""
    return 3.0 if parallel else 0.0


def note(note: Note, width: float = COLUMN) -> PrintedSticky:
    kind = note.kind.kind.value
    return _sticky(f"<b>{escape(note.kind.short)}</b><br/>{text(note.text)}", kind, width)


def event(step: Step, hot_spot: HotSpot | None) -> PrintedSticky:
    alongside = "<br/><b>Runs alongside the step before</b>" if step.parallel else ""
    strip = f"Hot spot: {hot_spot.share:.0%} of the pain" if hot_spot else ""
    markup = f"<b>Step {step.number}</b> · Event{alongside}<br/>{text(step.event.text)}"
    return _sticky(markup, Kind.EVENT, COLUMN, 8.5, strip=strip, parallel=step.parallel)


def bookend(label: str, event: str) -> PrintedSticky:
    return _sticky(f"<b>{label}</b><br/>{text(event)}", Kind.EVENT, COLUMN, 8.5, bookend=True)


def draw(canvas: Canvas, sticky: PrintedSticky, x: float, top: float, width: float) -> None:
    bottom = top - sticky.height
    canvas.setFillColor(sticky.colour)
    canvas.setStrokeColor(INK if sticky.bookend else EDGE)
    canvas.setLineWidth(1.5 if sticky.bookend else 0.5)
    canvas.roundRect(x, bottom, width, sticky.height, 2, stroke=1, fill=1)
    if sticky.parallel:  # a double rule down its left edge, as on the board
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.8)
        canvas.lines([(x + 1.5, top, x + 1.5, bottom), (x + 3.5, top, x + 3.5, bottom)])
    if sticky.strip:
        canvas.setFillColor(DANGER)
        canvas.rect(x, top - STRIP, width, STRIP, stroke=0, fill=1)
        canvas.setFillColor(colors.white)
        canvas.setFont(fonts()[1], 7.5)
        canvas.drawString(x + PAD, top - STRIP + 3.2, sticky.strip)
    sticky.paragraph.drawOn(canvas, x + PAD + _inset(sticky.parallel), bottom + PAD)
