"""For an ideal path: the current path it was copied from beside it, as on the compare page (the
figures before and after, then each step removed, added, changed or kept)."""

from typing import Any
from xml.sax.saxutils import escape

from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer

from workshops.compare import Comparison, comparison_against
from workshops.exports.map import Map, Step
from workshops.exports.pdf.look import GREY, LINE, WIDTH, clipped, days, style, table

GIST = 80  # characters of a step's text


def _step(step: Step | None) -> Paragraph:
    if step is None:
        return Paragraph("—", style(9, False, GREY))
    return Paragraph(f"<b>{step.number}.</b> {escape(clipped(step.event.text, GIST))}", style(9))


def _figures(comparison: Comparison) -> list[list[Any]]:
    before, after = comparison.before, comparison.after
    rows = [
        ("Steps", before.steps, after.steps),
        ("Lead time", days(before.lead_time), days(after.lead_time)),
        ("Steps without a timing", before.untimed, after.untimed),
        ("Hand-offs", before.hand_offs, after.hand_offs),
        ("Manual gates (checks)", before.gates, after.gates),
        ("Pain points on the path", before.pain_points, after.pain_points),
    ]
    head = style(8.5, True)
    return [
        [Paragraph(label, head) for label in ("", "Current path", "Ideal path")],
        *[
            [Paragraph(what, head), Paragraph(str(b), style(9)), Paragraph(str(a), style(9))]
            for what, b, a in rows
        ],
    ]


def comparison(workshop_map: Map) -> list[Flowable]:
    """The comparison, when this map is an ideal path (nothing otherwise)."""
    current = workshop_map.workshop.ideal_of
    if current is None:
        return []
    found = comparison_against(current=current, ideal=workshop_map)
    counts = ", ".join(
        f"{found.count(status)} {status}" for status in ("removed", "added", "changed", "kept")
    )
    head = style(8.5, True)
    rows: list[list[Any]] = [
        [Paragraph(label, head) for label in ("Current path", "Change", "Ideal path")]
    ]
    for change in found.changes:
        what = "<br/>".join(escape(line) for line in change.what)
        rows.append(
            [
                _step(change.before),
                Paragraph(
                    f"<b>{change.status.capitalize()}</b>" + (f"<br/>{what}" if what else ""),
                    style(8.5),
                ),
                _step(change.after),
            ]
        )
    third = WIDTH / 3
    return [
        CondPageBreak(200),
        Paragraph("Current and ideal path", style(14, True)),
        Paragraph(
            f"This map is an ideal path, copied from “{escape(current.title)}”. Steps: {counts}.",
            style(9.5),
        ),
        Spacer(0, 6),
        table(_figures(found), [170, 150, 150], ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE)),
        Spacer(0, 10),
        table(
            rows, [third, third, third], ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE), repeat_rows=1
        ),
        Spacer(0, 12),
    ]
