"""The map as a PDF, for the people who read it after the workshop: a first page saying what the
map shows, then the timeline drawn like the board (steps left to right, their lanes beneath), then
what was left parked. Landscape A4, readable in black and white: every sticky says its kind in a
word, and hot spots say so too, so colour is never the only signal."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from io import BytesIO
from itertools import pairwise
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from django.utils import dateformat, timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from workshops.exports.map import HotSpot, Involvement, Map, Note, Step
from workshops.kinds import KINDS, LANE_KINDS, Kind

# The board's sticky colours (`--k-*` in static/css/app.css; a test keeps them the same).
COLOURS = {
    "event": "#ffb74d", "system": "#90caf9", "person": "#fff176",
    "pain": "#ef9a9a", "question": "#ce93d8", "check": "#a5d6a7",
}  # fmt: skip
# The board's ink, muted text and rules (`--ink`, `--muted`, `--line`, `--danger`).
GREY = "#6b7385"
INK, MUTED, LINE = colors.HexColor("#1d2433"), colors.HexColor(GREY), colors.HexColor("#dfe3ea")
EDGE = colors.HexColor("#8a8f99")  # a sticky's outline, so pale colours still show in print
DANGER = colors.HexColor("#c62828")

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)
MARGIN, FOOTER = 28.0, 40.0
WIDTH, HEIGHT = PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - MARGIN - FOOTER

# The timeline's grid: lane names in a gutter, then five columns a page (a step or a bookend).
COLUMNS, GUTTER, GAP = 5, 66.0, 9.0
COLUMN = (WIDTH - GUTTER - COLUMNS * GAP) / COLUMNS
HEADING, PAD, NOTE_GAP, BAND_PAD = 24.0, 4.0, 4.0, 5.0
STRIP = 12.0  # the "Hot spot" strip on top of an event
MOST_INVOLVED = 8
LINES = 8  # a note keeps this many of its own line breaks; the rest are joined


# ----- fonts -----

DEJAVU_PLACES = (
    "/usr/share/fonts/truetype/dejavu",  # Debian, Ubuntu (fonts-dejavu-core)
    "/usr/share/fonts/dejavu-sans-fonts",  # Fedora
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",  # Arch
    "/usr/local/share/fonts",
    "/usr/local/share/fonts/dejavu",
    "/Library/Fonts",
    str(Path.home() / "Library/Fonts"),
)


@cache
def _fonts() -> tuple[str, str]:
    """Registers the fonts once per process: DejaVu Sans, which covers most of the world's
    scripts, when the system has it; else ReportLab's own Vera (Latin only) so it always works."""
    for place in map(Path, DEJAVU_PLACES):
        regular, bold = place / "DejaVuSans.ttf", place / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return _register("DejaVuSans", regular, "DejaVuSans-Bold", bold)
    bundled = Path(reportlab.__file__).parent / "fonts"
    return _register("Vera", bundled / "Vera.ttf", "VeraBd", bundled / "VeraBd.ttf")


def _register(regular: str, regular_file: Path, bold: str, bold_file: Path) -> tuple[str, str]:
    pdfmetrics.registerFont(TTFont(regular, str(regular_file)))
    pdfmetrics.registerFont(TTFont(bold, str(bold_file)))
    pdfmetrics.registerFontFamily(
        regular, normal=regular, bold=bold, italic=regular, boldItalic=bold
    )
    return regular, bold


@cache
def _style(size: float, bold: bool = False, colour: str = "#1d2433") -> ParagraphStyle:
    regular, heavy = _fonts()
    return ParagraphStyle(
        f"map-{size}-{bold}-{colour}",
        fontName=heavy if bold else regular,
        fontSize=size,
        leading=size * 1.25,
        textColor=colors.HexColor(colour),
        spaceAfter=size * 0.5,
    )


def _text(text: str) -> str:
    """User text as Paragraph markup: escaped, so a sticky saying "<b" is just text, with its line
    breaks kept (only the first few, so that no sticky can be taller than a page)."""
    lines = [escape(line.strip()) for line in text.splitlines() if line.strip()]
    if len(lines) > LINES:
        lines = [*lines[: LINES - 1], " ".join(lines[LINES - 1 :])]
    return "<br/>".join(lines)


# ----- stickies -----


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
    paragraph = Paragraph(markup, _style(size))
    _, height = paragraph.wrap(width - 2 * PAD - _inset(parallel), PAGE_HEIGHT)
    height += 2 * PAD + (STRIP if strip else 0.0)
    return PrintedSticky(
        paragraph, colors.HexColor(COLOURS[kind]), height, strip, parallel, bookend
    )


def _inset(parallel: bool) -> float:
    """Room for the double rule a parallel step has down its left edge."""
    return 3.0 if parallel else 0.0


def _note(note: Note, width: float = COLUMN) -> PrintedSticky:
    kind = note.kind.kind.value
    return _sticky(f"<b>{escape(note.kind.short)}</b><br/>{_text(note.text)}", kind, width)


def _event(step: Step, hot_spot: HotSpot | None) -> PrintedSticky:
    alongside = "<br/><b>Runs alongside the step before</b>" if step.parallel else ""
    strip = f"Hot spot: {hot_spot.share:.0%} of the pain" if hot_spot else ""
    markup = f"<b>Step {step.number}</b> · Event{alongside}<br/>{_text(step.event.text)}"
    return _sticky(markup, Kind.EVENT, COLUMN, 8.5, strip=strip, parallel=step.parallel)


def _bookend(label: str, text: str) -> PrintedSticky:
    return _sticky(f"<b>{label}</b><br/>{_text(text)}", Kind.EVENT, COLUMN, 8.5, bookend=True)


def _draw(canvas: Canvas, sticky: PrintedSticky, x: float, top: float, width: float) -> None:
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
        canvas.setFont(_fonts()[1], 7.5)
        canvas.drawString(x + PAD, top - STRIP + 3.2, sticky.strip)
    sticky.paragraph.drawOn(canvas, x + PAD + _inset(sticky.parallel), bottom + PAD)


# ----- the timeline -----


@dataclass
class Column:
    """A step, or the first or last event of the map, as a timeline page shows it."""

    event: PrintedSticky
    hot: bool
    lanes: dict[str, list[PrintedSticky]]  # by kind; a bookend has none


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
        canvas, bold = self.canv, _fonts()[1]
        canvas.setFillColor(INK)
        canvas.setFont(bold, 11)
        canvas.drawString(0, HEIGHT - 12, self.heading)
        _legend(canvas, HEIGHT - 12)
        top = HEIGHT - HEADING
        _draw_lane_name(canvas, "Steps", top)
        for index, column in enumerate(self.columns):
            _draw(canvas, column.event, _x(index), top, COLUMN)
        y = top - max(column.event.height for column in self.columns) - BAND_PAD
        for band in self.bands:
            canvas.setStrokeColor(LINE)
            canvas.setLineWidth(0.6)
            canvas.line(0, y, WIDTH, y)
            _draw_lane_name(canvas, KINDS[band.kind].lane, y - BAND_PAD)
            for index, notes in enumerate(band.notes):
                note_top = y - BAND_PAD
                for note in notes:
                    _draw(canvas, note, _x(index), note_top, COLUMN)
                    note_top -= note.height + NOTE_GAP
            y -= band.height
        # A hot spot's border runs down through its lanes, so the mark is seen from any of them.
        canvas.setStrokeColor(DANGER)
        canvas.setLineWidth(1.6)
        for index, column in enumerate(self.columns):
            if column.hot:
                canvas.roundRect(_x(index) - 3, y, COLUMN + 6, top - y + 3, 3, stroke=1, fill=0)


def _lane_name(name: str) -> tuple[Paragraph, float]:
    paragraph = Paragraph(escape(name), _style(7.5, True, GREY))
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
    regular = _fonts()[0]
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
    events = max(column.event.height for column in columns) + BAND_PAD
    pages: list[TimelinePage] = []
    while not pages or any(any(notes) for notes in pending.values()):
        continued = bool(pages)
        room, bands = HEIGHT - HEADING - events, list[Band]()
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


def _timeline(workshop_map: Map) -> list[Flowable]:
    workshop = workshop_map.workshop
    hot = {spot.step.number: spot for spot in workshop_map.hot_spots}
    first = Column(_bookend("First event of the map", workshop.first_event), False, {})
    last = Column(_bookend("Last event of the map", workshop.last_event), False, {})
    steps = [
        Column(
            _event(step, hot.get(step.number)),
            step.number in hot,
            {lane.kind.kind.value: [_note(note) for note in lane.notes] for lane in step.lanes},
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


# ----- the first page: the workshop, and what its map shows -----


def _table(rows: list[list[Any]], widths: list[float], *style: tuple[Any, ...]) -> Table:
    table = Table(rows, colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                *style,
            ]
        )
    )
    return table


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
        Paragraph(title, _style(10, True)),
        Paragraph(shown or "None on the timeline.", _style(9.5)),
    ]


def _hot_spots(spots: list[HotSpot]) -> list[Flowable]:
    title = Paragraph("Pain hot spots: the steps with the most pain points", _style(10, True))
    if not spots:
        return [title, Paragraph("No pain points were placed on the timeline.", _style(9.5))]
    head = _style(8.5, True)
    labels = ("Step", "Event", "Pain points", "Questions", "Share of pain")
    rows: list[list[Any]] = [[Paragraph(label, head) for label in labels]]
    rows += [
        [spot.step.number, Paragraph(_text(spot.step.event.text), _style(9)), spot.pain_points,
         spot.questions, f"{spot.share:.0%}"]
        for spot in spots
    ]  # fmt: skip
    table = _table(
        rows,
        [40, WIDTH - 250, 70, 65, 75],
        ("FONT", (0, 1), (-1, -1), _fonts()[0], 9),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
        ("LINEBEFORE", (0, 1), (0, -1), 2.5, DANGER),
    )
    return [title, table]


def _about(workshop_map: Map) -> list[Flowable]:
    """The workshop: what it mapped, when, who was there, and how many stickies it made."""
    workshop, body = workshop_map.workshop, _style(9.5)
    exported = dateformat.format(timezone.localtime(workshop_map.exported_at), "j M Y, H:i")
    facts = [
        ("First event", _text(workshop.first_event)),
        ("Last event", _text(workshop.last_event)),
        ("Agenda phase", escape(str(workshop.get_phase_display()))),
        ("Exported", exported),
    ]
    names = ", ".join(escape(person.name) for person in workshop_map.participants)
    story: list[Flowable] = [
        Paragraph("Path to Production map", _style(10, False, GREY)),
        Paragraph(escape(workshop.title), _style(20, True)),
    ]
    if workshop.goal:
        story.append(Paragraph(f"<b>Goal:</b> {_text(workshop.goal)}", _style(11)))
    return [
        *story,
        _table(
            [[Paragraph(k, _style(9.5, True)), Paragraph(v, body)] for k, v in facts],
            [95, WIDTH - 95],
            ("LEFTPADDING", (0, 0), (0, -1), 0),
        ),
        Spacer(0, 4),
        # Not in the table: a table row cannot run over a page, and a board has up to 500 people.
        Paragraph(
            f"<b>Who took part ({len(workshop_map.participants)}):</b> {names or 'nobody'}", body
        ),
        Paragraph("Stickies on the map", _style(10, True)),
        _counts(workshop_map.counts),
    ]


def _counts(counts: dict[str, int]) -> Table:
    """How many stickies of each kind, each in its kind's colour and with its lane's name."""
    cells = [
        Paragraph(f"<b>{n}</b>  {escape(KINDS[kind].lane)}", _style(9.5))
        for kind, n in counts.items()
    ]
    colours = [
        ("BACKGROUND", (index, 0), (index, 0), colors.HexColor(COLOURS[kind]))
        for index, kind in enumerate(counts)
    ]
    return _table(
        [cells],
        [WIDTH / len(cells)] * len(cells),
        ("GRID", (0, 0), (-1, -1), 3, colors.white),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        *colours,
    )


def _findings(workshop_map: Map) -> list[Flowable]:
    """What the map shows once it is worked out."""
    story: list[Flowable] = [
        Spacer(0, 10),
        CondPageBreak(120),
        Paragraph("What the map shows", _style(14, True)),
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
                _style(9.5),
            )
        )
    how_to_read = (
        "How to read the timeline: steps run left to right, each with its lanes beneath it. Every "
        "sticky names its kind; a hot spot has a red border and says “Hot spot”; a step that “Runs "
        "alongside the step before” happens in parallel with the one to its left."
    )
    return [*story, Spacer(0, 6), Paragraph(how_to_read, _style(8.5, False, GREY))]


# ----- what was parked -----


class StickyCell(Flowable):
    """A parked sticky in the grid of the Parked section."""

    def __init__(self, sticky: PrintedSticky, width: float) -> None:
        super().__init__()
        self.sticky, self.width = sticky, width

    def wrap(self, *available: float) -> tuple[float, float]:
        return self.width, self.sticky.height + GAP

    def draw(self) -> None:
        _draw(self.canv, self.sticky, 0, self.sticky.height + GAP, self.width - GAP)


def _grid(notes: list[Note]) -> Table:
    per_row, width = COLUMNS + 1, WIDTH / (COLUMNS + 1)
    cells: list[Flowable | str] = [StickyCell(_note(note, width - GAP), width) for note in notes]
    rows = [cells[start : start + per_row] for start in range(0, len(cells), per_row)]
    rows[-1] += [""] * (per_row - len(rows[-1]))
    return _table(
        rows,
        [width] * per_row,
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
    )


def _parked(workshop_map: Map) -> list[Flowable]:
    if not (workshop_map.parked_events or workshop_map.parked_notes):
        return []
    story: list[Flowable] = [
        PageBreak(),
        Paragraph("Parked", _style(14, True)),
        Paragraph("Stickies left off the timeline when the map was exported.", _style(9.5)),
    ]
    for title, notes in (
        ("Events", workshop_map.parked_events),
        ("Other stickies", workshop_map.parked_notes),
    ):
        if notes:
            story += [Paragraph(title, _style(10, True)), _grid(notes)]
    return story


# ----- the document -----


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
            self.setFont(_fonts()[0], 8)
            self.setFillColor(MUTED)
            self.drawRightString(MARGIN + WIDTH, FOOTER / 2, f"Page {number} of {len(self._held)}")
            super().showPage()
        super().save()


def map_pdf(workshop_map: Map) -> bytes:
    """The map as a PDF document, ready to download."""
    title = workshop_map.workshop.title

    def footer(canvas: Canvas, document: Any) -> None:
        canvas.setFont(_fonts()[0], 8)
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
            *_about(workshop_map),
            *_findings(workshop_map),
            *_timeline(workshop_map),
            *_parked(workshop_map),
        ],
        canvasmaker=_Canvas,
    )
    return buffer.getvalue()
