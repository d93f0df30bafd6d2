"""What the map shows, after the workshop's page: the lead time as a range (or plainly why there is
none), working and waiting time, the bottlenecks with their share of the lead time, the pain hot
spots, the hand-offs and manual gates, who and what is most involved, and what is missing for the
figures to be whole. The figures are `workshops.insight`'s, as the board and every export say."""

from typing import Any
from xml.sax.saxutils import escape

from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer

from workshops.exports.map import Involvement, Map
from workshops.exports.pdf.look import (
    DANGER,
    GREY,
    INK,
    LINE,
    WIDTH,
    clipped,
    days,
    percent,
    style,
    table,
)
from workshops.insight import Unit

MOST_INVOLVED = 8
MOST_LISTED = 12  # hand-offs and gates named one by one; the rest are counted
GIST = 90  # characters of an event's text in a list


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _steps(numbers: list[int]) -> str:
    return f"step{'s' if len(numbers) > 1 else ''} {', '.join(map(str, numbers))}"


def _heading(words: str) -> Paragraph:
    return Paragraph(words, style(10.5, True))


def _figure(label: str, value: str, note: str = "") -> list[Paragraph]:
    cell = [Paragraph(escape(label), style(8, False, GREY)), Paragraph(value, style(15, True))]
    if note:
        cell.append(Paragraph(note, style(7.5, False, GREY)))
    return cell


def _figures(workshop_map: Map) -> list[Flowable]:
    """The lead time and its parts, large, in a row of boxes."""
    found = workshop_map.insight
    timed = found.steps - len(found.untimed)
    cells = [
        _figure(
            "Lead time",
            escape(days(found.lead_time)) if found.lead_time else "Not worked out",
            "from the first to the last event" if found.lead_time else "no step has a timing",
        ),
        _figure("Steps timed", f"{timed} of {found.steps}"),
    ]
    if found.work is not None:
        cells.append(_figure("Working time", escape(days(found.work)), "where it was given"))
    if found.wait is not None:
        cells.append(_figure("Waiting time", escape(days(found.wait)), "where it was given"))
    if found.flow_efficiency is not None:
        cells.append(
            _figure(
                "Flow efficiency",
                f"{found.flow_efficiency:.0%}",
                "working time ÷ time taken, where both were given",
            )
        )
    width = WIDTH / len(cells) if len(cells) > 3 else WIDTH / 4
    return [
        table(
            [cells],
            [width] * len(cells),
            ("BOX", (0, 0), (0, 0), 1.5, INK),
            ("LINEAFTER", (1, 0), (-2, 0), 0.5, LINE),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ("LEFTPADDING", (0, 0), (-1, -1), 7),
        ),
        Spacer(0, 4),
    ]


def _how_lead_time_adds_up(workshop_map: Map) -> list[Flowable]:
    found = workshop_map.insight
    if found.lead_time is None:
        return []
    top = days((found.lead_time[1], found.lead_time[1]))
    return [
        Paragraph(
            "The lead time adds up each step's size or estimate through the workshop's scale: "
            "steps that run alongside each other count their longest, and a group timed together "
            f"counts once. The shares below are of the top of the range ({escape(top)}).",
            style(8.5, False, GREY),
        )
    ]


def _unit_text(unit: Unit) -> str:
    return " / ".join(clipped(step.text, GIST // len(unit.steps)) for step in unit.steps)


def _bottlenecks(workshop_map: Map) -> list[Flowable]:
    found = workshop_map.insight
    title = _heading("Bottlenecks: the steps that add most to the lead time")
    if not found.bottlenecks:
        none = (
            "None yet: no timed step adds to the lead time."
            if found.lead_time
            else ("Not worked out: no step has a size or an estimate yet.")
        )
        return [title, Paragraph(none, style(9.5))]
    said = {timing.steps[0]: timing.said for timing in workshop_map.timings}
    head = style(8.5, True)
    labels = ("", "Steps", "Event", "Time given", "Adds", "Share of the lead time")
    rows: list[list[Any]] = [[Paragraph(label, head) for label in labels]]
    cell = style(9)
    for rank, unit in enumerate(found.bottlenecks, start=1):
        numbers = unit.numbers
        rows.append(
            [
                Paragraph(f"<b>{rank}</b>", cell),
                Paragraph(f"{numbers[0]}-{numbers[-1]}" if len(numbers) > 1 else str(numbers[0]),
                          cell),
                Paragraph(escape(_unit_text(unit)), cell),
                Paragraph(escape(said.get(numbers[0], "")), cell),
                Paragraph(escape(days(unit.adds)), cell),
                Paragraph(f"<b>{percent(unit.share)}</b>", cell),
            ]
        )  # fmt: skip
    return [
        title,
        table(
            rows,
            [22, 40, WIDTH - 392, 130, 80, 120],
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
            ("LINEBEFORE", (0, 1), (0, -1), 2.5, INK),
        ),
    ]


def _hot_spots(workshop_map: Map) -> list[Flowable]:
    spots, shown = workshop_map.hot_spots, workshop_map.votes_shown
    weighed = "weighted by the votes on them" if shown else "pain points only, the votes are hidden"
    title = _heading(f"Pain hot spots: the steps that hurt most ({weighed})")
    if not spots:
        return [title, Paragraph("No pain points were placed on the timeline.", style(9.5))]
    head, cell = style(8.5, True), style(9)
    labels = ["Step", "Event", "Pain points", "Questions", *(["Votes"] if shown else []),
              "Share of the pain"]  # fmt: skip
    rows: list[list[Any]] = [[Paragraph(label, head) for label in labels]]
    for spot in spots:
        votes = [str(spot.votes)] if shown else []
        rows.append(
            [str(spot.step.number), Paragraph(escape(clipped(spot.step.event.text, 200)), cell),
             str(spot.pain_points), str(spot.questions), *votes, percent(spot.share)]
        )  # fmt: skip
    numbers = [70, 65, *([50] if shown else []), 100]
    return [
        title,
        table(
            rows,
            [40, WIDTH - 40 - sum(numbers), *numbers],
            ("FONT", (0, 1), (-1, -1), style(9).fontName, 9),
            ("LINEBELOW", (0, 0), (-1, -1), 0.5, LINE),
            ("LINEBEFORE", (0, 1), (0, -1), 2.5, DANGER),
        ),
    ]


def _listed(items: list[str], count: int) -> str:
    shown = "; ".join(items[:MOST_LISTED])
    return shown + (f"; and {count - MOST_LISTED} more" if count > MOST_LISTED else "")


def _people(names: tuple[str, ...]) -> str:
    return escape(clipped(", ".join(names), 60))


def _hand_offs_and_gates(workshop_map: Map) -> list[Flowable]:
    found, body = workshop_map.insight, style(9.5)
    hand_offs = [
        f"<b>step {hand.after.number} → {hand.before.number}</b> "
        f"({_people(hand.after.people)} → {_people(hand.before.people)})"
        for hand in found.hand_offs
    ]
    gates = [
        f"<b>step {gate.step.number}</b>: {escape(clipped(gate.text, GIST))}"
        for gate in found.gates
    ]
    return [
        _heading(f"Hand-offs: {len(hand_offs)}, where the people change from one step to the next"),
        Paragraph(
            _listed(hand_offs, len(hand_offs))
            or "None seen: each step shares someone with the "
            "step before, or the people were not named.",
            body,
        ),
        _heading(f"Manual gates: {_plural(len(gates), 'check', 'checks')} a change must pass"),
        Paragraph(_listed(gates, len(gates)) or "No checks were placed on the timeline.", body),
    ]


def _involved(title: str, involved: list[Involvement]) -> list[Flowable]:
    """The most involved first, in one paragraph that can run over a page if it must."""
    shown = "; ".join(
        f"<b>{escape(item.name)}</b> ({_steps(item.steps)})" for item in involved[:MOST_INVOLVED]
    )
    if len(involved) > MOST_INVOLVED:
        shown += f"; and {len(involved) - MOST_INVOLVED} more"
    return [_heading(title), Paragraph(shown or "None on the timeline.", style(9.5))]


def _missing(workshop_map: Map) -> list[Flowable]:
    said = workshop_map.insight.missing
    if not said:
        return []
    return [
        _heading("What is missing"),
        *(Paragraph(f"• {escape(sentence)}", style(9.5)) for sentence in said),
    ]


def findings(workshop_map: Map) -> list[Flowable]:
    """What the map shows once it is worked out."""
    how_to_read = (
        "How to read the pages that follow: the overview shows the whole path on one page, each "
        "step with its time and its marks in words (bottleneck, hot spot, gate, hand-off). The "
        "timeline then shows every sticky: steps run left to right, each with its time and its "
        "lanes beneath it; every sticky names its kind; a hot spot has a red border and says "
        "“Hot spot”; a step that “Runs alongside” another happens in parallel with it."
    )
    gap = Spacer(0, 6)
    return [
        Spacer(0, 8),
        CondPageBreak(160),
        Paragraph("What the map shows", style(14, True)),
        *_figures(workshop_map),
        *_how_lead_time_adds_up(workshop_map),
        gap,
        KeepTogether(_bottlenecks(workshop_map)),
        gap,
        KeepTogether(_hot_spots(workshop_map)),
        gap,
        *_hand_offs_and_gates(workshop_map),
        gap,
        *_involved("People and teams most involved", workshop_map.people),
        *_involved("Systems and tools most involved", workshop_map.systems),
        *_missing(workshop_map),
        gap,
        Paragraph(how_to_read, style(8.5, False, GREY)),
    ]
