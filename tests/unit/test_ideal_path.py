"""An ideal path starts as a copy of the current map and is compared with it, step by step."""

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from tests.factories import make_note, make_sticky, make_user
from tests.unit.board_helpers import TIMELINE
from workshops import services
from workshops.compare import comparison_of
from workshops.exports.map import map_of
from workshops.exports.pdf import map_pdf
from workshops.kinds import Kind
from workshops.models import Operation, Participant, Sticky, Workshop


@pytest.fixture
def fran(board: Workshop) -> Participant:
    return services.facilitator_participant(workshop=board, user=board.owner)


@pytest.fixture
def current(board: Workshop, alice: Participant) -> Workshop:
    """Four steps, sized, with people and a gate."""
    events = [
        make_sticky(board, alice, text=text)
        for text in ("Story picked up", "Code reviewed", "Change board approved", "Deployed")
    ]
    make_note(board, alice, Kind.PERSON, "Developer", events[0])
    make_note(board, alice, Kind.PERSON, "Reviewer", events[1])
    make_note(board, alice, Kind.PERSON, "Change board", events[2])
    make_note(board, alice, Kind.CHECK, "CAB sign-off", events[2])
    make_note(board, alice, Kind.PAIN, "Meets once a week", events[2])
    for event, size in zip(events, ["S", "M", "L", "S"], strict=True):
        services.timing_set(workshop=board, by=alice, op=None, events=[event.pk], size=size)
    return Workshop.objects.get(pk=board.pk)


def events_of(workshop: Workshop) -> dict[str, Sticky]:
    return {
        sticky.text: sticky
        for sticky in Sticky.objects.filter(workshop=workshop, kind=Kind.EVENT, deleted_at=None)
    }


def test_an_ideal_path_starts_as_a_copy_that_remembers_where_each_sticky_came_from(current):
    ideal = services.ideal_start(workshop=current, user=current.owner)

    assert ideal.ideal_of == current
    assert ideal.title == "Ideal path: Our release path"
    assert ideal.owner == current.owner
    copies = Sticky.objects.filter(workshop=ideal, deleted_at=None)
    originals = {s.pk: s for s in Sticky.objects.filter(workshop=current, deleted_at=None)}
    assert copies.count() == len(originals) == 9
    for copy in copies:
        assert copy.origin is not None
        assert originals[copy.origin].text == copy.text
    assert ideal.timings.filter(deleted_at=None).count() == 4
    [added] = Operation.objects.filter(workshop=ideal, action="add")  # its history
    assert added.summary == "added 9 stickies from a map file"
    comparison = comparison_of(current=current, ideal=ideal)
    assert [change.status for change in comparison.changes] == ["kept"] * 4
    assert comparison.before == comparison.after


def test_only_a_facilitator_starts_an_ideal_path(current):
    with pytest.raises(PermissionDenied):
        services.ideal_start(workshop=current, user=make_user("mallory"))
    assert not Workshop.objects.filter(ideal_of=current).exists()


def test_the_comparison_says_what_the_ideal_removes_adds_and_changes(current):
    ideal = services.ideal_start(workshop=current, user=current.owner)
    me = services.facilitator_participant(workshop=ideal, user=ideal.owner)
    steps = events_of(ideal)
    gate = Sticky.objects.get(workshop=ideal, kind=Kind.CHECK)
    services.sticky_delete(
        workshop=ideal, by=me, op=None, sticky_id=steps["Change board approved"].pk
    )
    services.sticky_delete(workshop=ideal, by=me, op=None, sticky_id=gate.pk)
    services.sticky_update(
        workshop=ideal, by=me, op=None, sticky_id=steps["Code reviewed"].pk, text="Pair-reviewed"
    )
    services.timing_set(
        workshop=ideal, by=me, op=None, events=[steps["Code reviewed"].pk], size="S"
    )
    added = make_sticky(ideal, me, text="Canary checked", after=steps["Code reviewed"].pk)
    services.timing_set(workshop=ideal, by=me, op=None, events=[added.pk], size="S")

    comparison = comparison_of(current=current, ideal=Workshop.objects.get(pk=ideal.pk))

    rows = [
        (
            change.status,
            change.before.event.text if change.before else None,
            change.after.event.text if change.after else None,
            change.what,
        )
        for change in comparison.changes
    ]
    assert rows == [
        ("kept", "Story picked up", "Story picked up", []),
        ("changed", "Code reviewed", "Pair-reviewed", ["was “Code reviewed”", "timing M → S"]),
        ("removed", "Change board approved", None, []),
        ("added", None, "Canary checked", []),
        ("kept", "Deployed", "Deployed", []),
    ]
    assert (comparison.before.lead_time, comparison.after.lead_time) == ((6, 27), (0, 4))
    assert (comparison.before.hand_offs, comparison.after.hand_offs) == (2, 1)
    assert (comparison.before.gates, comparison.after.gates) == (1, 0)
    assert [comparison.count(status) for status in ("removed", "added", "changed", "kept")] == [
        1, 1, 1, 2,
    ]  # fmt: skip


def test_a_step_moved_elsewhere_is_said_to_have_moved(current):
    ideal = services.ideal_start(workshop=current, user=current.owner)
    me = services.facilitator_participant(workshop=ideal, user=ideal.owner)
    steps = events_of(ideal)
    services.sticky_move(
        workshop=ideal, by=me, op=None, sticky_id=steps["Deployed"].pk, place=TIMELINE,
        after=steps["Story picked up"].pk,
    )  # fmt: skip

    comparison = comparison_of(current=current, ideal=ideal)

    moved = [change for change in comparison.changes if change.status == "changed"]
    assert [(c.after.event.text, c.what) for c in moved if c.after] == [
        ("Deployed", ["moved: was step 4"])
    ]


def test_the_compare_page_and_the_button(client: Client, current):
    client.force_login(current.owner)

    made = client.post(reverse("ideal_start", args=[current.slug]))
    ideal = Workshop.objects.get(ideal_of=current)
    page = client.get(reverse("compare", args=[ideal.slug]))
    not_ideal = client.get(reverse("compare", args=[current.slug]))
    client.force_login(make_user("mallory"))
    stranger = client.get(reverse("compare", args=[ideal.slug]))

    assert made.status_code == 302 and made["Location"] == reverse("board", args=[ideal.slug])
    assert page.status_code == 200
    html = page.content.decode()
    assert "6-27 days" in html and "Code reviewed" in html
    assert "0 steps removed, 0 added, 0 changed, 4 kept as they were." in " ".join(html.split())
    assert not_ideal.status_code == 404
    assert stranger.status_code == 403


def test_the_ideal_of_an_ended_workshop_is_open_for_redrawing(current, fran):
    services.workshop_end(workshop=current, by=fran)

    ideal = services.ideal_start(workshop=Workshop.objects.get(pk=current.pk), user=current.owner)

    assert ideal.ended_at is None
    assert Workshop.objects.get(pk=current.pk).ended_at is not None


def test_the_ideal_paths_pdf_sets_it_beside_the_current_one(current):
    ideal = services.ideal_start(workshop=current, user=current.owner)
    me = services.facilitator_participant(workshop=ideal, user=ideal.owner)
    doomed = events_of(ideal)["Change board approved"]
    services.sticky_delete(workshop=ideal, by=me, op=None, sticky_id=doomed.pk)

    pdf = PdfReader(BytesIO(map_pdf(map_of(Workshop.objects.get(pk=ideal.pk)))))
    said = " ".join(" ".join(page.extract_text().split()) for page in pdf.pages)

    assert "Current and ideal path" in said
    assert "Steps: 1 removed, 0 added, 0 changed, 3 kept." in said
    assert "Lead time 6-27 days 1-7 days" in said
    assert "Removed" in said
    assert "Current and ideal path" not in pdf_text(current)


def pdf_text(workshop: Workshop) -> str:
    pdf = PdfReader(BytesIO(map_pdf(map_of(workshop))))
    return " ".join(page.extract_text() for page in pdf.pages)
