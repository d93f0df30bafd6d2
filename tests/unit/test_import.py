"""Importing a map file: a new workshop equal to the one exported, made through the services (so
its history shows it), or nothing at all with what is wrong and where; from the workshop list
and from the command line."""

import copy
import io
import json
import random
import time
from pathlib import Path
from typing import IO, Any, cast

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tests.factories import make_sticky, make_user
from tests.unit.map_files import (
    LONG,
    broken,
    comparable,
    exported,
    file_of,
    full_board,
    removed,
    set_in,
    small_map,
)
from workshops import services
from workshops.exports.document import MOST_BYTES, DocumentError, parse
from workshops.exports.map import map_of
from workshops.kinds import Kind
from workshops.models import Operation, Participant, Sticky, Workshop
from workshops.protocol import Place
from workshops.services import imports
from workshops.services.imports import ImportRefused, read_upload, workshop_import
from workshops.starters import FOLDER

STARTER_FILES = sorted(FOLDER.glob("*.json"))


def imported(owner: User, document: dict[str, Any]) -> Workshop:
    return workshop_import(owner=owner, raw=file_of(document)).workshop


# ----- round trips -----


@pytest.mark.parametrize("path", STARTER_FILES, ids=lambda path: path.stem)
def test_a_starter_file_imports_and_its_export_comes_back_equal(
    facilitator: User, path: Path
) -> None:
    first = workshop_import(owner=facilitator, raw=path.read_bytes()).workshop
    starter = json.loads(path.read_text())
    assert first.title == starter["workshop"]["title"]
    assert [s["text"] for s in exported(first)["steps"]] == [s["text"] for s in starter["steps"]]
    document = exported(first)
    again = exported(imported(facilitator, document))
    assert comparable(again) == comparable(document)


def test_a_300_sticky_board_comes_back_equal(
    board: Workshop, django_capture_on_commit_callbacks: Any
) -> None:
    document = exported(full_board(board, stickies=300))
    count = sum(document["analysis"]["stickies"].values()) + len(document["merged"])
    assert count >= 290
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):  # the broadcasts after the commit
        copy_of = imported(board.owner, document)
    took = time.perf_counter() - started
    print(f"import of {count} stickies, broadcasts included: {took:.2f} s")
    again = exported(copy_of)
    assert comparable(again) == comparable(document)
    assert copy_of.pk != board.pk and copy_of.owner == board.owner


def test_a_board_imported_by_someone_else_keeps_its_facilitator_named_as_in_the_file(
    board: Workshop,
) -> None:
    document = exported(full_board(board, stickies=40))
    other = make_user("grace")
    copy_of = imported(other, document)
    assert copy_of.owner == other
    assert comparable(exported(copy_of)) == comparable(document)
    me = Participant.objects.get(workshop=copy_of, user=other)
    assert me.name == "fran"


def test_html_and_script_in_text_are_imported_as_text(board: Workshop, alice: Participant) -> None:
    text = '</script><script>alert("x")</script> <b>Deployed</b> & ✓'
    make_sticky(board, alice, text=text)
    copy_of = imported(board.owner, exported(board))
    assert Sticky.objects.get(workshop=copy_of).text == text
    client = Client()
    client.force_login(board.owner)
    page = client.get(reverse("board", args=[copy_of.slug])).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;b&gt;Deployed&lt;/b&gt;" in page


def test_the_history_shows_how_the_import_built_the_board(board: Workshop) -> None:
    copy_of = imported(board.owner, exported(full_board(board, stickies=60)))
    done = set(Operation.objects.filter(workshop=copy_of).values_list("action", flat=True))
    assert {"add", "merge", "move", "timing", "action_add", "followup", "board"} <= done
    adds = Operation.objects.filter(workshop=copy_of, action="add")
    said = [int(summary.split()[1]) for summary in adds.values_list("summary", flat=True)]
    assert sum(said) == Sticky.objects.filter(workshop=copy_of).count()
    made_by = set(
        Sticky.objects.filter(workshop=copy_of).values_list("created_by__name", flat=True)
    )
    assert {"Alice", "Bob", "Chidi", "Dana"} <= made_by  # each sticky is still its author's


def test_shown_votes_come_back_as_totals_without_voters_and_clear_like_any_vote(
    board: Workshop, alice: Participant, bob: Participant
) -> None:
    event = make_sticky(board, alice, text="Deployed")
    pain = make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=Place(False, event.pk))
    for voter in (alice, bob):
        services.vote_add(workshop=board, by=voter, op=None, sticky_id=pain.pk)
    me = services.facilitator_participant(workshop=board, user=board.owner)
    services.board_update(workshop=board, by=me, op=None, votes_hidden=False)
    document = exported(board)

    result = workshop_import(owner=board.owner, raw=file_of(document))

    copy_of = result.workshop
    assert not copy_of.votes.exists()  # no ballot is invented
    assert Sticky.objects.get(workshop=copy_of, kind=Kind.PAIN).carried_votes == 2
    assert any("2 votes" in note and "without who gave them" in note for note in result.notes)
    assert comparable(exported(copy_of)) == comparable(document)
    assert map_of(copy_of).hot_spots[0].votes == 2
    fran = Participant.objects.get(workshop=copy_of, user=board.owner)
    assert services.votes_clear(workshop=copy_of, by=fran, op=None) == 2
    assert map_of(Workshop.objects.get(pk=copy_of.pk)).hot_spots[0].votes == 0


def test_hidden_votes_stay_behind(board: Workshop, alice: Participant) -> None:
    event = make_sticky(board, alice, text="Deployed")
    pain = make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=Place(False, event.pk))
    services.vote_add(workshop=board, by=alice, op=None, sticky_id=pain.pk)

    copy_of = imported(board.owner, exported(board))

    assert Sticky.objects.get(workshop=copy_of, kind=Kind.PAIN).carried_votes == 0


def test_an_ended_workshop_comes_back_ended(board: Workshop, alice: Participant) -> None:
    make_sticky(board, alice, text="Built")
    services.workshop_end(
        workshop=board, by=services.facilitator_participant(workshop=board, user=board.owner)
    )
    copy_of = imported(board.owner, exported(board))
    assert copy_of.ended_at is not None and copy_of.stickies.count() == 1


# ----- bad files: refused, saying what and where, and nothing made -----


def test_the_small_map_is_valid(facilitator: User) -> None:
    made = workshop_import(owner=facilitator, raw=file_of(small_map()))
    workshop = made.workshop
    assert set(made.ids) == {"a", "a1", "b", "b1", "c", "c1", "d", "p", "n", "m"}
    assert Sticky.objects.get(pk=made.ids["c1"]).text == "Ops"
    document = exported(workshop)
    assert [s["text"] for s in document["steps"]] == ["Built", "Reviewed", "Deployed", "Released"]
    assert document["parked"]["notes"][0]["event"] == document["parked"]["events"][0]["id"]
    assert document["merged"][0]["merged_into"] == document["steps"][2]["id"]


BAD_FILES = [
    ("not json", b'{"format": "p2pboard-map",', "The file is not JSON: Expecting"),
    ("not utf-8", b"\xff\xfe\x00{", "not text in UTF-8"),
    ("a list", b"[]", "should be an object {…}, not a list"),
    ("another format", broken(set_in("format", "trello")),
     'format: "trello" is not a p2pboard map'),
    ("version 1", broken(set_in("version", 1)), "version: 1 is not a version this p2pboard reads"),
    ("no steps", broken(removed("steps")), "“steps” is missing"),
    ("no title", broken(set_in("workshop", {})), "workshop: “title” is missing"),
    ("sticky without text", broken(removed("steps.1.pain_points.0.text")),
     "steps[1].pain_points[0]: “text” is missing"),
    ("unknown field", broken(set_in("steps.0.colour", "red")), "steps[0]: unknown field “colour”"),
    ("wrong type", broken(set_in("steps.0.parallel", "yes")),
     "steps[0].parallel: should be true or false, not text"),
    ("steps not a list", broken(set_in("steps", {"a": 1})), "steps: should be a list"),
    ("text over the limit", broken(set_in("steps.1.pain_points.0.text", LONG)),
     "steps[1].pain_points[0].text: 612 characters, the limit is 280"),
    ("empty text", broken(set_in("steps.0.text", "  ")), "steps[0].text: is empty"),
    ("title over the limit", broken(set_in("workshop.title", "t" * 121)),
     "workshop.title: 121 characters, the limit is 120"),
    ("a note in the wrong lane", broken(set_in("steps.0.checks.0.kind", "pain")),
     "steps[0].checks[0].kind: “pain” does not belong here"),
    ("a note under an event that is not there", broken(set_in("parked.notes.0.event", "zzz")),
     "parked.notes[0].event: “zzz” is not the id of any sticky in this file"),
    ("a note under a note", broken(set_in("parked.notes.0.event", "c1")),
     "parked.notes[0].event: “c1” is steps[2].people[0], a person, not a parked event"),
    ("merged into nothing", broken(set_in("merged.0.merged_into", "nope")),
     "merged[0].merged_into: “nope” is not the id of any sticky"),
    ("a circle of merges", broken(set_in("merged", [
        {"id": "m", "kind": "event", "text": "X", "merged_into": "m2"},
        {"id": "m2", "kind": "event", "text": "Y", "merged_into": "m"}])),
     "merged[0].merged_into: merges go round in a circle: “m” → “m2” → “m”"),
    ("merged across kinds", broken(set_in("merged.0.merged_into", "c1")),
     "merged[0].merged_into: “c1” is a person: only stickies of one kind merge"),
    ("duplicate ids", broken(set_in("steps.1.id", "a")),
     "steps[1].id: “a” is also the id of steps[0]"),
    ("a timing of steps apart", broken(set_in("timings.0.events", ["a", "c"])),
     "timings[0].events: a group is 2 or 3 steps next to each other"),
    ("a timing of a parked event", broken(set_in("timings.0.events", ["p"])),
     "timings[0].events: “p” is not a step on the timeline"),
    ("a size not on the scale", broken(set_in("timings.0.size", "XXL")),
     'timings[0].size: "XXL" is none of XS, S, M, L, XL'),
    ("an action from nowhere", broken(set_in("actions.0.source", "gone")),
     "actions[0].source: “gone” is not a sticky on the board"),
    ("a bad due date", broken(set_in("actions.0.due", "2027-02-30")),
     "actions[0].due: should be a date like 2027-01-31"),
    ("a role the board has not", broken(set_in("participants.0.role", "observer")),
     'participants[0].role: "observer" is none of facilitator, participant'),
    ("a follow-up without offset", broken(set_in("follow_up", {"at": "2027-01-14T10:00"})),
     "follow_up.at: should be a date and time with its offset"),
    ("votes on an event", broken(set_in("steps.0.votes", 3)), "steps[0].votes: votes go to pain"),
    ("nested too deep", b"[" * 100_000, "nested too deeply"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "problem"), [c[1:] for c in BAD_FILES], ids=[c[0] for c in BAD_FILES]
)
def test_a_bad_file_is_refused_saying_what_and_where_and_nothing_is_made(
    facilitator: User, raw: bytes, problem: str
) -> None:
    before = (Workshop.objects.count(), Participant.objects.count(), Operation.objects.count())
    with pytest.raises(ImportRefused) as refused:
        workshop_import(owner=facilitator, raw=raw)
    assert any(problem in said for said in refused.value.problems), refused.value.problems
    after = (Workshop.objects.count(), Participant.objects.count(), Operation.objects.count())
    assert after == before


def test_every_problem_is_said_at_once(facilitator: User) -> None:
    document = small_map()
    document["steps"][0]["text"] = ""
    document["steps"][3]["parallel"] = 1
    document["actions"][0]["status"] = "later"
    with pytest.raises(ImportRefused) as refused:
        workshop_import(owner=facilitator, raw=file_of(document))
    assert [p.split(":")[0] for p in refused.value.problems] == [
        "steps[0].text", "steps[3].parallel", "actions[0].status",
    ]  # fmt: skip


def test_a_refusal_half_way_undoes_everything(
    facilitator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**_: Any) -> None:
        raise services.Gone("That action went away.")

    monkeypatch.setattr(imports, "action_add", refuse)
    before = (Workshop.objects.count(), Sticky.objects.count(), Operation.objects.count())
    with pytest.raises(ImportRefused, match=r"actions\[0\]: That action went away"):
        workshop_import(owner=facilitator, raw=file_of(small_map()))
    assert (Workshop.objects.count(), Sticky.objects.count(), Operation.objects.count()) == before


def test_a_50_mb_file_is_refused_before_it_is_read() -> None:
    class Endless(io.RawIOBase):
        read_bytes = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            buffer[:] = b" " * len(buffer)
            self.read_bytes += len(buffer)
            return len(buffer)

    started = time.perf_counter()
    with pytest.raises(ImportRefused, match=r"50\.0 MB; a map to import is 8 MB at most"):
        read_upload(io.BytesIO(), 50 * 1024 * 1024)
    source = Endless()
    with pytest.raises(ImportRefused, match="8 MB at most"):
        read_upload(cast(IO[bytes], source))  # size unknown: read one byte past the limit at most
    assert source.read_bytes <= MOST_BYTES + 1
    assert time.perf_counter() - started < 1


# ----- the command line -----


def test_the_command_imports_a_file_and_prints_the_links(tmp_path: Path, facilitator: User) -> None:
    path = tmp_path / "map.json"
    path.write_bytes(file_of(small_map()))
    out = io.StringIO()
    call_command(
        "import_workshop", str(path), owner="fran", url="https://board.example", stdout=out
    )
    workshop = Workshop.objects.get(title="Payments")
    assert workshop.owner == facilitator
    printed = out.getvalue()
    assert f"https://board.example/w/{workshop.slug}/" in printed
    assert f"https://board.example/j/{workshop.participant_token}/" in printed


def test_the_command_says_what_is_wrong_and_makes_nothing(
    tmp_path: Path, facilitator: User
) -> None:
    path = tmp_path / "map.json"
    path.write_bytes(broken(set_in("steps.1.pain_points.0.text", LONG)))
    with pytest.raises(CommandError, match="612 characters, the limit is 280"):
        call_command("import_workshop", str(path), owner="fran")
    with pytest.raises(CommandError, match="No account is called 'nobody'"):
        call_command("import_workshop", str(path), owner="nobody")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_workshop", str(tmp_path / "missing.json"), owner="fran")
    assert not Workshop.objects.exists()


def test_two_imports_of_one_file_make_two_workshops(facilitator: User) -> None:
    document = small_map()
    first, second = imported(facilitator, document), imported(facilitator, copy.deepcopy(document))
    assert first.pk != second.pk
    assert comparable(exported(first)) == comparable(exported(second))


def test_spaces_in_the_title_and_nameless_pain_after_the_setting_was_turned_off_come_back(
    facilitator: User,
) -> None:
    board = services.workshop_create(owner=facilitator, title="Our  release   path")
    me = services.facilitator_participant(workshop=board, user=facilitator)
    event = make_sticky(board, me, text="Deployed")
    services.board_update(workshop=board, by=me, op=None, anonymous_pain=True)
    services.sticky_add(
        workshop=board, by=me, op=None, kind=Kind.PAIN, text="Scary", anonymous=True,
        place=Place(False, event.pk),
    )  # fmt: skip
    services.board_update(workshop=board, by=me, op=None, anonymous_pain=False)
    document = exported(board)
    copy_of = imported(facilitator, document)
    assert copy_of.title == "Our  release   path" and not copy_of.anonymous_pain
    assert comparable(exported(copy_of)) == comparable(document)
    assert Sticky.objects.get(workshop=copy_of, kind=Kind.PAIN).anonymous


def test_no_file_breaks_the_import_whatever_is_where(facilitator: User) -> None:
    """Any value in any place of a valid file: imported, or refused in words; never a crash."""
    rng = random.Random(15)
    values: list[Any] = [
        None, True, 0, -1, 2**70, 1.5, float("nan"), "", "x" * 300, "a", "c1", "p", [], [1],
        {}, {"text": "t"}, {"low": 1, "high": 0, "unit": "days"}, ["a", "b"],
    ]  # fmt: skip

    def places(value: Any, path: str = "") -> list[str]:
        found = [path] if path else []
        if isinstance(value, dict | list):
            children = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in children:
                found += places(child, f"{path}.{key}" if path else str(key))
        return found

    for _ in range(400):
        document = small_map()
        path = rng.choice(places(document))
        set_in(path, rng.choice(values))(document)
        try:
            parse(file_of(document))
        except DocumentError as refused:
            assert refused.problems and all(isinstance(p, str) for p in refused.problems)
            continue
        try:
            workshop_import(owner=facilitator, raw=file_of(document))
        except ImportRefused as refused:  # what only a service could tell: said, and where
            assert refused.problems and ": " in refused.problems[0]
