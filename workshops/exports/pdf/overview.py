"""The whole path on one page: every step in order as a numbered box with the gist of its event,
its time and what marks it in words (BOTTLENECK, HOT SPOT, GATE, HAND-OFF, PARALLEL), in rows read
left to right. Up to 40 steps fit one page at a readable size (up to 18 at a larger one); longer
paths get smaller boxes, and past what a page holds the rows go on over the next page."""

from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, Paragraph

from workshops.exports.map import Map, Step
from workshops.exports.pdf.look import (
    COLOURS,
    DANGER,
    EDGE,
    GREY,
    HEIGHT,
    INK,
    WIDTH,
    clipped,
    days,
    fonts,
    percent,
    style,
)
from workshops.exports.pdf.marks import Marks, marks_of

HEADING, KEY = 30.0, 34.0  # the page's title above the rows, the words' key below them
ROW_GAP, ARROW = 10.0, 12.0  # between rows; between boxes, where the arrow goes
PAD = 3.5


@dataclass(frozen=True)
class Layout:
    per_row: int
    rows: int
    size: float  # of the event's words

    @property
    def per_page(self) -> int:
        return self.per_row * self.rows

    @property
    def box_width(self) -> float:
        return (WIDTH - (self.per_row - 1) * ARROW) / self.per_row

    @property
    def box_height(self) -> float:
        room = (HEIGHT - HEADING - KEY - (self.rows - 1) * ROW_GAP) / self.rows
        return min(room, self.size * 11)  # a few lines of words, the time and the marks


# The first that holds the path on one page, else the last over several.
LAYOUTS = (Layout(6, 3, 9.0), Layout(8, 5, 7.5), Layout(10, 6, 6.5), Layout(12, 8, 6.0))


def layout_for(steps: int) -> Layout:
    return next((one for one in LAYOUTS if steps <= one.per_page), LAYOUTS[-1])


TAG_COLOURS = {"BOTTLENECK": INK, "HOT SPOT": DANGER}


class OverviewPage(Flowable):
    def __init__(self, heading: str, steps: list[Step], marks: dict[int, Marks], at: Layout):
        super().__init__()
        self.heading, self.steps, self.marks, self.at = heading, steps, marks, at

    def wrap(self, *available: float) -> tuple[float, float]:
        return WIDTH, HEIGHT

    def draw(self) -> None:
        canvas, at = self.canv, self.at
        canvas.setFillColor(INK)
        canvas.setFont(fonts()[1], 11)
        canvas.drawString(0, HEIGHT - 12, self.heading)
        for index, step in enumerate(self.steps):
            row, place = divmod(index, at.per_row)
            x = place * (at.box_width + ARROW)
            top = HEIGHT - HEADING - row * (at.box_height + ROW_GAP)
            _box(canvas, step, self.marks[step.number], x, top, at)
            if place < at.per_row - 1 and index < len(self.steps) - 1:
                _arrow(canvas, x + at.box_width, top - at.box_height / 2)
        key = Paragraph(
            "Read each row left to right. <b>BOTTLENECK 1-3</b>: the steps that add most to the "
            "lead time, with their share of it (% under the time). <b>HOT SPOT</b>: among the "
            "steps with the most pain points (and votes, when shown). <b>GATE</b>: a manual check "
            "a change must pass. <b>HAND-OFF</b>: the people change from the step before. "
            "<b>PARALLEL</b>: runs alongside the step before.",
            style(7.5, False, GREY),
        )
        _, height = key.wrap(WIDTH, KEY)
        key.drawOn(canvas, 0, KEY - 8 - height)


def _arrow(canvas: Canvas, x: float, y: float) -> None:
    canvas.setStrokeColor(EDGE)
    canvas.setFillColor(EDGE)
    canvas.setLineWidth(0.8)
    canvas.line(x + 2, y, x + ARROW - 4, y)
    path = canvas.beginPath()
    path.moveTo(x + ARROW - 2, y)
    path.lineTo(x + ARROW - 5, y + 2.5)
    path.lineTo(x + ARROW - 5, y - 2.5)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def _time_words(marks: Marks) -> str:
    if marks.timing is None:
        return "no timing yet"
    group = marks.group
    said = clipped(marks.said, 34)
    if group:
        said = f"steps {group[0]}-{group[-1]}: {clipped(marks.said, 24)}"
    share = ""
    if marks.unit and marks.unit.adds[1] == 0:
        share = " · adds nothing"
    elif marks.share is not None:
        share = f" · <b>{percent(marks.share)}</b>"
    return escape(said) + share


def _tags(
    canvas: Canvas | None, tags: list[str], x: float, bottom: float, width: float, size: float
) -> float:
    """Draws the words that mark a step as chips, in lines that end at `bottom`; returns the
    height they take (and only measures it when there is no canvas)."""
    bold = fonts()[1]
    step = size + 4
    lines: list[list[tuple[str, float]]] = []
    cursor = 0.0
    for tag in tags:
        chip = pdfmetrics.stringWidth(tag, bold, size) + 3.5
        if not lines or (cursor and cursor + chip > width):
            lines.append([])
            cursor = 0.0
        lines[-1].append((tag, chip))
        cursor += chip + 2
    if canvas is not None:
        for row, line in enumerate(lines):  # the first line on top, as it is read
            y, cursor = bottom + (len(lines) - 1 - row) * step, 0.0
            for tag, chip in line:
                colour = next((c for word, c in TAG_COLOURS.items() if tag.startswith(word)), None)
                canvas.setLineWidth(0.6)
                canvas.setStrokeColor(colour or INK)
                canvas.setFillColor(colour or colors.white)
                canvas.roundRect(x + cursor, y, chip, size + 2.5, 1.5, stroke=1, fill=1)
                canvas.setFillColor(colors.white if colour else INK)
                canvas.setFont(bold, size)
                canvas.drawString(x + cursor + 1.75, y + 2, tag)
                cursor += chip + 2
    return len(lines) * step


def _fit(words: str, size: float, width: float, room: float) -> Paragraph:
    """The event's words, cut until they fit the room in the box."""
    most = 120
    while True:
        paragraph = Paragraph(escape(clipped(words, most)), style(size))
        _, height = paragraph.wrap(width, room * 2)
        if height <= room or most <= 12:
            return paragraph
        most = int(most * 0.8)


def _box(canvas: Canvas, step: Step, marks: Marks, x: float, top: float, at: Layout) -> None:
    width, height = at.box_width, at.box_height
    inner = width - 2 * PAD - (3 if step.parallel else 0)
    left = x + PAD + (3 if step.parallel else 0)
    canvas.setFillColor(colors.white)
    strong = marks.hot_spot or marks.bottleneck
    canvas.setStrokeColor(DANGER if marks.hot_spot else INK if marks.bottleneck else EDGE)
    canvas.setLineWidth(1.4 if strong else 0.6)
    canvas.roundRect(x, top - height, width, height, 2, stroke=1, fill=1)
    band = at.size + 6
    canvas.setFillColor(colors.HexColor(COLOURS["event"]))
    canvas.rect(x + 0.7, top - band, width - 1.4, band - 0.7, stroke=0, fill=1)
    if step.parallel:  # a double rule down its left edge, as on the board
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.8)
        bottom = top - height
        canvas.lines([(x + 1.5, top, x + 1.5, bottom), (x + 3.5, top, x + 3.5, bottom)])
    canvas.setFillColor(INK)
    canvas.setFont(fonts()[1], at.size + 0.5)
    canvas.drawString(left, top - band + 3, f"Step {step.number}")
    tag_size = 6.0 if at.size >= 7.5 else 5.5  # capitals: still readable in the smaller boxes
    chips = _tags(None, marks.tags, left, 0, inner, tag_size)
    time = Paragraph(_time_words(marks), style(at.size - 0.5))
    _, time_height = time.wrap(inner, height)
    room = height - band - chips - time_height - 2 * PAD - 2
    words = _fit(step.event.text, at.size, inner, room)
    _, words_height = words.wrap(inner, room * 2)
    # Drawn in reading order, so that the text read back from the page is in that order too.
    words.drawOn(canvas, left, top - band - 2 - words_height)
    bottom = top - height + PAD
    time.drawOn(canvas, left, bottom + chips + (1 if chips else 0))
    _tags(canvas, marks.tags, left, bottom, inner, tag_size)


def overview(workshop_map: Map) -> list[Flowable]:
    steps, found = workshop_map.steps, workshop_map.insight
    if not steps:
        return []
    at, marks = layout_for(len(steps)), marks_of(workshop_map)
    lead = f" · lead time {days(found.lead_time)}" if found.lead_time else ""
    story: list[Flowable] = []
    for start in range(0, len(steps), at.per_page):
        part = steps[start : start + at.per_page]
        heading = f"The whole path at a glance: {len(steps)} steps{lead}"
        if start:
            heading = (
                f"The whole path at a glance, continued: steps {part[0].number}-{part[-1].number}"
            )
        story += [PageBreak(), OverviewPage(heading, part, marks, at)]
    return story
