"""The kinds of sticky note, in one place: name, label, glyph and the lane they sit in.

Colour comes from CSS (`.kind-<value>`); the label and glyph go with it everywhere, so colour is
never the only way to tell kinds apart (colour-blind participants, black-and-white print).
"""

from dataclasses import dataclass

from django.db import models


class Kind(models.TextChoices):
    EVENT = "event", "Event"
    SYSTEM = "system", "System or tool"
    PERSON = "person", "Person or team"
    PAIN = "pain", "Pain point"
    QUESTION = "question", "Question"
    CHECK = "check", "Check or gate"


@dataclass(frozen=True)
class KindInfo:
    kind: Kind
    short: str  # printed on the sticky
    glyph: str  # a symbol that survives greyscale
    lane: str  # the lane's name under an event
    hint: str  # placeholder text when adding one
    key: str  # keyboard shortcut in the add bar
    plural: str  # its name in exports: the key of a step's notes of this kind


# fmt: off
KINDS: dict[str, KindInfo] = {
    info.kind.value: info
    for info in (
        KindInfo(Kind.EVENT, "Event", "▶", "Events", "What happened, in the past tense", "1",
                 "events"),
        KindInfo(Kind.SYSTEM, "System", "⚙", "Systems and tools", "A system or tool in use", "2",
                 "systems"),
        KindInfo(Kind.PERSON, "People", "☺", "People and teams", "Who takes part", "3", "people"),
        KindInfo(Kind.PAIN, "Pain", "⚡", "Pain points", "What hurts here", "4", "pain_points"),
        KindInfo(Kind.QUESTION, "Question", "?", "Questions", "What we don't know yet", "5",
                 "questions"),
        KindInfo(Kind.CHECK, "Check", "✓", "Checks and gates", "A check or approval", "6",
                 "checks"),
    )
}
# fmt: on

# The kinds that sit in lanes under events, in the order the lanes are drawn.
LANE_KINDS: tuple[str, ...] = tuple(kind for kind in KINDS if kind != Kind.EVENT)
