"""Starting templates ("starters"): typical paths a facilitator can put on an empty board.

Each is a map file in this folder (the format a board exports and imports, with its steps alone),
named by its key; this module reads and checks them once, at import, so a broken file stops the
app at start rather than in front of a workshop.
"""

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from workshops.exports.document import DocumentError, parse

FOLDER = Path(__file__).parent
BLANK = "blank"


@dataclass(frozen=True)
class StarterNote:
    kind: str
    text: str


@dataclass(frozen=True)
class StarterEvent:
    text: str
    parallel: bool
    notes: tuple[StarterNote, ...]


@dataclass(frozen=True)
class Starter:
    key: str
    name: str
    description: str
    events: tuple[StarterEvent, ...]


class StarterError(ImproperlyConfigured):
    """A starter file that cannot be used, with what is wrong and where."""


def load(path: Path) -> Starter:
    """Read one starter file, or raise StarterError saying what is wrong with it. A starter is
    a map file (`p2pboard-map` version 2, docs/export-format.md) of its steps alone: the
    workshop's title names it and its goal says what it is; no ids, people or timings."""
    try:
        plan = parse(path.read_bytes())
    except DocumentError as wrong:
        raise StarterError(f"{path.name}: " + "; ".join(wrong.problems)) from None
    extra = [
        name
        for name, there in (
            ("parked", plan.parked_events or plan.parked_notes),
            ("merged", plan.merged),
            ("participants", plan.participants),
            ("timings", plan.timings),
            ("actions", plan.actions),
        )
        if there
    ]
    if extra:
        raise StarterError(f"{path.name}: a starter has steps alone, not {', '.join(extra)}.")
    for where, said, limit in (("title", plan.title, 60), ("goal", plan.goal, 200)):
        if not said.strip() or len(said) > limit:
            raise StarterError(
                f"{path.name}: workshop.{where} names the starter in {limit} characters at most."
            )
    return Starter(
        key=path.stem,
        name=plan.title,
        description=plan.goal,
        events=tuple(
            StarterEvent(
                text=step.event.text,
                parallel=step.event.parallel,
                notes=tuple(StarterNote(note.kind, note.text) for note in step.notes),
            )
            for step in plan.steps
        ),
    )


def load_all(folder: Path = FOLDER) -> dict[str, Starter]:
    """Every starter in the folder: the blank board first, then the others by name."""
    starters = [load(path) for path in folder.glob("*.json")]
    starters.sort(key=lambda starter: (starter.key != BLANK, starter.name.lower()))
    if not starters or starters[0].key != BLANK:
        raise StarterError(f"{folder} needs a {BLANK}.json starter.")
    return {starter.key: starter for starter in starters}


STARTERS: dict[str, Starter] = load_all()
