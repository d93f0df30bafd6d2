"""The map as a PDF: what a reader finds in it, read back as text with pypdf."""

import dataclasses
import re
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from pypdf import PdfReader

from tests.factories import make_note, make_participant, make_sticky
from workshops import services
from workshops.exports import pdf
from workshops.exports.map import Map, map_of
from workshops.exports.pdf import look
from workshops.kinds import Kind
from workshops.models import Participant, Sticky, Workshop
from workshops.protocol import Place

pytestmark = pytest.mark.django_db


def pages_of(workshop_map: Map) -> list[str]:
    """The text of each page, with its line breaks and spacing made single spaces."""
    reader = PdfReader(BytesIO(pdf.map_pdf(workshop_map)))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def text_of(workshop_map: Map) -> str:
    return " ".join(pages_of(workshop_map))


def timeline_of(pages: list[str]) -> str:
    """The timeline pages' text (after the summary and the overview)."""
    return " ".join(page for page in pages if "The path: " in page)


def overview_of(pages: list[str]) -> list[str]:
    return [page for page in pages if "The whole path" in page]


def summary_of(pages: list[str]) -> str:
    """The pages before the overview and the timeline: the workshop, the insight, the actions."""
    return " ".join(page for page in pages if not re.search("The whole path|The path: ", page))


def facilitating(board: Workshop) -> Participant:
    return services.facilitator_participant(workshop=board, user=board.owner)


def timed(board: Workshop, by: Participant, events: list[Sticky], **said: str) -> None:
    services.timing_set(workshop=board, by=by, op=None, events=[e.pk for e in events], **said)


def worked_example(board: Workshop, alice: Participant) -> dict[str, Sticky]:
    """The issue's worked example (S = 0-1 day, M = 1-5, L = 5-20): A (S), B (M), C (L),
    D (M, alongside C), E (S): lead time 6-27 days, C the bottleneck with 74%."""
    steps = {name: make_sticky(board, alice, text=f"Step {name} done") for name in "ABCDE"}
    services.sticky_update(
        workshop=board, by=alice, op=None, sticky_id=steps["D"].pk, parallel=True
    )
    for name, size in zip("ABCDE", "SMLMS", strict=True):
        timed(board, alice, [steps[name]], size=size)
    return steps


def test_the_first_page_says_what_was_mapped_and_what_it_shows(
    board: Workshop, alice: Participant, mapped: dict[str, Sticky], settings: Any
) -> None:
    settings.TIME_ZONE = "Europe/Paris"
    board.goal = "See where a change waits"
    board.save()
    exported = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
    first_page = pages_of(dataclasses.replace(map_of(board), exported_at=exported))[0]
    assert "Our release path" in first_page
    assert "See where a change waits" in first_page
    assert board.first_event in first_page
    assert board.last_event in first_page
    assert "Frame the map" in first_page
    assert "26 Nov 2026, 10:30" in first_page  # local time
    assert "Alice, Bob" in first_page
    assert "4 Events" in first_page
    assert "4 Pain points" in first_page
    assert "What the map shows" in first_page
    summary = summary_of(pages_of(map_of(board)))
    assert "2 Code reviewed 2 0 67%" in summary  # step, event, pain, questions, share
    assert "Dev team (steps 1, 2)" in summary
    assert "GitHub (step 2)" in summary


def test_without_timings_it_says_plainly_that_there_is_no_lead_time(
    board: Workshop, mapped: dict[str, Sticky]
) -> None:
    summary = summary_of(pages_of(map_of(board)))
    assert "Lead time Not worked out no step has a timing" in summary
    assert "No step has a size or an estimate yet, so there is no lead time." in summary
    assert "Not worked out: no step has a size or an estimate yet." in summary  # bottlenecks


def test_the_summary_gives_the_lead_time_range_and_the_bottlenecks_with_their_share(
    board: Workshop, alice: Participant
) -> None:
    worked_example(board, alice)
    summary = summary_of(pages_of(map_of(board)))
    assert "Lead time 6-27 days" in summary
    assert "Steps timed 5 of 5" in summary
    assert "top of the range (27 days)" in summary
    # rank, step, event, the time given, what it adds, its share of the top of the range
    assert "1 3 Step C done L 5-20 days 74%" in summary
    assert "2 2 Step B done M 1-5 days 19%" in summary
    assert "3 1 Step A done S 0-1 day 4%" in summary
    assert "Step D done" not in summary.split("Bottlenecks")[1].split("Pain hot spots")[0]


def test_working_and_waiting_time_and_flow_efficiency_are_given_when_said(
    board: Workshop, alice: Participant
) -> None:
    build, review = (make_sticky(board, alice, text=t) for t in ("Built", "Reviewed"))
    timed(board, alice, [build], work="1 day", wait="3 days")
    timed(board, alice, [review], work="1 day", wait="1 day")
    summary = summary_of(pages_of(map_of(board)))
    assert "Lead time 6 days" in summary
    assert "Working time 2 days" in summary
    assert "Waiting time 4 days" in summary
    assert "Flow efficiency 33%" in summary


def test_what_is_missing_is_said(board: Workshop, alice: Participant) -> None:
    first, _second = (make_sticky(board, alice, text=t) for t in ("Built", "Reviewed"))
    timed(board, alice, [first], size="M")
    summary = summary_of(pages_of(map_of(board)))
    assert "What is missing" in summary
    assert "1 step has no timing yet (2); the range assumes nothing for them." in summary
    assert "The votes are hidden until the facilitator shows them" in summary
    assert "Steps timed 1 of 2" in summary


def test_hand_offs_and_manual_gates_are_listed(board: Workshop, mapped: dict[str, Sticky]) -> None:
    summary = summary_of(pages_of(map_of(board)))
    assert "Hand-offs: 1, where the people change" in summary
    assert "step 2 → 3 (dev TEAM → Ops)" in summary
    assert "Manual gates: 1 check a change must pass step 2: Two approvals" in summary


def test_hot_spots_are_weighted_by_votes_once_they_are_shown(
    board: Workshop, alice: Participant, mapped: dict[str, Sticky]
) -> None:
    staging = Sticky.objects.get(text="Staging is shared")
    for voter in (alice, make_participant(board, "Cy"), make_participant(board, "Di")):
        services.vote_add(workshop=board, by=voter, op=None, sticky_id=staging.pk)
    hidden = summary_of(pages_of(map_of(board)))
    assert "pain points only, the votes are hidden" in hidden
    assert "2 Code reviewed 2 0 67%" in hidden
    services.board_update(workshop=board, by=facilitating(board), op=None, votes_hidden=False)
    board.refresh_from_db()
    pages = pages_of(map_of(board))
    shown = summary_of(pages)
    assert "weighted by the votes on them" in shown
    assert "3 Deployed to staging 1 1 3 67%" in shown  # pain, questions, votes, share
    assert "Pain · 3 votes Staging is shared" in timeline_of(pages)


def test_the_timeline_shows_the_steps_in_order_between_the_first_and_last_event(
    board: Workshop, mapped: dict[str, Sticky]
) -> None:
    timeline = timeline_of(pages_of(map_of(board)))
    order = [
        "First event of the map",
        "Step 1 · Event Story picked up",
        "Step 2 · Event Code reviewed",
        "Step 3 · Event Runs alongside step 2 Hand-off from step 2 Deployed to staging",
        "Last event of the map",
    ]
    places = [timeline.find(text) for text in order]
    assert -1 not in places
    assert places == sorted(places)


def test_each_note_says_its_kind_in_a_word(board: Workshop, mapped: dict[str, Sticky]) -> None:
    timeline = timeline_of(pages_of(map_of(board)))
    assert "Pain Reviewers are busy" in timeline
    assert "Question Who approves?" in timeline
    assert "Check Two approvals" in timeline
    assert "System GitHub" in timeline
    assert "People Dev team" in timeline
    assert "Pain points" in timeline  # the lane's name


def test_hot_spots_are_marked_in_words_not_only_in_red(
    board: Workshop, alice: Participant, mapped: dict[str, Sticky]
) -> None:
    timeline = timeline_of(pages_of(map_of(board)))
    assert timeline.count("Hot spot") == 2
    assert "Hot spot: 67% of the pain Step 2 · Event Code reviewed" in timeline
    assert "Hot spot: 33% of the pain Step 3" in timeline
    assert "Hot spot: 0% of the pain Step 1" not in timeline


def test_a_map_without_pain_has_no_hot_spots(board: Workshop, alice: Participant) -> None:
    make_sticky(board, alice, text="Story picked up")
    text = text_of(map_of(board))
    assert "No pain points were placed on the timeline." in text
    assert "Hot spot:" not in text


def test_parked_events_and_notes_are_listed_at_the_end(board: Workshop, alice: Participant) -> None:
    make_sticky(board, alice, text="Story picked up")
    assert "Parked" not in text_of(map_of(board))
    make_sticky(board, alice, text="Release notes written", place=Place(parked=True))
    make_sticky(board, alice, kind=Kind.PAIN, text="Load tests have no owner")
    last_page = pages_of(map_of(board))[-1]
    assert "Parked Stickies left off the timeline" in last_page
    assert "Event Release notes written" in last_page
    assert "Pain Load tests have no owner" in last_page


def test_every_page_has_the_title_and_its_number_in_the_footer(
    board: Workshop, mapped: dict[str, Sticky]
) -> None:
    pages = pages_of(map_of(board))
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "Our release path" in page
        assert f"Page {number} of {len(pages)}" in page


def test_text_that_looks_like_markup_is_printed_as_it_was_written(
    board: Workshop, alice: Participant
) -> None:
    board.title = "Release <b path"
    board.goal = "Fast & safe <i>releases</i>"
    board.save()
    make_participant(board, "Bo <br/> & co")
    event = make_sticky(board, alice, text="Built <b")
    make_note(board, alice, Kind.PAIN, "a < b & c > d", event)
    make_note(board, alice, Kind.QUESTION, '<font color="red">&amp; <para>', event)
    make_sticky(board, alice, kind=Kind.CHECK, text="</b> parked & <b>")
    make_note(board, alice, Kind.CHECK, "<b>Signed</b> &amp; sealed", event)
    make_note(board, alice, Kind.PERSON, "<i>QA</i>", event)
    then = make_sticky(board, alice, text="<script>alert(1)</script>")
    make_note(board, alice, Kind.PERSON, "Ops &lt;team&gt;", then)
    timed(board, alice, [event], estimate="2 days")
    fran = facilitating(board)
    services.action_add(
        workshop=board, by=fran, op=None, text="<b>Fix</b> & <unknown>", owner="<i>Ops</i>",
        source=event.pk,
    )  # fmt: skip
    services.followup_set(workshop=board, by=fran, op=None, notes="Bring the <b>map</b> &amp;")
    board.refresh_from_db()
    # (a long word can be broken over two lines in a narrow column: compare without spaces)
    text = "".join(text_of(map_of(board)).split())
    for written in (
        "<script>alert(1)</script>",
        "step 1: <b>Signed</b> &amp; sealed",  # a gate
        "step 1 → 2 (<i>QA</i> → Ops &lt;team&gt;)",  # a hand-off
        "<b>Fix</b> & <unknown> <i>Ops</i>",  # an action and its owner
        "Step 1: Built <b",  # where it came from
        "Notes Bring the <b>map</b> &amp;",
        "Release <b path",
        "Fast & safe <i>releases</i>",
        "Bo <br/> & co",
        "Built <b",
        "a < b & c > d",
        '<font color="red">&amp; <para>',
        "</b> parked & <b>",
    ):
        assert "".join(written.split()) in text


def test_line_breaks_in_a_sticky_are_kept(board: Workshop, alice: Participant) -> None:
    make_sticky(board, alice, text="Merged\nto main")
    reader = PdfReader(BytesIO(pdf.map_pdf(map_of(board))))
    assert "Merged\nto main" in reader.pages[-1].extract_text()  # the timeline's


def test_text_in_other_scripts_survives(board: Workshop, alice: Participant) -> None:
    if look.fonts()[0] != "DejaVuSans":  # Vera, the fallback, has Latin letters only
        pytest.skip("DejaVu Sans is not installed here")
    board.title = "Путь к продакшену"
    board.save()
    make_participant(board, "Дмитрий")
    event = make_sticky(board, alice, text="Сборка завершена")
    make_note(board, alice, Kind.PAIN, "Ελέγχος ασφαλείας αργεί", event)
    text = text_of(map_of(board))
    for written in ("Путь к продакшену", "Дмитрий", "Сборка завершена", "Ελέγχος ασφαλείας αργεί"):
        assert written in text


def test_a_map_without_steps_still_renders(board: Workshop) -> None:
    pages = pages_of(map_of(board))
    assert not overview_of(pages)  # no overview of an empty path
    summary = summary_of(pages)
    assert "No pain points were placed on the timeline." in summary
    assert "There are no steps on the timeline yet." in summary
    assert "No actions were recorded on this board." in summary
    assert "No follow-up meeting was set." in summary
    assert "The path: no events were placed on the timeline" in pages[-1]
    assert board.first_event in pages[-1]
    assert board.last_event in pages[-1]


def test_a_big_map_runs_over_several_pages_and_leaves_no_step_out(
    board: Workshop, alice: Participant
) -> None:
    kinds = [Kind.SYSTEM, Kind.PERSON, Kind.PAIN, Kind.QUESTION, Kind.CHECK]
    for number in range(1, 61):
        event = make_sticky(board, alice, text=f"Event number {number} happened")
        for index in range(4):
            make_note(board, alice, kinds[(number + index) % 5], f"Note {index} of {number}", event)
    workshop_map = map_of(board)
    assert sum(workshop_map.counts.values()) == 300
    pages = pages_of(workshop_map)
    timeline = timeline_of(pages)
    assert len([page for page in pages if "The path: " in page]) >= 8  # eight columns a page
    places = [timeline.find(f"Event number {number} happened") for number in range(1, 61)]
    assert -1 not in places
    assert places == sorted(places)
    assert "Note 3 of 60" in timeline
    assert "The path: steps 1 to 7 of 60 " in timeline
    overview = overview_of(pages)
    assert len(overview) == 1  # 60 steps, smaller, still on one page
    places = [overview[0].find(f"Step {number} Event number {number}") for number in range(1, 61)]
    assert -1 not in places
    assert places == sorted(places)


def test_a_step_with_more_notes_than_a_page_holds_goes_on_over_the_next_page(
    board: Workshop, alice: Participant
) -> None:
    event = make_sticky(board, alice, text="Deployed to staging")
    for number in range(1, 41):
        make_note(board, alice, Kind.PAIN, f"Pain number {number} with a few more words", event)
    make_note(board, alice, Kind.CHECK, "The last check", event)
    pages = pages_of(map_of(board))
    timeline = timeline_of(pages)
    assert len([page for page in pages if "The path: " in page]) >= 2
    assert "The path: step 1 of 1, continued" in timeline
    for number in range(1, 41):
        assert f"Pain number {number} with" in timeline
    assert "Check The last check" in timeline


def test_the_pdf_holds_every_event_in_timeline_order_the_lead_time_and_every_action(
    board: Workshop, alice: Participant
) -> None:
    steps = worked_example(board, alice)
    fran = facilitating(board)
    actions = [
        ("Shorten the change board", "Alice", "2027-01-20", "open", steps["C"]),
        ("Find who owns staging", "Platform team", "2027-02-03", "doing", None),
        ("Write the runbook", None, None, "done", steps["A"]),
        ("Ask security for a slot", "Bob", "2027-03-01", "open", None),
    ]
    for text, owner, due, status, source in actions:
        services.action_add(
            workshop=board, by=fran, op=None, text=text, owner=owner, due=due, status=status,
            source=source.pk if source else None,
        )  # fmt: skip
    pages = pages_of(map_of(board))
    timeline = timeline_of(pages)
    places = [timeline.find(f"Step {name} done") for name in "ABCDE"]
    assert -1 not in places
    assert places == sorted(places)
    summary = summary_of(pages)
    assert "Lead time 6-27 days" in summary
    assert "lead time 6-27 days" in overview_of(pages)[0]
    assert "1 Shorten the change board Alice 20 Jan 2027 Open Step 3: Step C done" in summary
    assert "2 Find who owns staging Platform team 3 Feb 2027 Doing" in summary
    assert "3 Write the runbook nobody yet — Done Step 1: Step A done" in summary
    assert "4 Ask security for a slot Bob 1 Mar 2027 Open" in summary


def test_each_step_on_the_timeline_says_its_time_its_share_and_its_marks_in_words(
    board: Workshop, alice: Participant
) -> None:
    steps = worked_example(board, alice)
    make_note(board, alice, Kind.PAIN, "Waits for the board", steps["C"])
    timeline = timeline_of(pages_of(map_of(board)))
    assert (
        "Bottleneck 1: 74% of the lead time Hot spot: 100% of the pain Step 3 · Event Step C done"
        " Time L Adds 5-20 days, 74% of the lead time"
    ) in re.sub(r"(Step C done).*?(Time L)", r"\1 \2", timeline)
    assert "Step 4 · Event Runs alongside step 3 Step D done" in timeline
    assert "Time M Adds nothing: a longer step runs alongside" in timeline
    assert "Time S Adds 0-1 day, 4% of the lead time" in timeline


def test_a_group_timed_together_says_so_on_each_of_its_steps(
    board: Workshop, alice: Participant
) -> None:
    built, reviewed, merged = (make_sticky(board, alice, text=t) for t in ("Built", "Reviewed",
                                                                          "Merged"))  # fmt: skip
    timed(board, alice, [built], size="S")
    timed(board, alice, [reviewed, merged], estimate="3-8 days")
    pages = pages_of(map_of(board))
    timeline = timeline_of(pages)
    group = "Time 3-8 days Timed with steps 2-3 as a group Adds together 3-8 days, 89% of the lead"
    assert timeline.count(group) == 2
    assert "Lead time 3-9 days" in summary_of(pages)
    assert "steps 2-3: 3-8 days · 89%" in overview_of(pages)[0]


def test_the_overview_shows_the_whole_path_on_one_page_with_its_marks_in_words(
    board: Workshop, alice: Participant
) -> None:
    steps = worked_example(board, alice)
    make_note(board, alice, Kind.PERSON, "Developers", steps["A"])
    make_note(board, alice, Kind.PERSON, "Change board", steps["B"])
    make_note(board, alice, Kind.CHECK, "Sign-off", steps["B"])
    make_note(board, alice, Kind.PAIN, "Slow", steps["E"])
    for number in range(6, 41):
        make_sticky(board, alice, text=f"Step number {number}")
    pages = pages_of(map_of(board))
    overview = overview_of(pages)
    assert len(overview) == 1
    page = overview[0]
    assert "The whole path at a glance: 40 steps · lead time 6-27 days" in page
    assert "Step 1 Step A done S · 4%" in page
    assert "Step 2 Step B done M · 19% BOTTLENECK 2 GATE HAND-OFF" in page
    assert "Step 3 Step C done L · 74% BOTTLENECK 1" in page
    assert "Step 4 Step D done M · adds nothing PARALLEL" in page
    assert "Step 5 Step E done S · 4% BOTTLENECK 3 HOT SPOT" in page
    places = [page.find(f"Step {number} Step number {number} no timing yet")
              for number in range(6, 41)]  # fmt: skip
    assert -1 not in places
    assert places == sorted(places)


def test_the_actions_and_the_follow_up_say_who_when_and_what_for(
    board: Workshop, alice: Participant, settings: Any
) -> None:
    settings.TIME_ZONE = "Europe/Paris"
    event = make_sticky(board, alice, text="Deployed")
    question = make_note(board, alice, Kind.QUESTION, "Who owns staging?", event)
    fran = facilitating(board)
    services.action_add(
        workshop=board, by=fran, op=None, text="Name an owner", owner_participant=alice.pk,
        due="2027-01-10", status="doing", source=question.pk,
    )  # fmt: skip
    services.followup_set(
        workshop=board, by=fran, op=None, at="2027-01-14T10:00:00+01:00", minutes=90,
        purposes=["improve", "risks"], notes="Bring last quarter's releases",
    )  # fmt: skip
    board.refresh_from_db()
    summary = summary_of(pages_of(map_of(board)))
    assert "1 Name an owner Alice 10 Jan 2027 Doing Step 1: Who owns staging?" in summary
    assert "When Thursday 14 January 2027, 10:00 (UTC+01:00)" in summary
    assert "Length 1 hour 30 minutes" in summary
    assert "The map is for improve the path, mitigate the risks" in summary
    assert "Notes Bring last quarter's releases" in summary


def test_the_stickies_have_the_colours_of_the_board() -> None:
    css = (Path(settings.BASE_DIR) / "static/css/app.css").read_text()
    board_colours = dict(re.findall(r"--k-(\w+): (#[0-9a-f]{6})", css))
    assert board_colours == look.COLOURS
