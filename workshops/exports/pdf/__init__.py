"""The map as a PDF, for the people who read it after the workshop: the workshop (`summary`) and
what its map shows (`findings`: lead time, bottlenecks, hot spots, hand-offs, gates), for an ideal
path the current one beside it (`comparison`), the actions and the follow-up (`actions`), the
whole path on one page (`overview`), then the timeline drawn like the board (`timeline`) and what
was left parked (`parked`). Landscape A4, readable in black and white: every sticky says its kind
in a word (`stickies`), and every mark (bottleneck, hot spot, gate, hand-off) is said in words
(`marks`), so colour is never the only signal."""

from io import BytesIO
from typing import Any

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

from workshops.exports.map import Map
from workshops.exports.pdf import (
    actions,
    comparison,
    findings,
    overview,
    parked,
    summary,
    timeline,
)
from workshops.exports.pdf.look import (
    FOOTER,
    HEIGHT,
    MARGIN,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    WIDTH,
    fonts,
)

__all__ = ["map_pdf"]


class _Canvas(Canvas):
    """Holds each page back until the end, so that every footer can say how many pages there are."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for number, page in enumerate(self._held, start=1):
            self.__dict__.update(page)
            self.setFont(fonts()[0], 8)
            self.setFillColor(MUTED)
            self.drawRightString(MARGIN + WIDTH, FOOTER / 2, f"Page {number} of {len(self._held)}")
            super().showPage()
        super().save()


def map_pdf(workshop_map: Map) -> bytes:
    """The map as a PDF document, ready to download."""
    title = workshop_map.workshop.title

    def footer(canvas: Canvas, document: Any) -> None:
        canvas.setFont(fonts()[0], 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(MARGIN, FOOTER / 2, title)

    frame = Frame(MARGIN, FOOTER, WIDTH, HEIGHT, 0, 0, 0, 0)
    buffer = BytesIO()
    document = BaseDocTemplate(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        pageTemplates=[PageTemplate("map", [frame], onPage=footer)],
        title=title,
        subject="Path to Production map",
        creator="p2pboard",
    )
    document.build(
        [
            *summary.about(workshop_map),
            *findings.findings(workshop_map),
            *comparison.comparison(workshop_map),
            *actions.next_steps(workshop_map),
            *overview.overview(workshop_map),
            *timeline.timeline(workshop_map),
            *parked.parked(workshop_map),
        ],
        canvasmaker=_Canvas,
    )
    return buffer.getvalue()
