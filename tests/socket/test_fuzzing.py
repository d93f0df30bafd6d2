"""A fuzzer for the board's socket, with the limits on.

Hypothesis makes the frames from the command registry (`workshops.commands.COMMANDS`): for every
command and every type of field, valid values, wrong types, missing, null and extra fields, huge
and strange text (lone surrogates, NUL, control and direction characters), deep nesting,
non-objects, binary frames, unknown types, bad ops, and ids of this board's stickies (events in
a row on the timeline, pain points, merged ones), timings and actions, of deleted ones, of
another board's and unknown ones, alone and in lists (to the limit and beyond). Many sockets
send them at once, at the rate a person may: twenty participants (two of them with two
sockets; one floods now and then and is closed), the facilitator, an observer, and a
participant of another workshop who sends this board's ids from their own board.

For every frame the sender must get a well-formed answer (a declared message; an `error` with a
declared code and a message), the one its command and role get, or, for `editing`, nothing; no
socket may crash or be closed but as documented; an invalid frame changes nothing: the board's
rows are compared around the rounds that send only such frames, and every change in the log is
one confirmed to its sender; a well-behaved participant and observer end with the board the
database holds; nothing is logged as an error.

The boards and sockets live through the whole run. A first round sweeps every command, shape and
field from every role; then each hypothesis example is one round of frames, until ten thousand
were sent. Shrinking would replay frames against a board that has moved on, so it is off: a
problem is written down with the frame that caused it, and all are reported at the end, grouped
by kind (KNOWN_FINDINGS lists those reported and waiting for a fix).
"""

import asyncio
import contextlib
import json
import logging
import operator
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any
from uuid import UUID, uuid4

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from tests.board_views import stickies_seen
from tests.factories import make_note, make_participant, make_sticky
from tests.socket.conftest import Socket, session_for
from tests.socket.simulated import SimulatedClient
from workshops import rates, services
from workshops.access import Role
from workshops.agenda import Phase as AgendaPhase
from workshops.commands import COMMANDS, OP, Field, Spec, Type
from workshops.kinds import KINDS, LANE_KINDS, Kind
from workshops.limits import LIMITS
from workshops.models import (
    Action,
    Dismissal,
    Operation,
    Participant,
    Pick,
    Sticky,
    Timing,
    Vote,
    Workshop,
)
from workshops.protocol import CLOSE_ABUSIVE, CLOSE_TOO_SLOW, ERRORS, MESSAGES, Place
from workshops.services.agenda import PURPOSES
from workshops.services.sizing import MOST_IN_A_GROUP
from workshops.starters import STARTERS
from workshops.text import BIDI_CONTROLS
from workshops.timings import DEFAULT_SIZES, SIZE_ORDER

pytestmark = pytest.mark.django_db(transaction=True)

FRAMES_WANTED = 10_000
FRAMES_PER_ROUND = 6  # per socket (half that for each of a two-socket participant's sockets)
PACE = 1 / 18  # seconds between one participant's frames: under the 20 a second allowed
PARTICIPANTS = 18  # with one socket each; two more have two sockets, one more floods
ANSWER_TIMEOUT = 30.0
FLOOD_FRAMES = 3 * LIMITS.frame_burst
REFUSALS = frozenset({"error:invalid", "error:not_allowed", "error:gone", "conflict"})
CLOSES_EXPECTED = {CLOSE_ABUSIVE, CLOSE_TOO_SLOW}  # documented, and the client reconnects
LOGGERS = ("workshops", "django", "channels", "daphne", "asyncio", "p2pboard")


# ----- values, by the registry's types -----

LONE_SURROGATES = ["\ud800", "a\udfffb", "\udbff\udbff"]
CONTROLS = ["\x00", "a\x00b", "\x1b[31m red", "\r\n", "\t", "\x7f", "\x85", "\x08"]
DIRECTIONS = ["\u202e", "\u2066", "\u200f", "\u061c", "\u202a", "\u200b", "\ufeff", "\u2069"]
# Texts a sticky may hold (markup, other scripts, emoji, a control or override inside).
PLAUSIBLE = [
    "Code reviewed",
    "Deployed to staging",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "&amp; &lt;b&gt;",
    "Ça marche, 中文, العربية",
    "👩\u200d💻 ships it",
    "x" * LIMITS.sticky_text,
    "\u202eevil\u202c text",
    "{{ seq }} {% csrf_token %}",
    "'; DROP TABLE workshops_sticky; --",
    "Tests\x00 pass\x1b[0m",
]
# Texts no field takes: empty once cleaned (controls and direction characters are taken out),
# or too long.
REFUSED_TEXT = ["", "   ", "y" * (LIMITS.sticky_text + 1), "\x00", "\r\n\t", "\x7f\x85\x08"]
REFUSED_TEXT += DIRECTIONS
SAMPLE_TEXT = PLAUSIBLE + REFUSED_TEXT + CONTROLS
# Words each field of the registry takes, so that valid frames are often applied (any other
# string is valid on the wire too; the service refuses it).
WORDS: dict[str, list[str]] = {
    "kind": list(KINDS),
    "text": PLAUSIBLE,
    "starter": list(STARTERS),
    "title": ["Release path", "Payments", "t" * LIMITS.workshop_title, "", "\u202e"],
    "action": ["start", "pause", "resume", "add", "stop", "start", "nope"],  # timer
    "target": ["parking", "start", "event:not-an-id", ""],  # follow (and "event:<id>" below)
    "goal": ["Find the slow steps", "", "g" * (LIMITS.workshop_goal + 1)],
    "size": [*SIZE_ORDER, "m", " L ", "", "XXL"],  # timing, pick
    "estimate": ["2-5 days", "3h", "1 to 2 weeks", "4", "", "5-2 days", "forever"],
    "work": ["2 hours", "1d", "", "0"],
    "wait": ["3 days", "1-2 weeks", "", "11 years"],
    "round.action": ["start", "start", "start", "reveal", "stop", "rewind"],
    "status": ["open", "doing", "done", "", "Done"],  # an action's
    "due": ["2027-01-31", "", "tomorrow", "2027-02-30"],
    "owner": ["Ops team", "", "Pat from QA", "o" * 81],
    "at": [
        "2027-01-14T10:00:00+01:00",
        "2027-01-14T10:00:00",
        "",
        "next week",
        "1999-01-01T10:00Z",
    ],
    "purposes": [*PURPOSES, "improve", "ship it", ""],
}
# This board's ids by what they are (live stickies, events on the timeline in its order, pain
# points, merged stickies and those merged into, timings, actions), and another board's.
POOLS = (
    *("live", "event", "note", "deleted", "foreign", "foreign_deleted", "timeline", "pain"),
    *("merged", "kept", "timing", "action", "deleted_action"),
)
BAD_IDS = ["", "not-a-uuid", "g" * 32, "1234", "12345678-1234-1234-1234-12345678901"]
BAD_OPS: list[Any] = ["", "x" * 65, "é" * 65, "a\x00b", "tab\there", "\n", "\u200b", "missing"]
BAD_OPS += ["joiner\u200d", "\x7f"]
BAD_OPS += [42, 1.5, True, [], {}, None, *LONE_SURROGATES]
BAD_OP = st.sampled_from(BAD_OPS)
OP_SUFFIXES = ["", "", "", "", " é", "😀", "ø" * 60, " <b>&amp;"]


@dataclass(frozen=True)
class Ref:
    """A sticky id, picked from a pool of the board as it is when the frame is sent; or, from
    the pool "unknown", an id no sticky has."""

    pool: str
    index: int


@dataclass(frozen=True)
class Person:
    """A participant's id, from this board ("people") or another ("foreign_people")."""

    pool: str
    index: int


@dataclass(frozen=True)
class Run:
    """`length` events next to each other on the timeline, from the `start`th (a timing's or an
    estimation round's group), as the timeline is when the frame is sent."""

    start: int
    length: int


@dataclass(frozen=True)
class Since:
    """A `since` some way behind the board's sequence number as it is when the frame is sent."""

    back: int


@dataclass(frozen=True)
class Op:
    """The sender's next op id (unique to its socket), with a suffix; cut to 64 characters."""

    suffix: str


SELF = "<the sticky itself>"  # `after` naming the sticky the command moves


def weighted(*choices: tuple[int, SearchStrategy[Any]]) -> SearchStrategy[Any]:
    """One of the strategies, each as often as its weight says."""
    strategies = [strategy for weight, strategy in choices for _ in range(weight)]
    return st.sampled_from(strategies).flatmap(lambda strategy: strategy)


def not_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return True
    return False


def refs(*pools: str) -> SearchStrategy[Ref]:
    return st.builds(Ref, st.sampled_from(pools), st.integers(0, 10_000))


NOT_A_STRING: SearchStrategy[Any] = st.one_of(
    st.integers(),
    st.floats(),
    st.booleans(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
HUGE_TEXT = st.builds(
    operator.mul,
    st.sampled_from(["x", "é", "😀", "\u202e", "\x00", " "]),
    st.integers(min_value=300, max_value=18_000),
)
IDS = weighted(
    (6, refs("live")),
    (3, refs("event", "note")),
    (1, refs("deleted", "foreign", "foreign_deleted")),
    (1, st.uuids().map(str)),  # a random id
)


@dataclass(frozen=True)
class Tagged:
    """A text made of a prefix and a sticky's id (`follow`'s "event:<id>")."""

    prefix: str
    ref: Ref


def text_values(wire: str) -> SearchStrategy[Any]:
    if wire.endswith(".target"):
        return weighted(
            (2, st.builds(Tagged, st.just("event:"), refs("event", "note", "deleted"))),
            (2, st.sampled_from(WORDS["target"])),
            (1, st.text(max_size=10)),
        )
    words = WORDS.get(wire) or WORDS.get(wire.split(".")[-1], PLAUSIBLE)
    return weighted(
        (8, st.sampled_from(words)),
        (2, st.sampled_from(SAMPLE_TEXT)),
        (2, st.text(max_size=10)),
        (1, HUGE_TEXT),
    )


def count_values(wire: str) -> SearchStrategy[Any]:
    if wire.endswith(".since"):
        # Mostly near the board's seq: a catch-up; now and then 0 or beyond it: the whole board.
        return weighted(
            (10, st.builds(Since, st.integers(0, 30))),
            (1, st.just(0)),
            (1, st.integers(min_value=2**31, max_value=2**70)),
        )
    if wire.endswith(".participant"):  # undo_participant: someone of this board, mostly
        people = st.sampled_from(["people", "people", "people", "foreign_people"])
        return weighted((4, st.builds(Person, people, st.integers(0, 99))), (1, st.integers(0, 9)))
    if wire.endswith(".seconds"):  # a timebox: 10 s to 4 h
        return weighted((4, st.sampled_from([10, 60, 300, 14_400])), (1, st.integers(0, 20_000)))
    return weighted((4, st.integers(0, 6)), (1, st.integers(min_value=2**40, max_value=2**70)))


# Ids a command's field mostly names, to be applied often; any other id is valid on the wire.
IDS_FOR = {
    "restore.sticky": weighted((3, refs("deleted")), (1, IDS)),
    "add.id": weighted((3, st.uuids().map(str)), (1, IDS)),  # an id the page chose, or a taken one
    "action_add.id": weighted((3, st.uuids().map(str)), (1, refs("action", "deleted_action"))),
    "action_add.source": weighted((3, refs("live")), (1, IDS)),
    "merge.sticky": weighted((3, refs("event")), (1, IDS)),
    "split.sticky": weighted((3, refs("kept")), (1, IDS)),
    "dismiss.other": weighted((3, refs("live")), (1, IDS)),
    "vote.sticky": weighted((3, refs("pain")), (1, IDS)),
    "unvote.sticky": weighted((3, refs("pain")), (1, IDS)),
    "untime.timing": weighted((3, refs("timing")), (1, IDS)),
    "action_update.action_id": weighted((3, refs("action")), (1, IDS)),
    "action_delete.action_id": weighted((3, refs("action")), (1, IDS)),
    "action_restore.action_id": weighted((3, refs("deleted_action")), (1, IDS)),
}


def id_values(wire: str) -> SearchStrategy[Any]:
    return IDS_FOR.get(wire, IDS)


MOST_IDS = LIMITS.ids_per_command
# Lists of ids: a few of this board's (often), none, or as many as a command may list.
ID_LISTS = weighted(
    (6, st.lists(IDS, min_size=1, max_size=3)),
    (1, st.just([])),
    (1, st.integers(0, 10_000).map(lambda at: [Ref("live", at + n) for n in range(MOST_IDS)])),
)
# The lists each command's field mostly names, to be applied often.
ID_LISTS_FOR = {
    "merge.stickies": weighted((3, st.lists(refs("event"), min_size=1, max_size=2)), (1, ID_LISTS)),
    "split.stickies": weighted(
        (3, st.lists(refs("merged"), min_size=1, max_size=2)), (1, ID_LISTS)
    ),
}


def ids_values(wire: str) -> SearchStrategy[Any]:
    if wire.endswith(".events"):  # timing, round: 1-3 events in a row, mostly
        runs = st.builds(Run, st.integers(0, 10_000), st.integers(1, 3))
        return weighted(
            (4, runs), (1, st.builds(Run, st.integers(0, 9), st.just(4))), (2, ID_LISTS)
        )
    return ID_LISTS_FOR.get(wire, ID_LISTS)


def texts_values(wire: str) -> SearchStrategy[Any]:
    """Lists of strings (a follow-up's purposes): a few words, none, or as many as allowed."""
    return weighted(
        (6, st.lists(text_values(wire), max_size=3)),
        (1, st.lists(st.sampled_from(SAMPLE_TEXT), min_size=MOST_IDS, max_size=MOST_IDS)),
    )


# A size scale (`board`'s `sizes`): days for each T-shirt size, a valid scale or nearly one.
DAYS: SearchStrategy[Any] = weighted(
    (6, st.integers(0, 90)),
    (2, st.floats(0, 100, allow_nan=False)),
    (1, st.floats() | st.integers(min_value=-5, max_value=-1) | st.booleans() | st.just("3")),
    (1, st.integers(min_value=10**300, max_value=10**320)),  # more than a float holds
)
SCALES = [
    {size: list(bounds) for size, bounds in DEFAULT_SIZES.items()},
    {"S": [0, 1], "M": [1, 5], "L": [5, 20]},
    {"XS": [0, 0.5], "S": [0, 2], "M": [2, 10], "L": [10, 30], "XL": [30, 90]},
]


def object_values(wire: str) -> SearchStrategy[Any]:
    return weighted(
        (4, st.sampled_from(SCALES)),
        (3, st.dictionaries(st.sampled_from(SIZE_ORDER), st.lists(DAYS, min_size=2, max_size=2))),
        (1, st.dictionaries(st.sampled_from([*SIZE_ORDER, "xs", "XXL", ""]), EXTRA_VALUES)),
        (1, st.dictionaries(st.text(max_size=4), EXTRA_VALUES, max_size=3)),
    )


# Valid values of each type: what the parser takes. The key ("command.field") picks words.
VALID: dict[Type, Callable[[str], SearchStrategy[Any]]] = {
    Type.TEXT: text_values,
    Type.ID: id_values,
    Type.BOOL: lambda wire: st.booleans(),
    Type.COUNT: count_values,
    Type.PLACE: lambda wire: st.fixed_dictionaries(
        {"parked": st.booleans()},
        optional={"event": st.none() | refs("event") | IDS, "lane": st.just("ignored")},
    ),
    Type.AFTER: lambda wire: weighted((4, st.none()), (2, IDS), (1, st.just(SELF))),
    Type.PHASE: lambda wire: st.sampled_from(list(AgendaPhase.values)),
    Type.IDS: ids_values,
    Type.TEXTS: texts_values,
    Type.OBJECT: object_values,
}
NOT_A_LIST: SearchStrategy[Any] = st.one_of(
    st.integers(),
    st.booleans(),
    st.text(max_size=5),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
BAD_ID: SearchStrategy[Any] = NOT_A_STRING | st.sampled_from(BAD_IDS + LONE_SURROGATES)
# Wrong values of each type (never null: null is a field not given): what the parser refuses.
WRONG: dict[Type, SearchStrategy[Any]] = {
    Type.TEXT: NOT_A_STRING | st.sampled_from(LONE_SURROGATES),
    Type.ID: BAD_ID,
    Type.BOOL: st.one_of(
        st.integers(), st.floats(), st.sampled_from(["true", "false", ""]), st.lists(st.booleans())
    ),
    Type.COUNT: st.one_of(
        st.integers(max_value=-1), st.floats(), st.booleans(), st.sampled_from(["3", ""])
    ),
    Type.PLACE: st.one_of(
        st.integers(),
        st.booleans(),
        st.sampled_from(["timeline", "parked", ""]),
        st.lists(st.booleans(), max_size=2),
        st.just({}),
        st.fixed_dictionaries({"event": IDS}),
        st.fixed_dictionaries({"parked": st.sampled_from([1, 0, "true", [], {}])}),
        st.fixed_dictionaries({"parked": st.booleans(), "event": BAD_ID}),
    ),
    Type.AFTER: BAD_ID,
    Type.PHASE: st.one_of(
        st.text(max_size=10).filter(lambda text: text not in AgendaPhase.values),
        st.integers(),
        st.booleans(),
        st.sampled_from(["FRAME", " frame", "frame\x00", *LONE_SURROGATES]),
    ),
    Type.IDS: st.one_of(
        NOT_A_LIST,
        IDS,  # one id, not in a list
        st.builds(
            lambda ids, bad, at: [*ids[:at], bad, *ids[at:]],
            st.lists(IDS, max_size=3),
            BAD_ID,
            st.integers(0, 3),
        ),  # a bad id among good ones
        st.just([None]),
        st.integers(1, 3).map(lambda extra: [str(UUID(int=n)) for n in range(MOST_IDS + extra)]),
    ),
    Type.TEXTS: st.one_of(
        NOT_A_LIST.filter(lambda value: not isinstance(value, str)),
        st.sampled_from(["improve", "", "improve,risks"]),  # one string, not in a list
        st.lists(NOT_A_STRING | st.sampled_from(LONE_SURROGATES), min_size=1, max_size=3),
        st.lists(st.sampled_from(list(PURPOSES)), min_size=MOST_IDS + 1, max_size=MOST_IDS + 3),
    ),
    Type.OBJECT: st.one_of(
        st.integers(),
        st.floats(),
        st.booleans(),
        st.text(max_size=5),
        st.lists(st.integers(), max_size=3),
        st.just([["S", [0, 1]]]),
    ),
}
EXTRA_KEYS = st.text(max_size=8) | st.sampled_from(
    ["", "__proto__", "constructor", "sticky_id", "TYPE", "Op", "\ud800", "\x00"]
)
EXTRA_VALUES: SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6) | st.sampled_from(SAMPLE_TEXT),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=5,
)


# ----- frames, by the registry's commands -----


@dataclass(frozen=True)
class Template:
    """A frame before it is sent: its content (with ids, `since` and op to fill in) or raw text
    or bytes, the case it covers and what it should get."""

    case: str
    content: Any  # a dict; or a str or bytes sent as it is; None for a resend
    expect: str  # "answer" (what its command gets), "refused", "resend", or an error code
    command: str | None = None
    well_formed: bool = True
    ascii: bool = True  # how it is written as JSON (\uXXXX escapes or UTF-8)

    def but(self, case: str, **fields: Any) -> "Template":
        """The same frame with these fields, refused by the board's rules."""
        return replace(self, case=case, content=self.content | fields, expect="refused")


def fields_of(spec: Spec) -> list[Field]:
    return [each for each in spec.fields if each is not OP]


@cache
def choice(items: tuple[Any, ...]) -> SearchStrategy[Any]:
    return st.sampled_from(items)


@cache
def values(kind: Type, wire: str) -> SearchStrategy[Any]:
    return VALID[kind](wire)


@cache
def optional_fields(spec: Spec) -> SearchStrategy[list[Field]]:
    return st.lists(
        choice(tuple(each for each in fields_of(spec) if not each.required)), unique=True
    )


@cache
def extra_fields(spec: Spec) -> SearchStrategy[dict[str, Any]]:
    known = {"type", "op", *(each.wire for each in spec.fields)}
    keys = EXTRA_KEYS.filter(lambda key: key not in known)
    return st.dictionaries(keys, EXTRA_VALUES, min_size=1, max_size=3)


@st.composite
def command_frame(draw: st.DrawFn, spec: Spec, shape: str, wrong: Field | None = None) -> Template:
    """A frame of `spec`: "valid", "extra" (with fields it does not know: still valid), or
    broken: "missing", "null", "wrong type" (of `wrong`, or any field), "none of", "bad op"."""
    content: dict[str, Any] = {"type": spec.name}
    if spec.changes_board:
        content["op"] = Op(draw(choice(tuple(OP_SUFFIXES))))
    optional = [each for each in fields_of(spec) if not each.required]
    chosen = draw(optional_fields(spec)) if optional else []
    if spec.one_of and not any(each.name in spec.one_of for each in chosen):
        chosen.append(draw(choice(tuple(each for each in optional if each.name in spec.one_of))))
    for each in fields_of(spec):
        if each.required or each in chosen:
            content[each.wire] = draw(values(each.type, f"{spec.name}.{each.wire}"))
    case, expect = shape, "answer"
    if shape == "extra":
        content |= draw(extra_fields(spec))
        case = "extra fields"
    elif shape in {"missing", "null"}:
        wire = draw(choice(tuple(each.wire for each in spec.fields if each.required)))
        if shape == "missing":
            del content[wire]
        else:
            content[wire] = None
        case, expect = f"{shape} required field", "invalid"
    elif shape == "wrong type":
        wrong = wrong or draw(choice(tuple(fields_of(spec))))
        content[wrong.wire] = value = draw(WRONG[wrong.type])
        surrogate = isinstance(value, str) and not encodable(value)
        case, expect = ("lone surrogate" if surrogate else f"wrong {wrong.type}"), "invalid"
    elif shape == "none of":
        for each in fields_of(spec):
            if each.name in spec.one_of:
                content.pop(each.wire, None)
        case, expect = "none of the one-of fields", "invalid"
    elif shape == "bad op":
        content["op"] = op = draw(BAD_OP)
        if op == "missing":
            del content["op"]
        case, expect = "bad op", "invalid"
    well = shape in {"valid", "extra"}
    return Template(case, content, expect, spec.name, well, draw(st.booleans()))


def shapes_of(spec: Spec, well_formed: bool) -> list[str]:
    if well_formed:
        return ["valid", "valid", "extra"]
    shapes = ["wrong type"] if fields_of(spec) else []
    if any(each.required for each in spec.fields):
        shapes += ["missing", "null"]
    if spec.one_of:
        shapes.append("none of")
    if spec.changes_board:
        shapes.append("bad op")
    return shapes


def nested(depth: int, inner: str = "") -> str:
    return "[" * depth + inner + "]" * depth


def ping_holding(depth: int) -> str:
    return '{"type": "ping", "x": ' + nested(depth) + "}"


JUNK = ["{", "{not json", "nul", "{'type': 'ping'}", '{"type": "ping",}', '{"type": "ping"}}']
JUNK += ['{"type": "ping\x00"}', "\x00", "\ufeff{}"]
NOT_COMMANDS = ["PING", "ping ", "ping\x00", "\ud800", "__init__", "run", "change"]
# Frames that are no command at all.
RAW: SearchStrategy[Template] = st.one_of(
    (st.sampled_from(JUNK) | st.text(max_size=20).filter(not_json)).map(
        lambda text: Template("not JSON", text, "bad_json")
    ),
    st.just(Template("empty frame", "", "bad_json")),
    st.one_of(
        st.integers(),
        st.floats(),
        st.booleans(),
        st.none(),
        st.text(max_size=8),
        st.lists(st.integers(), max_size=3),
    ).map(lambda value: Template("not an object", json.dumps(value), "bad_frame")),
    st.binary(max_size=40).map(lambda data: Template("binary frame", data, "bad_frame")),
    st.just(Template("binary frame", b'{"type": "ping"}', "bad_frame")),
    st.integers(5_000, 8_000).map(lambda n: Template("deep nesting", nested(n), "bad_json")),
    st.integers(5_000, 8_000).map(lambda n: Template("deep nesting", ping_holding(n), "bad_json")),
    st.integers(1, 40).map(
        lambda n: Template("shallow nesting", ping_holding(n), "answer", "ping")
    ),
    st.builds(
        lambda name, op: Template("unknown type", {"type": name, "op": op}, "unknown_command"),
        st.one_of(
            st.text(max_size=10).filter(lambda name: name not in COMMANDS),
            st.integers(),
            st.none(),
            st.lists(st.integers(), max_size=2),
            st.sampled_from(NOT_COMMANDS),
        ),
        st.sampled_from(["c1", "", "\ud800", 7, None]),
    ),
    st.just(Template("unknown type", {"op": "no-type"}, "unknown_command")),
    st.builds(
        lambda filler, n: Template("too large", {"type": "ping", "pad": filler * n}, "too_large"),
        st.sampled_from(["x", "😀", "\x00"]),
        st.integers(LIMITS.frame_bytes + 1, 2 * LIMITS.frame_bytes),
    ),
)
SPECS = list(COMMANDS.values())
CHANGES = [spec for spec in SPECS if spec.changes_board]
READS = [spec for spec in SPECS if not spec.changes_board]
# One strategy per command and shape, made once (hypothesis draws faster from a strategy it
# has seen).
SHAPED = {
    (spec.name, shape): command_frame(spec, shape)
    for spec in SPECS
    for shape in {*shapes_of(spec, True), *shapes_of(spec, False)}
}


def any_shape(spec: Spec, well_formed: bool) -> SearchStrategy[Template]:
    shapes = shapes_of(spec, well_formed)
    if not shapes:  # nothing of `ping` can be broken: break the frame itself
        return RAW
    return st.sampled_from(shapes).flatmap(lambda shape: SHAPED[(spec.name, shape)])


FRAMES = {(spec.name, well): any_shape(spec, well) for spec in SPECS for well in (True, False)}


# The sweep: every command, valid, with extra fields, and broken every way, each field of a
# wrong type, and every kind of frame that is no command.
SWEEP = [
    *(SHAPED[(spec.name, shape)] for spec in SPECS for shape in ("valid", "extra")),
    *(SHAPED[(spec.name, shape)] for spec in SPECS for shape in shapes_of(spec, False)),
    *(command_frame(spec, "wrong type", each) for spec in SPECS for each in fields_of(spec)),
    *RAW.branches,
]


# ----- frames that must be refused (for the rounds that must change nothing) -----


def twists(spec: Spec) -> list[SearchStrategy[Template]]:
    """Valid frames of `spec` that the board's rules refuse, whatever the open board holds (by
    what docs/protocol.md says each command refuses)."""
    valid = SHAPED[(spec.name, "valid")]
    found: list[SearchStrategy[Template]] = []
    if spec.about:
        wire = next(each.wire for each in spec.fields if each.name == spec.about)
        for case, ids in (
            ("id of another board", refs("foreign", "foreign_deleted")),
            ("random id", refs("unknown")),
        ):
            found.append(
                st.builds(lambda t, i, case=case, wire=wire: t.but(case, **{wire: i}), valid, ids)
            )
    name = spec.name
    if name == "add":
        found += [
            st.builds(
                lambda t, kind: t.but("unknown kind", kind=kind),
                valid,
                st.sampled_from(["unicorn", "Event", "", "event\x00"]),
            ),
            st.builds(
                lambda t, text: t.but("no text", text=text), valid, st.sampled_from(REFUSED_TEXT)
            ),
            st.builds(
                lambda t, i: t.but("id taken", id=i), valid, refs("live", "deleted", "foreign")
            ),
            st.builds(
                lambda t, kind, event: t.but(
                    "note under no event on the timeline",
                    kind=kind,
                    place={"parked": False, "event": event},
                ),
                valid,
                st.sampled_from(LANE_KINDS),
                refs("foreign", "note", "deleted", "unknown"),
            ),
        ]
    elif name == "update":
        found += [
            st.builds(
                lambda t, note, parallel: replace(
                    t,
                    case="parallel note",
                    content={
                        "type": name,
                        "op": t.content["op"],
                        "sticky": note,
                        "parallel": parallel,
                    },
                    expect="refused",
                ),
                valid,
                refs("note"),
                st.booleans(),
            ),
            st.builds(
                lambda t, sticky, text: t.but("stale text", sticky=sticky, text=text, base=10**9),
                valid,
                refs("live"),
                st.sampled_from(PLAUSIBLE),
            ),
        ]
    elif name == "move":
        found.append(valid.map(lambda t: t.but("after itself", after=SELF)))
    elif name == "restore":
        found.append(
            st.builds(lambda t, s: t.but("restore a live sticky", sticky=s), valid, refs("live"))
        )
    elif name == "board":
        bad = [("title", ""), ("title", "\u202e\u200b"), ("title", "t" * 121)]
        bad += [("goal", "g" * 1001), ("first_event", " "), ("last_event", "l" * 281)]
        found.append(
            st.builds(
                lambda t, b: t.but("board detail out of bounds", **{b[0]: b[1]}),
                valid,
                st.sampled_from(bad),
            )
        )
    elif name == "starter":
        unknown = st.sampled_from(["blank", "nope", "", "Enterprise"])
        found.append(st.builds(lambda t, s: t.but("no such starter", starter=s), valid, unknown))
    elif name == "timer":
        found.append(valid.map(lambda t: t.but("no such timer action", action="rewind")))
        found.append(valid.map(lambda t: t.but("timebox too short", action="start", seconds=9)))
    elif name == "follow":
        found.append(valid.map(lambda t: t.but("nowhere to follow", target="nowhere")))
    elif name == "undo_participant":
        stranger = st.builds(Person, st.just("foreign_people"), st.integers(0, 99))
        found.append(
            st.builds(lambda t, p: t.but("someone else's", participant=p), valid, stranger)
        )
    elif name == "reopen":  # (on an ended board the sender breaks it: see Sender.prepare)
        found.append(valid.map(lambda t: t.but("reopen an open workshop")))
    elif name in {"merge", "dismiss"}:  # the sticky itself, as its own duplicate
        itself = {
            "merge": lambda t, ref: t.but("merge with itself", sticky=ref, stickies=[ref]),
            "dismiss": lambda t, ref: t.but("dismiss with itself", sticky=ref, other=ref),
        }[name]
        found.append(st.builds(itself, valid, refs("live")))
    elif name in {"timing", "round"}:  # (a round's other actions take no events)
        start = {"action": "start"} if name == "round" else {}
        many = st.integers(0, 99).map(
            lambda at: [Ref("event", at + n) for n in range(MOST_IN_A_GROUP + 1)]
        )
        found.append(
            st.builds(
                lambda t, events, start=start: t.but("more than 3 steps", events=events, **start),
                valid,
                many,
            )
        )
    elif name == "untime":
        found.append(valid.map(lambda t: t.but("no such timing", timing=Ref("unknown", 0))))
    elif name in {"action_update", "action_delete", "action_restore"}:
        found.append(valid.map(lambda t: t.but("no such action", action_id=Ref("unknown", 0))))
    elif name == "action_add":
        found.append(
            st.builds(
                lambda t, text: t.but("no text", text=text), valid, st.sampled_from(REFUSED_TEXT)
            )
        )
    elif name == "followup":
        when = st.sampled_from(["next week", "2027-01-14T10:00:00", "1999-01-01T10:00:00Z"])
        found.append(st.builds(lambda t, at: t.but("no such time", at=at), valid, when))
    elif name == "pick":
        found.append(valid.map(lambda t: t.but("no such size", size="XXL")))
    return found


def refusal(spec: Spec, role: str) -> SearchStrategy[Template]:
    """A valid frame of `spec` that `role` may not send, or that the rules refuse."""
    if spec.role is Role.FACILITATOR and role != "facilitator":
        return SHAPED[(spec.name, "valid")].map(lambda t: replace(t, expect="refused"))
    found = twists(spec)
    return st.one_of(found) if found else FRAMES[(spec.name, False)]


# Well-formed frames lean to the changes a participant makes, so that many are applied.
LIKELY = SPECS + [COMMANDS[name] for name in ("add", "update", "move", "delete", "restore") * 3]
LIKELY += [COMMANDS[name] for name in ("merge", "vote", "timing", "round", "pick")]
ANY = weighted(
    (9, st.sampled_from(LIKELY).flatmap(lambda spec: FRAMES[(spec.name, True)])),
    (6, st.sampled_from(SPECS).flatmap(lambda spec: FRAMES[(spec.name, False)])),
    (2, RAW),
    (1, st.just(Template("resend", None, "resend"))),
)
# Frames that must change nothing on the board, by the role of their sender.
STILL = {
    role: weighted(
        (6, st.sampled_from([refusal(spec, role) for spec in CHANGES]).flatmap(lambda s: s)),
        (5, st.sampled_from(SPECS).flatmap(lambda spec: FRAMES[(spec.name, False)])),
        (2, RAW),
        (2, st.sampled_from(READS).flatmap(lambda spec: FRAMES[(spec.name, True)])),
        (1, st.just(Template("resend", None, "resend"))),
    )
    for role in ("participant", "facilitator")
}


def frames_for(role: str, *, still: bool) -> SearchStrategy[Template]:
    """Observers and people of another board change nothing of this board whatever they send."""
    return STILL[role] if still and role in STILL else ANY


# ----- the board as it is when a round begins -----


@dataclass
class Pools:
    ids: dict[str, list[str]]
    seq: int
    ended: bool
    locked: bool
    round_open: bool  # an estimation round takes picks


def pools_of(board: Workshop, other: Workshop) -> tuple[Pools, Pools]:
    """Ids to fill frames with, read once for a round: for this board's people, this board's by
    pool and another board's as "foreign"; for someone of the other board, everything is this
    board's."""

    def of(workshop: Workshop, *, work: bool) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {pool: [] for pool in POOLS}
        rows = Sticky.objects.filter(workshop=workshop).order_by("created_at", "id")
        kept, timeline = set(), []
        for sticky_id, kind, parked, private, rank, deleted_at, merged_into in rows.values_list(
            "id", "kind", "parked", "private", "rank", "deleted_at", "merged_into"
        ):
            key = str(sticky_id)
            if deleted_at is not None:
                found["deleted"].append(key)
                continue
            if merged_into is not None:
                found["merged"].append(key)
                kept.add(str(merged_into))
                continue
            found["live"].append(key)
            if kind != Kind.EVENT:
                found["note"].append(key)
            elif not parked:
                found["event"].append(key)
                if not private:
                    timeline.append((rank, key))
            if kind == Kind.PAIN:
                found["pain"].append(key)
        found["kept"] = [key for key in found["live"] if key in kept]
        found["timeline"] = [key for _, key in sorted(timeline)]  # (as the board orders them)
        if work:
            timings = Timing.objects.filter(workshop=workshop, deleted_at=None).order_by("pk")
            found["timing"] = [str(pk) for pk in timings.values_list("pk", flat=True)]
            actions = Action.objects.filter(workshop=workshop).order_by("created_at", "id")
            for action_id, deleted_at in actions.values_list("id", "deleted_at"):
                found["action" if deleted_at is None else "deleted_action"].append(str(action_id))
        found["people"] = [str(pk) for pk in workshop.participants.values_list("pk", flat=True)]
        return found

    mine, theirs = of(board, work=True), of(other, work=False)
    current = Workshop.objects.get(pk=board.pk)
    ended, round_open = current.ended_at is not None, current.round_status == "open"
    ours = mine | {"foreign": theirs["live"], "foreign_deleted": theirs["deleted"]}
    ours["foreign_people"] = theirs["people"]
    strangers = mine | {"foreign": mine["live"], "foreign_deleted": mine["deleted"]}
    strangers["foreign_people"] = mine["people"]
    return (
        Pools(ours, current.seq, ended, current.locked, round_open),
        Pools(strangers, current.seq, ended, current.locked, round_open),
    )


def board_rows(board: Workshop) -> dict[str, Any]:
    """Everything of the board that a frame could change (presence aside)."""
    return {
        "workshop": sorted(Workshop.objects.filter(pk=board.pk).values().get().items()),
        "stickies": sorted(Sticky.objects.filter(workshop=board).values_list(), key=str),
        "operations": list(Operation.objects.filter(workshop=board).values_list()),
        "participants": sorted(Participant.objects.filter(workshop=board).values_list(), key=str),
        "co_facilitators": sorted(board.co_facilitators.values_list("pk", flat=True)),
        **{
            model.__name__: sorted(model.objects.filter(workshop=board).values_list(), key=str)
            for model in (Vote, Pick, Timing, Action, Dismissal)
        },
    }


def differences(before: dict[str, Any], after: dict[str, Any]) -> str:
    said = []
    for key, rows in before.items():
        if after[key] != rows:
            gone = [row for row in rows if row not in after[key]]
            came = [row for row in after[key] if row not in rows]
            said.append(f"{key}: {gone[:3]} became {came[:3]}")
    return "; ".join(said)


# ----- sending and judging -----


def encodable(text: str) -> bool:
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def op_is_valid(op: Any) -> bool:
    """The documented rule: a string of 1-64 printable characters."""
    return isinstance(op, str) and 1 <= len(op) <= 64 and op.isprintable() and encodable(op)


def echoed(content: Any) -> str | None:
    """The op an error should carry: the frame's, when it was a string that can be sent back."""
    op = content.get("op") if isinstance(content, dict) else None
    return op if isinstance(op, str) and encodable(op) else None


def ill_formed(message: Any) -> str:
    """Why a message from the server is not one the protocol declares ("" when it is one)."""
    if not isinstance(message, dict) or message.get("type") not in MESSAGES:
        return "not a declared message"
    kind = message["type"]
    if set(message) != {"type", *MESSAGES[kind]}:
        return f"a {kind} with the fields {sorted(message)}"
    if kind == "error":
        if message["code"] not in ERRORS:
            return f"an undeclared error code {message['code']!r}"
        if not isinstance(message["message"], str) or not message["message"].strip():
            return "an error without a message"
    for state in message.get("entities") or ():
        html = state.get("html") or ""
        if "<script" in html or "<img" in html:
            return "a sticky drawn with markup from someone's text"
    return ""


def answer_key(message: dict[str, Any]) -> str:
    return f"error:{message['code']}" if message["type"] == "error" else message["type"]


def shown(wire: Any, limit: int = 300) -> str:
    text = repr(wire)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


@dataclass
class Sent:
    """A frame on the wire and what may answer it (besides a refusal for the rate)."""

    template: Template
    wire: str | bytes
    answers: frozenset[str]
    op: str | None = None  # its op, when a change's
    echo: str | None = None  # the op an error must carry
    fence: bool = False  # may get no answer: a ping follows, and its pong ends the wait
    seq: int | None = None  # for a resend: the seq it was applied at


@dataclass
class Problem:
    """Something that went wrong: why, on whose socket, the frame, and what came back."""

    why: str
    who: str
    frame: str
    got: str

    @property
    def kind(self) -> str:
        """What went wrong, and with which command (a problem of a kind is reported once)."""
        command = re.search(r'"type": "(\w+)"', self.frame)
        return f"{self.why} ({command.group(1) if command else 'no command'})"

    def __str__(self) -> str:
        return f"{self.why} [{self.who}]\n    frame: {self.frame}\n    got:   {self.got}"


class Closed(Exception):
    def __init__(self, code: Any) -> None:
        super().__init__(code)
        self.code = code


async def output(communicator: WebsocketCommunicator, timeout: float) -> dict[str, Any] | None:
    """The next thing the app sent, None after `timeout`, or the app's own exception if it
    crashed (without cancelling the app on a timeout, as asgiref's receive_output does)."""
    queue = communicator.output_queue
    if not queue.empty():
        return queue.get_nowait()
    getter = asyncio.ensure_future(queue.get())
    done, _ = await asyncio.wait(
        {getter, communicator.future}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
    )
    if getter in done:
        return getter.result()
    getter.cancel()
    if communicator.future.done():
        communicator.future.result()  # raises the app's exception, if it raised one
        return {"type": "websocket.close", "code": "the app returned"}
    return None


PING = '{"type": "ping"}'


@dataclass
class Sender:
    """One fuzzing socket and the person behind it."""

    world: "World"
    tag: str
    role: str  # participant, facilitator, observer, or stranger (of another workshop)
    slug: str
    session_key: str
    frames_per_round: int = FRAMES_PER_ROUND
    pace: float = PACE
    floods: bool = False
    sweep: list[SearchStrategy[Template]] = field(default_factory=list)
    socket: Socket | None = None
    me: int | None = None
    ops: int = 0
    last_sent: float = 0.0
    confirmed: list[tuple[str, str, int]] = field(default_factory=list)  # wire, op, seq

    async def connect(self) -> None:
        self.socket = Socket(self.slug, self.session_key)
        connected, _ = await self.socket.connect()
        assert connected, f"{self.tag} could not connect"
        while (message := await self.read(ANSWER_TIMEOUT))["type"] != "welcome":
            pass
        self.me = message["participant"]

    async def reconnect(self) -> None:
        if self.socket is not None:
            with contextlib.suppress(Exception):  # closed, or crashed (written down already)
                await self.socket.close()
        await self.connect()
        self.world.reconnects += 1

    async def read(self, timeout: float) -> dict[str, Any]:
        """The next message; TimeoutError after `timeout`; Closed when the server closed."""
        assert self.socket is not None
        got = await output(self.socket.communicator, timeout)
        if got is None:
            raise TimeoutError
        if got["type"] == "websocket.close":
            raise Closed(got.get("code", 1000))
        message: dict[str, Any] = json.loads(got["text"])
        if problem := ill_formed(message):
            self.world.problem(problem, self.tag, None, message)
        if message["type"] == "revoked":
            self.world.problem("revoked though nobody was removed", self.tag, None, message)
        return message

    def fill(self, value: Any, pools: Pools) -> Any:
        if isinstance(value, Ref):
            if value.pool == "unknown":  # (hypothesis repeats its "random" ids, which an add
                return str(uuid4())  # may have given a sticky)
            pool = value.pool
            while not pools.ids[pool] and pool != "foreign":  # an empty pool: another board's
                pool = "foreign_deleted" if pool == "deleted" else "foreign"
            ids = pools.ids[pool]
            return ids[value.index % len(ids)] if ids else str(UUID(int=value.index + 1))
        if isinstance(value, Person):
            people = pools.ids[value.pool]
            return int(people[value.index % len(people)]) if people else 0
        if isinstance(value, Tagged):
            return value.prefix + self.fill(value.ref, pools)
        if isinstance(value, Run):
            timeline = pools.ids["timeline"]
            start = value.start % len(timeline) if timeline else 0
            return timeline[start : start + value.length]
        if isinstance(value, Since):
            return max(0, pools.seq - value.back)
        if isinstance(value, Op):
            self.ops += 1
            return f"{self.tag}.{self.ops}{value.suffix}"[:64]
        if isinstance(value, dict):
            return {key: self.fill(inner, pools) for key, inner in value.items()}
        if isinstance(value, list):
            return [self.fill(inner, pools) for inner in value]
        return value

    def prepare(self, template: Template, pools: Pools) -> Sent:
        """The frame as it goes on the wire, and what may answer it from this sender."""
        if template.expect == "resend":
            if not self.confirmed:
                return Sent(template, PING, frozenset({"pong"}))
            wire, applied, seq = self.confirmed[len(self.confirmed) // 2]
            return Sent(template, wire, frozenset({"ack"}), op=applied, echo=applied, seq=seq)
        if not isinstance(template.content, dict):  # raw text or bytes (or a ping in them)
            answer = f"error:{template.expect}" if template.expect in ERRORS else "pong"
            return Sent(template, template.content, frozenset({answer}))
        content = self.fill(template.content, pools)
        if content.get("after") == SELF:
            content["after"] = content.get("sticky")
        if template.case == "reopen an open workshop" and pools.ended:
            del content["op"]  # it would reopen the workshop: break it instead
        try:
            wire = json.dumps(content, ensure_ascii=template.ascii)
            wire.encode()
        except UnicodeEncodeError:  # a lone surrogate travels escaped
            wire = json.dumps(content)
        if len(wire.encode()) > LIMITS.frame_bytes:
            return Sent(template, wire, frozenset({"error:too_large"}))
        op = content.get("op") if isinstance(content.get("op"), str) else None
        sent = Sent(template, wire, frozenset(), op=op, echo=echoed(content))
        spec = COMMANDS.get(template.command or "")
        expect = template.expect
        if spec is not None and spec.changes_board and not op_is_valid(content.get("op")):
            expect = "invalid"
        if expect in ERRORS or spec is None:
            sent.answers = frozenset({f"error:{expect}"})
        elif spec.name == "ping":
            sent.answers = frozenset({"pong"})
        elif spec.name == "sync":
            sent.answers = frozenset({"catchup", "snapshot"})
        elif spec.name == "editing":
            sent.fence = True
            sent.answers = frozenset({"error:not_allowed"} if self.role == "observer" else ())
        elif self.role == "observer" or (
            spec.role is Role.FACILITATOR and self.role != "facilitator"
        ):
            sent.answers = frozenset({"error:not_allowed"})
        elif expect == "refused":
            sent.answers = REFUSALS
        else:  # a change its command's rules may take or refuse
            sent.answers = REFUSALS | {"patch"}
        return sent

    async def play(self, templates: list[Template], pools: Pools) -> None:
        for template in templates:
            sent = self.prepare(template, pools)
            wait = self.last_sent + self.pace - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            self.last_sent = time.monotonic()
            try:
                await self.exchange(sent)
            except Closed as closed:
                self.world.closes[closed.code] += 1
                if closed.code not in CLOSES_EXPECTED:
                    self.world.problem(f"closed ({closed.code})", self.tag, sent.wire, closed)
                await self.reconnect()
            except TimeoutError:
                self.world.problem("no answer", self.tag, sent.wire, f"{ANSWER_TIMEOUT} s")
                await self.reconnect()
            except Exception as crash:  # the app raised: the socket crashed
                if not self.known(sent, {"type": "crash", "error": repr(crash)}):
                    self.world.problem("the socket crashed", self.tag, sent.wire, crash)
                await self.reconnect()

    async def write(self, wire: str | bytes) -> None:
        assert self.socket is not None
        key = "bytes" if isinstance(wire, bytes) else "text"
        await self.socket.communicator.send_input({"type": "websocket.receive", key: wire})
        self.world.sent += 1

    async def exchange(self, sent: Sent) -> None:
        await self.write(sent.wire)
        if sent.fence:
            await self.write(PING)
        answers: list[dict[str, Any]] = []
        while not answers or (sent.fence and len(answers) < 2 and answers[-1]["type"] != "pong"):
            # A participant's editing then a ping, and one refusal for the rate: the ping's
            # (editing said nothing), or editing's (the ping's answer follows).
            unsure = sent.fence and self.role != "observer" and len(answers) == 1
            try:
                message = await self.read(2.0 if unsure else ANSWER_TIMEOUT)
            except TimeoutError:
                if unsure:
                    break
                raise
            if self.answers(sent, message):
                answers.append(message)
        self.judge(sent, answers)

    def answers(self, sent: Sent, message: dict[str, Any]) -> bool:
        """Whether the message answers this sender's frame (the rest is others' doing)."""
        kind = message["type"]
        if kind in {"error", "ack", "conflict", "pong", "catchup", "snapshot"}:
            return True
        mine = kind == "patch" and message["by"] == self.me
        return mine and sent.op is not None and message["op"] == sent.op

    def judge(self, sent: Sent, answers: list[dict[str, Any]]) -> None:
        world = self.world
        keys = [answer_key(answer) for answer in answers]
        world.outcomes[keys[0]] += 1
        if sent.fence:
            allowed = {"pong", "error:rate_limited"}
            if keys[-1] not in allowed or not set(keys[:-1]) <= sent.answers | allowed:
                world.problem("a wrong answer to editing", self.tag, sent.wire, keys)
            return
        [answer], [key] = answers, keys
        if key == "error:rate_limited":
            world.rate_limited += 1
            return
        if key not in sent.answers:
            if self.known(sent, answer):
                return
            why = "applied, though it must be refused" if key == "patch" else "a wrong answer"
            world.problem(why, self.tag, sent.wire, answer)
            return
        if answer["type"] == "error" and answer["op"] != sent.echo:
            world.problem("an error with the wrong op", self.tag, sent.wire, answer)
        if answer["type"] in {"ack", "conflict"} and answer["op"] != sent.op:
            world.problem("an answer for another op", self.tag, sent.wire, answer)
        if key == "ack" and answer["seq"] != sent.seq:
            world.problem("acknowledged at another seq", self.tag, sent.wire, answer)
        if key == "patch" and sent.op is not None and isinstance(sent.wire, str):
            self.confirmed.append((sent.wire, sent.op, answer["seq"]))
        if self.role == "stranger" or self.me is None or sent.op is None:
            return
        if key == "patch":
            world.applied[(self.me, sent.op)] = answer["seq"]
            world.applied_by_command[sent.template.command or ""] += 1
        elif key.startswith("error:") or key == "conflict":
            world.refused.add((self.me, sent.op))

    def known(self, sent: Sent, answer: dict[str, Any]) -> bool:
        """Whether the answer (or {"type": "crash"}) is a finding reported already: counted."""
        for finding, known in KNOWN_FINDINGS.items():
            if known(self, sent, answer):
                self.world.known[finding] += 1
                return True
        return False

    async def flood(self) -> None:
        """A burst far above the limit, sent without waiting: answered, then refused for the
        rate, then closed (4429); then the page comes back."""
        wires = ["{}", "[]"] * (FLOOD_FRAMES // 2)
        for wire in wires:
            await self.write(wire)
        answered = 0
        try:
            while answered < len(wires):
                message = await self.read(ANSWER_TIMEOUT)
                if message["type"] == "error":
                    answered += 1
                    if message["code"] not in {"unknown_command", "bad_frame", "rate_limited"}:
                        self.world.problem("a wrong answer in a flood", self.tag, "{}", message)
        except Closed as closed:
            self.world.closes[closed.code] += 1
            if closed.code != CLOSE_ABUSIVE:
                self.world.problem("a flood closed with another code", self.tag, "{}", closed)
        self.world.outcomes["flood"] += len(wires)
        # A page closed for flooding backs off before it comes back (straight back, it is
        # turned away while its refusals fade: test_bad_input.py): here, as if it had waited.
        assert self.me is not None
        limit, _ = rates.senders.limits[("participant", self.me)]
        limit.stamp -= 60
        await self.reconnect()


# Wrong answers (and crashes, as {"type": "crash", "error": ...}) found by this fuzzer and
# reported, waiting for a fix to the code: counted and printed, not failed on. Remove one once it
# is fixed.
KNOWN_FINDINGS: dict[str, Callable[[Sender, Sent, dict[str, Any]], bool]] = {}


# ----- the well-behaved -----


@dataclass
class Watcher:
    """A well-behaved screen (tests/socket/simulated.py) reading all the time; the observer's
    also keeps each patch's seq, sender and op, to hold the log to."""

    client: SimulatedClient
    world: "World"
    patches: dict[int, tuple[int | None, str | None]] = field(default_factory=dict)
    stopping: bool = False
    task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.client.connect()
        self.task = asyncio.create_task(self.watch())

    async def watch(self) -> None:
        while not self.stopping:
            await self.take(0.2)

    async def take(self, timeout: float) -> bool:
        """Handle the next message, if one comes within `timeout`."""
        assert self.client.socket is not None
        got = await output(self.client.socket.communicator, timeout)
        if got is None:
            return False
        if got["type"] == "websocket.close":
            self.world.problem("a well-behaved screen was closed", self.client.name, None, got)
            self.stopping = True
            return False
        message = json.loads(got["text"])
        if problem := ill_formed(message):
            self.world.problem(problem, self.client.name, None, message)
        if message.get("entities"):  # a page skips the kinds of entity it does not know
            known = [state for state in message["entities"] if state["entity"] in SHOWN]
            message = message | {"entities": known}
        if message["type"] == "patch":
            this = (message["by"], message["op"])
            if self.patches.setdefault(message["seq"], this) != this:
                self.world.problem("two patches with one seq", self.client.name, None, message)
        await self.client.handle(message)
        return True

    async def stop(self) -> None:
        """Read on until nothing more comes, catching up on any gap first."""
        self.stopping = True
        if self.task is not None:
            await self.task
        await self.client.gap_check()
        while await self.take(0.5):
            pass


SHOWN = {"sticky", "board"}  # the kinds of entity tests/socket/simulated.py keeps
WENDY_MOVES = st.tuples(
    st.sampled_from(["add", "add", "edit", "move"]),
    st.sampled_from(list(KINDS)),
    st.sampled_from(PLAUSIBLE),
    st.integers(0, 10_000),
)


@dataclass
class World:
    board: Workshop
    other: Workshop
    start_seq: int
    wendy_id: int
    senders: list[Sender] = field(default_factory=list)
    wendy: Watcher | None = None
    olive: Watcher | None = None
    rounds: int = 0
    still_rounds: int = 0
    sent: int = 0
    rate_limited: int = 0
    reconnects: int = 0
    closes: Counter[Any] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    covered: set[tuple[str, str, bool]] = field(default_factory=set)
    cases: Counter[str] = field(default_factory=Counter)
    applied: dict[tuple[int, str], int] = field(default_factory=dict)
    applied_by_command: Counter[str] = field(default_factory=Counter)
    refused: set[tuple[int, str]] = field(default_factory=set)
    problems: dict[tuple[str, str], Problem] = field(default_factory=dict)
    known: Counter[str] = field(default_factory=Counter)  # KNOWN_FINDINGS seen

    def problem(self, why: str, who: str, wire: Any, got: Any) -> None:
        self.problems.setdefault((why, shown(wire, 80)), Problem(why, who, shown(wire), shown(got)))

    async def play(self, data: st.DataObject, *, sweep: bool) -> None:
        """One round. What is drawn depends only on what was drawn before it, never on the
        board (hypothesis replays choices, and refuses draws that change shape): the board's
        state is applied as each frame is sent. The sweep sends every command, well-formed
        and not, from each role."""
        self.rounds += 1
        still = not sweep and data.draw(st.booleans(), label="only frames that change nothing")
        flooding = sweep or data.draw(st.integers(0, 9), label="flood") == 5
        drawn: list[tuple[Sender, list[Template]]] = []
        for sender in self.senders:
            if sender.floods and flooding:
                drawn.append((sender, []))
                continue
            if sweep:
                strategies = sender.sweep
            else:
                strategies = [frames_for(sender.role, still=still)] * sender.frames_per_round
            drawn.append((sender, [data.draw(each, label=sender.tag) for each in strategies]))
        moves = [] if still else [data.draw(WENDY_MOVES, label="wendy") for _ in range(2)]
        pools, theirs = await database_sync_to_async(pools_of)(self.board, self.other)
        before = await database_sync_to_async(board_rows)(self.board) if still else None
        plays = [self.wendy_acts(moves)]
        for sender, templates in drawn:
            for template in templates:
                self.cases[template.case] += 1
                if template.command:
                    self.covered.add((sender.role, template.command, template.well_formed))
            if sender.floods and flooding:
                plays.append(sender.flood())
            else:
                if sender.role == "facilitator" and not still:  # keep the board open, mostly
                    templates = [*([START_ROUND] if not pools.round_open else []), *templates]
                    templates = [*([REOPEN] if pools.ended else []), *templates]
                    templates = [*([UNLOCK] if pools.locked else []), *templates]
                plays.append(sender.play(templates, theirs if sender.role == "stranger" else pools))
        await asyncio.gather(*plays)
        if before is not None:
            self.still_rounds += 1
            after = await database_sync_to_async(board_rows)(self.board)
            if after != before:
                why = "a round of frames that change nothing changed the board"
                self.problem(why, "everyone", f"round {self.rounds}", differences(before, after))

    async def wendy_acts(self, moves: list[tuple[str, str, str, int]]) -> None:
        """The well-behaved participant adds, edits and moves a little, as her page would."""
        assert self.wendy is not None
        client = self.wendy.client
        for action, kind, text, pick in moves:
            await asyncio.sleep(PACE * 3)
            seen = sorted(client.view)
            events = sorted(s for s, v in client.view.items() if v[0] == Kind.EVENT and not v[2])
            command: dict[str, Any]
            if action == "add" or not seen:
                place: dict[str, Any] = {"parked": kind != Kind.EVENT}
                if kind != Kind.EVENT and events:
                    place = {"parked": False, "event": events[pick % len(events)]}
                command = {"type": "add", "kind": kind, "text": text, "place": place}
            elif action == "edit":
                command = {"type": "update", "sticky": seen[pick % len(seen)], "text": text}
            else:
                parked = {"parked": True}
                command = {"type": "move", "sticky": seen[pick % len(seen)], "place": parked}
            await client.send(client.command(command))
        await self.answered()

    async def answered(self) -> None:
        """Wait until the well-behaved participant's changes are answered. (A round must not
        end with a change in flight: between rounds the event loop stops, and a patch published
        then goes only to Redis, which this process skips as its own.)"""
        assert self.wendy is not None
        for _ in range(int(ANSWER_TIMEOUT / 0.02)):
            if not self.wendy.client.outbox:
                return
            await asyncio.sleep(0.02)


REOPEN = Template("valid", {"type": "reopen", "op": Op("")}, "answer", "reopen")
UNLOCK = Template("valid", {"type": "board", "op": Op(""), "locked": False}, "answer", "board")
# (and with an estimation round open, mostly, for the picks)
START_ROUND = Template(
    "valid",
    {"type": "round", "op": Op(""), "action": "start", "events": Run(0, 1)},
    "answer",
    "round",
)


# ----- the run -----


def make_world(board: Workshop, other: Workshop) -> tuple[World, dict[str, Any]]:
    """A small map on each board, with a deleted sticky, and the people."""
    owner = services.facilitator_participant(workshop=board, user=board.owner)
    events = [make_sticky(board, owner, text=f"Step {n}") for n in range(4)]
    for kind in LANE_KINDS:
        make_note(board, owner, kind, f"A {kind}", events[0])
    make_sticky(board, owner, kind=Kind.PAIN, text="Parked pain", place=Place(parked=True))
    gone = make_sticky(board, owner, text="Deleted step")
    services.sticky_delete(workshop=board, by=owner, op=None, sticky_id=gone.pk)
    theirs = services.facilitator_participant(workshop=other, user=other.owner)
    there = [make_sticky(other, theirs, text=f"Their step {n}") for n in range(3)]
    make_note(other, theirs, Kind.PAIN, "Their pain", there[0])
    services.sticky_delete(workshop=other, by=theirs, op=None, sticky_id=there[2].pk)
    people: dict[str, Any] = {
        "participants": [make_participant(board, f"P{n}") for n in range(PARTICIPANTS)],
        "doubles": [make_participant(board, f"D{n}") for n in range(2)],
        "flo": make_participant(board, "Flo"),
        "wendy": make_participant(board, "Wendy"),
        "otto": make_participant(other, "Otto"),
    }
    start = Workshop.objects.get(pk=board.pk).seq
    return World(board, other, start_seq=start, wendy_id=people["wendy"].pk), people


async def open_world(world: World, people: dict[str, Any]) -> None:
    board, senders = world.board, world.senders
    # Each role sends every command, well-formed and not; the participants share out the rest.
    pairs = [FRAMES[(name, well)] for name in COMMANDS for well in (True, False)]

    async def add(tag: str, role: str, key: str, slug: str = board.slug, **extra: Any) -> None:
        senders.append(Sender(world, tag, role, slug, key, **extra))

    for number, person in enumerate(people["participants"]):
        mine = SWEEP[number::PARTICIPANTS]
        await add(f"p{number}", "participant", await session_for(participant=person), sweep=mine)
    for number, person in enumerate(people["doubles"]):
        key = await session_for(participant=person)
        for screen in "ab":  # two screens, one budget
            half = FRAMES_PER_ROUND // 2
            await add(
                f"d{number}{screen}", "participant", key, frames_per_round=half, pace=2 * PACE
            )
    await add("flo", "participant", await session_for(participant=people["flo"]), floods=True)
    await add("fran", "facilitator", await session_for(user=board.owner), sweep=pairs)
    await add("obs", "observer", await session_for(observing=board), sweep=pairs)
    otto = await session_for(participant=people["otto"])
    await add("otto", "stranger", otto, world.other.slug, sweep=pairs)
    for sender in senders:
        await sender.connect()
    wendy = SimulatedClient("wendy", board.slug, await session_for(participant=people["wendy"]))
    olive = SimulatedClient("olive", board.slug, await session_for(observing=board))
    world.wendy, world.olive = Watcher(wendy, world), Watcher(olive, world)
    for watcher in (world.wendy, world.olive):
        await watcher.start()


database_view = database_sync_to_async(stickies_seen)


@database_sync_to_async
def database_state(board: Workshop) -> dict[str, Any]:
    current = Workshop.objects.get(pk=board.pk)
    log = Operation.objects.filter(workshop=board).values_list(
        "seq", "participant", "client_op", "anonymous"
    )
    texts = [
        text
        for pair in Sticky.objects.filter(workshop=board).values_list("text", "owner")
        for text in pair
    ]
    texts += [
        text
        for pair in Action.objects.filter(workshop=board).values_list("text", "owner_name")
        for text in pair
    ]
    texts += [current.title, current.goal, current.first_event, current.last_event]
    return {
        "board": (current.title, current.phase, current.version),
        "seq": current.seq,
        "log": {seq: (by, op) for seq, by, op, _ in log},
        "anonymous": {seq for seq, _, _, anonymous in log if anonymous},
        "texts": [*texts, current.followup_notes],
    }


def dirty(text: str) -> bool:
    """Holds what stored text never should: a control character but a line break, a direction
    control, a lone surrogate."""
    return any(
        (ord(ch) < 32 and ch != "\n") or ch in BIDI_CONTROLS or 0xD800 <= ord(ch) <= 0xDFFF
        for ch in text
    )


async def finish(world: World) -> None:
    """Let everything arrive, then hold the well-behaved screens and the log to the database."""
    assert world.wendy is not None and world.olive is not None
    for watcher in (world.wendy, world.olive):
        await watcher.stop()
    state = await database_state(world.board)
    for watcher, participant in ((world.wendy, world.wendy_id), (world.olive, None)):
        client = watcher.client
        expected = await database_view(world.board, participant)
        if client.view != expected:
            differ = sorted(set(expected.items()) ^ set(client.view.items()), key=str)
            world.problem(
                "a well-behaved screen differs from the database", client.name, None, differ
            )
        seen = client.board and (client.board[0], client.board[1], client.board[-1])
        if seen and seen != state["board"]:  # (states are whole: the same version, the same)
            world.problem("a screen shows another board state", client.name, None, client.board)
        if client.seq != state["seq"]:
            world.problem("a screen holds another seq", client.name, None, client.seq)
    if world.wendy.client.outbox:
        world.problem("commands never answered", "wendy", None, list(world.wendy.client.outbox))
    log = {seq: entry for seq, entry in state["log"].items() if seq > world.start_seq}
    if sorted(log) != list(range(world.start_seq + 1, state["seq"] + 1)):
        world.problem("the log has gaps", "everyone", None, (world.start_seq, state["seq"]))
    # (an anonymous change reaches everyone but its sender without who made it)
    patched = {seq: (None, None) if seq in state["anonymous"] else e for seq, e in log.items()}
    if patched != world.olive.patches:
        unseen = sorted(set(patched.items()) ^ set(world.olive.patches.items()), key=str)
        world.problem("the log and the patches differ", "everyone", None, unseen[:5])
    logged = {entry: seq for seq, entry in log.items()}
    for key, seq in world.applied.items():
        if logged.get(key) != seq:
            world.problem("a confirmed change is not in the log", "everyone", key, seq)
    for key in world.refused & logged.keys():
        world.problem("a refused frame was applied", "everyone", key, logged[key])
    for text in state["texts"]:
        if dirty(text):
            world.problem("stored text holds control characters", "everyone", None, text)


async def close_all(world: World) -> None:
    sockets = [sender.socket for sender in world.senders]
    sockets += [watcher.client.socket for watcher in (world.wendy, world.olive) if watcher]
    for socket in sockets:
        if socket is not None:
            with contextlib.suppress(Exception):  # closed by the server already
                await socket.close()


def run_rounds(runner: asyncio.Runner, world: World, rounds: int, *, sweep: bool) -> None:
    """Rounds as hypothesis examples (no shrinking: see the module's docstring)."""

    @settings(
        max_examples=rounds,
        deadline=None,
        phases=[Phase.generate],
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            HealthCheck.large_base_example,
        ],
    )
    @given(data=st.data())
    def a_round(data: st.DataObject) -> None:
        runner.run(world.play(data, sweep=sweep))

    a_round()


def errors_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        f"{record.name} {record.levelname}: {record.getMessage()}"
        for record in caplog.records
        if record.name.split(".")[0] in LOGGERS
        and (record.levelno >= logging.ERROR or record.exc_info)
    ]


CASES = {
    *("valid", "extra fields", "missing required field", "null required field", "bad op"),
    *(f"wrong {kind}" for kind in Type),
    *("lone surrogate", "none of the one-of fields", "not JSON", "empty frame", "not an object"),
    *("binary frame", "deep nesting", "unknown type", "too large", "resend"),
    *("id of another board", "random id", "id taken", "after itself", "stale text"),
}


def test_fuzzed_frames_get_clear_answers_change_nothing_invalid_and_leave_others_in_step(
    board: Workshop, other_board: Workshop, caplog: pytest.LogCaptureFixture
) -> None:
    assert set(VALID) == set(WRONG) == set(Type), "every type of field needs values to fuzz with"
    started = time.monotonic()
    world, people = make_world(board, other_board)
    with caplog.at_level(logging.INFO), asyncio.Runner() as runner:
        try:
            runner.run(open_world(world, people))
            run_rounds(runner, world, 1, sweep=True)
            while world.sent < FRAMES_WANTED:  # (hypothesis runs fewer examples than it may)
                rounds = (FRAMES_WANTED - world.sent) // FRAMES_PER_ROUND // len(world.senders)
                run_rounds(runner, world, max(5, rounds + 1), sweep=False)
            runner.run(finish(world))
        finally:
            runner.run(close_all(world))
    seconds = time.monotonic() - started
    print(
        f"\n{world.sent} frames in {seconds:.1f} s: {world.rounds} rounds "
        f"({world.still_rounds} of frames that change nothing), {len(world.senders)} sockets "
        f"fuzzing; {len(world.applied)} changes applied {dict(world.applied_by_command)}; "
        f"{world.rate_limited} frames refused "
        f"for the rate, closes {dict(world.closes)}; answers {dict(world.outcomes)}; "
        f"known findings {dict(world.known)}"
    )
    kinds = Counter(problem.kind for problem in world.problems.values())
    first: dict[str, Problem] = {}
    for problem in world.problems.values():
        first.setdefault(problem.kind, problem)
    problems = "\n".join(f"{count} times: {first[kind]}" for kind, count in kinds.most_common())
    assert not world.problems, f"{len(world.problems)} problems, by kind:\n{problems}"
    assert not errors_logged(caplog), errors_logged(caplog)
    assert world.sent >= FRAMES_WANTED
    for role in ("participant", "facilitator", "observer", "stranger"):
        for name, spec in COMMANDS.items():
            for well in (True, False):
                if shapes_of(spec, well):
                    assert (role, name, well) in world.covered, (role, name, well)
    assert world.cases.keys() >= CASES, CASES - world.cases.keys()
    assert world.closes[CLOSE_ABUSIVE] >= 1, "a flood was never closed"
