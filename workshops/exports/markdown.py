"""The map as a Markdown summary to paste into a wiki or a GitHub issue: the steps in order with
their timings, what the map says (workshops.insight), the actions as a task list and the
follow-up. Written for CommonMark with GitHub's tables and task lists; everything people wrote
is escaped so that it shows as the text they typed, never as markup or HTML."""

import re
from collections.abc import Iterable

from django.utils import timezone

from workshops.exports.map import ActionItem, Map, Step, StepTiming
from workshops.insight import Unit, days_text, share_text
from workshops.kinds import Kind
from workshops.services.agenda import PURPOSES

# Markdown's inline punctuation, and what HTML would take (<, >, &), escaped wherever it is.
_INLINE = re.compile(r"([\\`*_\[\]<>|~&#!])")
# What only begins a block at the start of a line: a list item (-, +, 1. or 1)) or a heading's
# underline (=).
_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")


def text(value: str) -> str:
    """User text on one line, as it was written, in Markdown (for a paragraph, a list item or a
    table cell)."""
    flat = _INLINE.sub(r"\\\1", " ".join(value.split()))
    return _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\{m[3]}", flat)


def _listed(values: Iterable[str]) -> str:
    return ", ".join(text(value) for value in values)


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def _timing_of(workshop_map: Map) -> dict[int, str]:
    """What each step's timing cell says: the timing on the first step of its group, "with
    step N" on the others."""
    cells: dict[int, str] = {}
    for timing in workshop_map.timings:
        cells[timing.steps[0]] = _timing_text(timing)
        for number in timing.steps[1:]:
            cells[number] = f"with step {timing.steps[0]}"
    return cells


def _timing_text(timing: StepTiming) -> str:
    said = text(timing.said)
    if len(timing.steps) > 1:
        said += f" (steps {timing.steps[0]}-{timing.steps[-1]} together)"
    return said


def _step_row(step: Step, timing: str, votes: bool) -> str:
    name = text(step.event.text)
    if step.parallel:
        name += f" *(alongside step {step.number - 1})*"
    cells = [
        str(step.number),
        name,
        _listed(note.text for note in step.notes(Kind.PERSON)),
        _listed(note.text for note in step.notes(Kind.SYSTEM)),
        timing,
        "; ".join(text(note.text) for note in step.notes(Kind.PAIN)),
    ]
    if votes:
        cells.append(str(step.votes))
    return "| " + " | ".join(cells) + " |"


def _path(workshop_map: Map) -> list[str]:
    if not workshop_map.steps:
        return ["## The path", "", "There are no steps on the timeline yet."]
    votes = workshop_map.votes_shown
    header = "| # | Step | People | Systems | Timing | Pain points |" + (
        " Votes |" if votes else ""
    )
    rule = "|---:|---|---|---|---|---|" + ("---:|" if votes else "")
    timing = _timing_of(workshop_map)
    rows = [_step_row(step, timing.get(step.number, ""), votes) for step in workshop_map.steps]
    lines = ["## The path", "", header, rule, *rows]
    if not votes:
        lines += ["", "The votes are hidden until the facilitator shows them."]
    return lines


def _unit(unit: Unit) -> str:
    return f"{unit.label.capitalize()}, {' / '.join(text(step.text) for step in unit.steps)}"


def _insight(workshop_map: Map) -> list[str]:
    found = workshop_map.insight
    lines = ["## What the map says", "", f"- **Lead time:** {days_text(found.lead_time)}"]
    if found.work is not None:
        lines.append(f"- **Working time:** {days_text(found.work)}")
    if found.wait is not None:
        lines.append(f"- **Waiting time:** {days_text(found.wait)}")
    if found.flow_efficiency is not None:
        lines.append(f"- **Flow efficiency:** {share_text(found.flow_efficiency)}")
    top = found.lead_time[1] if found.lead_time else 0
    sections: list[tuple[str, list[str]]] = [
        (
            "Bottlenecks",
            [
                f"{_unit(unit)}: adds {days_text((unit.adds[1], unit.adds[1]))}"
                f" of {days_text((top, top))} ({share_text(unit.share)})"
                for unit in found.bottlenecks
            ],
        ),
        (
            "Pain hot spots",
            [
                f"Step {spot.step.number}, {text(spot.step.text)}: "
                f"{_count(spot.step.pain, 'pain point')}"
                + (f", {_count(spot.step.votes, 'vote')}" if found.votes_counted else "")
                + f" ({share_text(spot.share)} of the pain)"
                for spot in found.hot_spots
            ],
        ),
        (
            "Hand-offs",
            [
                f"Step {hand.after.number} → step {hand.before.number}: "
                f"{_listed(hand.after.people)} → {_listed(hand.before.people)}"
                for hand in found.hand_offs
            ],
        ),
        ("Gates", [f"Step {gate.step.number}: {text(gate.text)}" for gate in found.gates]),
        ("What is missing", [text(said) for said in found.missing]),
    ]
    for title, items in sections:
        if items:
            lines += ["", f"### {title}", "", *(f"- {item}" for item in items)]
    return lines


def _action(action: ActionItem) -> str:
    box = "x" if action.status == "done" else " "
    said = [text(action.text)]
    details = []
    if action.owner:
        details.append(text(action.owner))
    if action.due:
        details.append(f"due {action.due.isoformat()}")
    if action.status == "doing":
        details.append("in progress")
    if details:
        said.append("— " + ", ".join(details))
    if action.step is not None:
        said.append(f"(from step {action.step})")
    return f"- [{box}] " + " ".join(said)


def _actions(workshop_map: Map) -> list[str]:
    if not workshop_map.actions:
        return ["## Actions", "", "No actions yet."]
    return ["## Actions", "", *(_action(action) for action in workshop_map.actions)]


def _followup(workshop_map: Map) -> list[str]:
    workshop = workshop_map.workshop
    lines = ["## Follow-up", ""]
    if workshop.followup_at is None and not workshop.followup_purposes:
        return [*lines, "No follow-up is set yet."]
    if workshop.followup_at is not None:
        at = timezone.localtime(workshop.followup_at)
        lines.append(
            f"- **When:** {at:%Y-%m-%d %H:%M} ({at.tzname()}), {workshop.followup_minutes} minutes"
        )
    if workshop.followup_purposes:
        uses = ", ".join(PURPOSES[purpose] for purpose in workshop.followup_purposes)
        lines.append(f"- **What the map will be used for:** {text(uses)}")
    if workshop.followup_notes:
        lines.append(f"- **Notes:** {text(workshop.followup_notes)}")
    return lines


def map_markdown(workshop_map: Map, *, board_url: str) -> bytes:
    """The summary, UTF-8."""
    workshop = workshop_map.workshop
    day = timezone.localtime(workshop_map.exported_at).strftime("%Y-%m-%d")
    lines = [f"# {text(workshop.title)}", ""]
    if workshop.goal:
        lines += [f"**Goal:** {text(workshop.goal)}", ""]
    lines += [
        f"A Path to Production map from p2pboard, as it stood on {day}: <{board_url}>",
        "",
        *_path(workshop_map),
        "",
        *_insight(workshop_map),
        "",
        *_actions(workshop_map),
        "",
        *_followup(workshop_map),
    ]
    return ("\n".join(lines) + "\n").encode()
