"""Starting templates ("starters"): typical paths a facilitator can put on an empty board.

Each is a JSON file in this folder, named by its key; this module reads and checks them once,
at import, so a broken file stops the app at start rather than in front of a workshop.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from workshops.kinds import KINDS, Kind
from workshops.limits import LIMITS

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


def _object(value: Any, where: str, keys: set[str], required: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise StarterError(f"{where} must be a JSON object.")
    if unknown := set(value) - keys:
        raise StarterError(f"{where} has unknown keys: {', '.join(sorted(unknown))}.")
    if missing := required - set(value):
        raise StarterError(f"{where} lacks: {', '.join(sorted(missing))}.")
    return value


def _text(value: Any, where: str, limit: int = LIMITS.sticky_text) -> str:
    if not isinstance(value, str) or not value.strip():
        raise StarterError(f"{where} must be some text.")
    if value != value.strip() or len(value) > limit:
        raise StarterError(f"{where} must be trimmed and {limit} characters at most.")
    return value


def _list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise StarterError(f"{where} must be a list.")
    return value


def _note(value: Any, where: str) -> StarterNote:
    note = _object(value, where, {"kind", "text"}, {"kind", "text"})
    kind = note["kind"]
    if kind not in KINDS or kind == Kind.EVENT:
        lanes = ", ".join(kind for kind in KINDS if kind != Kind.EVENT)
        raise StarterError(f"{where}: kind {kind!r} is not one of the lanes ({lanes}).")
    return StarterNote(kind=kind, text=_text(note["text"], f"{where}: text"))


def _event(value: Any, where: str) -> StarterEvent:
    event = _object(value, where, {"text", "parallel", "notes"}, {"text"})
    parallel = event.get("parallel", False)
    if not isinstance(parallel, bool):
        raise StarterError(f"{where}: parallel must be true or false.")
    notes = _list(event.get("notes", []), f"{where}: notes")
    return StarterEvent(
        text=_text(event["text"], f"{where}: text"),
        parallel=parallel,
        notes=tuple(_note(note, f"{where}, note {n}") for n, note in enumerate(notes, 1)),
    )


def load(path: Path) -> Starter:
    """Read one starter file, or raise StarterError saying what is wrong with it."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as problem:
        raise StarterError(f"{path.name} is not valid JSON: {problem}") from None
    where = path.name
    starter = _object(
        content, where, {"name", "description", "events"}, {"name", "description", "events"}
    )
    events = _list(starter["events"], f"{where}: events")
    return Starter(
        key=path.stem,
        name=_text(starter["name"], f"{where}: name", limit=60),
        description=_text(starter["description"], f"{where}: description", limit=200),
        events=tuple(_event(event, f"{where}, event {n}") for n, event in enumerate(events, 1)),
    )


def load_all(folder: Path = FOLDER) -> dict[str, Starter]:
    """Every starter in the folder: the blank board first, then the others by name."""
    starters = [load(path) for path in folder.glob("*.json")]
    starters.sort(key=lambda starter: (starter.key != BLANK, starter.name.lower()))
    if not starters or starters[0].key != BLANK:
        raise StarterError(f"{folder} needs a {BLANK}.json starter.")
    return {starter.key: starter for starter in starters}


STARTERS: dict[str, Starter] = load_all()
