"""How the printed map looks: the board's colours, the page and its grid of columns, the fonts,
and the paragraph and table styles, with user text escaped for them. Every part of the document
takes these from here, so its pages print alike."""

from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Table, TableStyle

from workshops.insight import Days, days_text, share_text

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

# The timeline's grid: lane names in a gutter, then eight columns a page (a step or a bookend):
# about 18 characters a line at 7.5 pt, as many as stay readable on paper.
COLUMNS, GUTTER, GAP = 8, 48.0, 6.0
COLUMN = (WIDTH - GUTTER - COLUMNS * GAP) / COLUMNS
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
def fonts() -> tuple[str, str]:
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


# ----- styles -----


@cache
def style(size: float, bold: bool = False, colour: str = "#1d2433") -> ParagraphStyle:
    regular, heavy = fonts()
    return ParagraphStyle(
        f"map-{size}-{bold}-{colour}",
        fontName=heavy if bold else regular,
        fontSize=size,
        leading=size * 1.25,
        textColor=colors.HexColor(colour),
        spaceAfter=size * 0.5,
    )


def text(text: str) -> str:
    """User text as Paragraph markup: escaped, so a sticky saying "<b" is just text, with its line
    breaks kept (only the first few, so that no sticky can be taller than a page)."""
    lines = [escape(line.strip()) for line in text.splitlines() if line.strip()]
    if len(lines) > LINES:
        lines = [*lines[: LINES - 1], " ".join(lines[LINES - 1 :])]
    return "<br/>".join(lines)


def days(span: Days | None) -> str:
    return days_text(span)


percent = share_text


def clipped(text: str, most: int) -> str:
    """User text on one line and cut to `most` characters, for the places with room for a gist."""
    line = " ".join(text.split())
    return line if len(line) <= most else line[: most - 1].rstrip() + "…"


def table(
    rows: list[list[Any]], widths: list[float], *style: tuple[Any, ...], repeat_rows: int = 0
) -> Table:
    """A table of the map's look; `repeat_rows` head rows are repeated on each page it runs over."""
    table = Table(rows, colWidths=widths, hAlign="LEFT", repeatRows=repeat_rows)
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
