"""The timeline pages, drawn like the board: the steps left to right between the first and last
event of the map, eight columns a page, each step with its time beneath it and then its lanes,
over as many pages as the lanes need."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, PageBreak, Paragraph

from workshops.exports.map import Map
from workshops.exports.pdf import stickies
from workshops.exports.pdf.look import (
    COLOURS,
    COLUMN,
    COLUMNS,
    DANGER,
    EDGE,
    GAP,
    GREY,
    GUTTER,
    HEIGHT,
    INK,
    LINE,
    WIDTH,
    fonts,
    style,
)
from workshops.exports.pdf.marks import marks_of
from workshops.exports.pdf.stickies import PrintedSticky
from workshops.kinds import KINDS, LANE_KINDS

HEADING, NOTE_GAP, BAND_PAD = 24.0, 4.0, 5.0


@dataclass
class Column:
    """A step, or the first or last event of the map, as a timeline page shows it."""

    event: PrintedSticky
    hot: bool
    lanes: dict[str, list[PrintedSticky]]  # by kind; a bookend has none
    time: PrintedSticky | None = None  # a bookend has none


def _head(columns: Sequence[Column]) -> tuple[float, float]:
    """The heights of the events' row and of the time row under it (0 when no column has one)."""
    events = max(column.event.height for column in columns)
    times = [column.time.height for column in columns if column.time]
    return events + BAND_PAD, (max(times) + 2 * BAND_PAD if times else 0.0)


@dataclass
class Band:
    """One lane across the columns of a page: the notes of each column that fit on it."""

    kind: str
    notes: list[list[PrintedSticky]]

    @property
    def height(self) -> float:
        notes = max(map(_stack, self.notes), default=0)
        return max(notes, _lane_name_height(KINDS[self.kind].lane)) + 2 * BAND_PAD


def _stack(notes: Sequence[PrintedSticky]) -> float:
    return sum(note.height for note in notes) + NOTE_GAP * max(len(notes) - 1, 0)


def _x(index: int) -> float:
    return GUTTER + index * (COLUMN + GAP)


class TimelinePage(Flowable):
    """A page of the timeline: the events on top, then one band per lane."""

    def __init__(self, heading: str, columns: list[Column], bands: list[Band]) -> None:
        super().__init__()
        self.heading, self.columns, self.bands = heading, columns, bands

    def wrap(self, *available: float) -> tuple[float, float]:
        return WIDTH, HEIGHT

    def draw(self) -> None:
        canvas, bold = self.canv, fonts()[1]
        canvas.setFillColor(INK)
        canvas.setFont(bold, 11)
        canvas.drawString(0, HEIGHT - 12, self.heading)
        _legend(canvas, HEIGHT - 12)
        top = HEIGHT - HEADING
        _draw_lane_name(canvas, "Steps", top)
        for index, column in enumerate(self.columns):
            stickies.draw(canvas, column.event, _x(index), top, COLUMN)
        events, times = _head(self.columns)
        y = top - events
        if times:
            _rule(canvas, y)
            _draw_lane_name(canvas, "Time", y - BAND_PAD)
            for index, column in enumerate(self.columns):
                if column.time:
                    stickies.draw(canvas, column.time, _x(index), y - BAND_PAD, COLUMN)
            y -= times
        for band in self.bands:
            _rule(canvas, y)
            _draw_lane_name(canvas, KINDS[band.kind].lane, y - BAND_PAD)
            for index, notes in enumerate(band.notes):
                note_top = y - BAND_PAD
                for note in notes:
                    stickies.draw(canvas, note, _x(index), note_top, COLUMN)
                    note_top -= note.height + NOTE_GAP
            y -= band.height
        # A hot spot's border runs down through its lanes, so the mark is seen from any of them.
        canvas.setStrokeColor(DANGER)
        canvas.setLineWidth(1.6)
        for index, column in enumerate(self.columns):
            if column.hot:
                canvas.roundRect(_x(index) - 3, y, COLUMN + 6, top - y + 3, 3, stroke=1, fill=0)


def _rule(canvas: Canvas, y: float) -> None:
    canvas.setStrokeColor(LINE)
    canvas.setLineWidth(0.6)
    canvas.line(0, y, WIDTH, y)


def _lane_name(name: str) -> tuple[Paragraph, float]:
    paragraph = Paragraph(escape(name), style(7, True, GREY))
    _, height = paragraph.wrap(GUTTER - 8, HEIGHT)
    return paragraph, height


@cache
def _lane_name_height(name: str) -> float:
    """A lane is at least as tall as its name in the gutter."""
    return float(_lane_name(name)[1])


def _draw_lane_name(canvas: Canvas, name: str, top: float) -> None:
    paragraph, height = _lane_name(name)
    paragraph.drawOn(canvas, 0, top - height)


def _legend(canvas: Canvas, baseline: float) -> None:
    """The colours' key, top right: each colour with its kind's word."""
    regular = fonts()[0]
    canvas.setFont(regular, 7.5)
    x = WIDTH
    for kind in reversed(KINDS):
        word = KINDS[kind].short
        x -= pdfmetrics.stringWidth(word, regular, 7.5) + 18
        canvas.setFillColor(colors.HexColor(COLOURS[kind]))
        canvas.setStrokeColor(EDGE)
        canvas.setLineWidth(0.5)
        canvas.rect(x, baseline - 1, 8, 8, stroke=1, fill=1)
        canvas.setFillColor(INK)
        canvas.drawString(x + 11, baseline, word)


def _take(notes: list[PrintedSticky], room: float, at_least_one: bool) -> list[PrintedSticky]:
    """Takes from the front of a lane the notes that fit in the room left on the page."""
    count, used = 0, 0.0
    while count < len(notes) and used + notes[count].height <= room:
        used += notes[count].height + NOTE_GAP
        count += 1
    count = max(count, min(len(notes), int(at_least_one)))
    taken = notes[:count]
    del notes[:count]
    return taken


def _pages_of(heading: str, columns: list[Column]) -> list[TimelinePage]:
    """The pages a group of columns needs: one, unless its lanes are too long for it, when they
    go on over the next pages (with the events repeated on top) rather than being cut off."""
    pending = {
        kind: [list(column.lanes.get(kind, [])) for column in columns] for kind in LANE_KINDS
    }
    head = sum(_head(columns))
    pages: list[TimelinePage] = []
    while not pages or any(any(notes) for notes in pending.values()):
        continued = bool(pages)
        room, bands = HEIGHT - HEADING - head, list[Band]()
        for kind in LANE_KINDS:
            if continued and not any(pending[kind]):
                continue  # that lane was finished on an earlier page
            if room < Band(kind, []).height:
                break
            first = continued and not bands  # a page must take something, or never end
            band = Band(kind, [_take(notes, room - 2 * BAND_PAD, first) for notes in pending[kind]])
            if any(pending[kind]) and not any(band.notes):
                break
            bands.append(band)
            room -= band.height
            if any(pending[kind]):
                break  # this lane goes on over the page, and the lanes below it with it
        pages.append(TimelinePage(f"{heading}{', continued' if continued else ''}", columns, bands))
    return pages


def _groups(count: int) -> list[slice]:
    """Columns shared out evenly over the fewest pages, so no page holds a lone bookend."""
    pages = -(-count // COLUMNS)
    edges = [round(page * count / pages) for page in range(pages + 1)]
    return [slice(start, end) for start, end in pairwise(edges)]


def _heading(numbers: range, total: int) -> str:
    if not numbers:
        return "The path: no events were placed on the timeline"
    if len(numbers) == 1:
        return f"The path: step {numbers[0]} of {total}"
    return f"The path: steps {numbers[0]} to {numbers[-1]} of {total}"


def timeline(workshop_map: Map) -> list[Flowable]:
    workshop, shown = workshop_map.workshop, workshop_map.votes_shown
    marks = marks_of(workshop_map)
    first = Column(stickies.bookend("First event of the map", workshop.first_event), False, {})
    last = Column(stickies.bookend("Last event of the map", workshop.last_event), False, {})
    steps = [
        Column(
            stickies.event(step, marks[step.number]),
            marks[step.number].hot_spot is not None,
            {
                lane.kind.kind.value: [
                    stickies.note(note, votes_shown=shown) for note in lane.notes
                ]
                for lane in step.lanes
            },
            stickies.time(marks[step.number]),
        )
        for step in workshop_map.steps
    ]
    columns, total = [first, *steps, last], len(steps)
    story: list[Flowable] = []
    for group in _groups(len(columns)):
        numbers = range(max(group.start, 1), min(group.stop, total + 1))  # columns 1 to n are steps
        for page in _pages_of(_heading(numbers, total), columns[group]):
            story += [PageBreak(), page]
    return story
