"""The Parked section at the end: the stickies left off the timeline when the map was exported,
printed as they are on the board, in a grid."""

from reportlab.platypus import Flowable, PageBreak, Paragraph, Table

from workshops.exports.map import Map, Note
from workshops.exports.pdf import stickies
from workshops.exports.pdf.look import COLUMNS, GAP, WIDTH, style, table
from workshops.exports.pdf.stickies import PrintedSticky


class StickyCell(Flowable):
    """A parked sticky in the grid of the Parked section."""

    def __init__(self, sticky: PrintedSticky, width: float) -> None:
        super().__init__()
        self.sticky, self.width = sticky, width

    def wrap(self, *available: float) -> tuple[float, float]:
        return self.width, self.sticky.height + GAP

    def draw(self) -> None:
        stickies.draw(self.canv, self.sticky, 0, self.sticky.height + GAP, self.width - GAP)


def _grid(notes: list[Note]) -> Table:
    per_row, width = COLUMNS + 1, WIDTH / (COLUMNS + 1)
    cells: list[Flowable | str] = [
        StickyCell(stickies.note(note, width - GAP), width) for note in notes
    ]
    rows = [cells[start : start + per_row] for start in range(0, len(cells), per_row)]
    rows[-1] += [""] * (per_row - len(rows[-1]))
    return table(
        rows,
        [width] * per_row,
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
    )


def parked(workshop_map: Map) -> list[Flowable]:
    if not (workshop_map.parked_events or workshop_map.parked_notes):
        return []
    story: list[Flowable] = [
        PageBreak(),
        Paragraph("Parked", style(14, True)),
        Paragraph("Stickies left off the timeline when the map was exported.", style(9.5)),
    ]
    for title, notes in (
        ("Events", workshop_map.parked_events),
        ("Other stickies", workshop_map.parked_notes),
    ):
        if notes:
            story += [Paragraph(title, style(10, True)), _grid(notes)]
    return story
