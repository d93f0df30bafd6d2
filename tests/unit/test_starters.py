"""Starting templates: the files are valid, and applying one fills an empty board in one change."""

import json
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from workshops import protocol, services
from workshops.access import remember_participant
from workshops.kinds import KINDS, Kind
from workshops.limits import LIMITS
from workshops.models import Operation, Participant, Sticky, Workshop
from workshops.selectors import board_of
from workshops.starters import BLANK, FOLDER, STARTERS, StarterError, load, load_all

STARTER_FILES = sorted(FOLDER.glob("*.json"))


def add_event(board: Workshop, text: str = "Code reviewed") -> Sticky:
    me = services.facilitator_participant(workshop=board, user=board.owner)
    return services.sticky_add(
        workshop=board, by=me, op=None, kind=Kind.EVENT, text=text, place=protocol.Place(False)
    )


def owner(board: Workshop) -> Participant:
    """The owner's place on the board, from which they apply starters."""
    return services.facilitator_participant(workshop=board, user=board.owner)


def timeline(board: Workshop) -> list[str]:
    return [column.event.text for column in board_of(board).columns]


# ----- the files -----


def test_there_are_the_five_starters_with_the_blank_board_first() -> None:
    assert next(iter(STARTERS)) == BLANK
    assert set(STARTERS) == {
        "blank",
        "enterprise",
        "deployment-pipeline",
        "stages-of-confidence",
        "idealised-modern-flow",
    }
    assert not STARTERS[BLANK].events


@pytest.mark.parametrize("path", STARTER_FILES, ids=lambda path: path.stem)
def test_every_starter_file_loads_and_is_valid(path: Path) -> None:
    starter = load(path)
    assert starter.key == path.stem and starter.name and starter.description
    for event in starter.events:
        assert 0 < len(event.text) < 60, event.text
        for note in event.notes:
            assert note.kind in KINDS and note.kind != Kind.EVENT
            assert 0 < len(note.text) <= LIMITS.sticky_text


def test_the_stages_of_confidence_ask_a_question_under_every_stage() -> None:
    for event in STARTERS["stages-of-confidence"].events:
        kinds = [note.kind for note in event.notes]
        assert kinds.count(Kind.QUESTION) == 1, event.text
        assert Kind.CHECK in kinds, event.text


def test_the_enterprise_path_has_its_eight_stages_as_past_tense_events() -> None:
    texts = [event.text for event in STARTERS["enterprise"].events]
    assert len(texts) == 8
    assert texts[:2] == ["Idea proposed", "Approval granted"]


def write(folder: Path, name: str, content: object) -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return path


def with_event(**event: object) -> dict[str, object]:
    """A starter file (a map file of steps alone) whose one step has these fields."""
    return {
        "format": "p2pboard-map",
        "version": 2,
        "workshop": {"title": "X", "goal": "Y"},
        "steps": [{"text": "A"} | event],
    }


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (with_event(ideas=[{"text": "B"}]), "steps[0]: unknown field “ideas”"),
        (with_event(checks=[{"kind": "pain", "text": "B"}]), "“pain” does not belong here"),
        (with_event(text="A" * (LIMITS.sticky_text + 1)), "281 characters, the limit is 280"),
        (with_event(text="  "), "steps[0].text: is empty"),
        (with_event(colour="red"), "unknown field “colour”"),
        (with_event(parallel="yes"), "true or false"),
        (with_event(id="a", people=[{"text": "B"}]) | {"participants": [{"name": "Ann"}]},
         "a starter has steps alone, not participants"),
        ({"format": "p2pboard-map", "version": 2, "workshop": {"title": "X"}, "steps": []},
         "workshop.goal names the starter"),
        ({"name": "X", "events": []}, "“format”, “version”, “workshop”, “steps” are missing"),
        ([], "should be an object {…}, not a list"),
    ],
)  # fmt: skip
def test_a_broken_starter_file_is_refused_saying_why(
    tmp_path: Path, content: object, complaint: str
) -> None:
    with pytest.raises(StarterError, match=re.escape(complaint)):
        load(write(tmp_path, "broken", content))


def test_a_folder_of_starters_needs_the_blank_one(tmp_path: Path) -> None:
    write(tmp_path, "only", with_event() | {"steps": []})
    with pytest.raises(StarterError, match=r"blank\.json"):
        load_all(tmp_path)


# ----- applying one -----


def test_applying_a_starter_puts_its_events_on_the_timeline_in_order(board: Workshop) -> None:
    services.workshop_apply_starter(workshop=board, by=owner(board), starter="enterprise")
    assert timeline(board) == [event.text for event in STARTERS["enterprise"].events]
    events = Sticky.objects.filter(workshop=board, kind=Kind.EVENT)
    assert all(not event.parked and event.event_id is None for event in events)


def test_the_notes_go_in_their_lanes_under_their_event(board: Workshop) -> None:
    starter = STARTERS["stages-of-confidence"]
    services.workshop_apply_starter(workshop=board, by=owner(board), starter=starter.key)
    columns = board_of(board).columns
    for column, planned in zip(columns, starter.events, strict=True):
        lanes = {info.kind.value: notes for info, notes in column.lanes}
        for kind in (Kind.QUESTION, Kind.CHECK):
            expected = [note.text for note in planned.notes if note.kind == kind]
            assert [sticky.text for sticky in lanes[kind]] == expected
    assert not board_of(board).parked_notes


def test_events_marked_parallel_stay_parallel(board: Workshop) -> None:
    services.workshop_apply_starter(workshop=board, by=owner(board), starter="deployment-pipeline")
    parallel = {e.text for e in STARTERS["deployment-pipeline"].events if e.parallel}
    assert parallel
    assert set(board.stickies.filter(parallel=True).values_list("text", flat=True)) == parallel


def test_applying_a_starter_is_one_change_in_the_history(board: Workshop) -> None:
    before = board.seq
    seq = services.workshop_apply_starter(workshop=board, by=owner(board), starter="enterprise")
    board.refresh_from_db()
    assert seq == board.seq == before + 1
    operation = Operation.objects.get(workshop=board)
    me = services.facilitator_participant(workshop=board, user=board.owner)
    assert operation.seq == seq
    assert operation.action == "starter"
    assert operation.participant == me
    assert operation.summary == "applied the starter “Enterprise path”"
    ids = {str(pk) for pk in Sticky.objects.filter(workshop=board).values_list("pk", flat=True)}
    assert set(operation.entities) == {f"sticky:{pk}" for pk in ids} and len(ids) == 8
    assert set(Sticky.objects.filter(workshop=board).values_list("created_by", flat=True)) == {
        me.pk
    }


def test_everyone_gets_the_new_board_once_it_is_committed(
    board: Workshop, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks
) -> None:
    sent: list[tuple[int, dict]] = []
    monkeypatch.setattr(protocol, "publish", lambda *message: sent.append(message))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        seq = services.workshop_apply_starter(workshop=board, by=owner(board), starter="enterprise")
    assert sent == []
    for callback in callbacks:
        callback()
    [(workshop_id, message)] = sent
    assert workshop_id == board.pk
    assert message["type"] == "patch" and message["seq"] == seq
    texts = [state["text"] for state in message["entities"]]
    assert "Approval granted" in texts and len(texts) == 8


def test_the_blank_starter_changes_nothing(board: Workshop) -> None:
    seq = services.workshop_apply_starter(workshop=board, by=owner(board), starter=BLANK)
    board.refresh_from_db()
    assert seq == board.seq == 0
    assert not board.stickies.exists() and not board.operations.exists()


def test_a_starter_is_refused_on_a_board_with_stickies(board: Workshop) -> None:
    add_event(board)
    board.refresh_from_db()
    with pytest.raises(ValidationError, match="Starters go on an empty board"):
        services.workshop_apply_starter(workshop=board, by=owner(board), starter="enterprise")
    assert timeline(board) == ["Code reviewed"]
    assert Workshop.objects.get(pk=board.pk).seq == board.seq == 1


def test_a_board_whose_stickies_were_all_deleted_counts_as_empty(board: Workshop) -> None:
    sticky = add_event(board)
    me = services.facilitator_participant(workshop=board, user=board.owner)
    services.sticky_delete(workshop=board, by=me, op=None, sticky_id=sticky.pk)
    services.workshop_apply_starter(workshop=board, by=owner(board), starter="enterprise")
    assert len(timeline(board)) == 8


def test_an_unknown_starter_is_refused(board: Workshop) -> None:
    with pytest.raises(ValidationError, match="no starting template"):
        services.workshop_apply_starter(workshop=board, by=owner(board), starter="waterfall")
    assert not board.stickies.exists()


def test_an_ended_workshop_takes_no_starter(board: Workshop) -> None:
    services.workshop_end(workshop=board, by=owner(board))
    with pytest.raises(PermissionDenied, match="has ended"):
        services.workshop_apply_starter(workshop=board, by=owner(board), starter="enterprise")
    assert not board.stickies.exists()


@pytest.mark.parametrize("who", ["participant", "other account"])
def test_only_a_facilitator_applies_a_starter(
    board: Workshop, other_board: Workshop, alice: Participant, who
) -> None:
    by = alice if who == "participant" else owner(other_board)
    with pytest.raises(PermissionDenied):
        services.workshop_apply_starter(workshop=board, by=by, starter="enterprise")
    assert not board.stickies.exists() and not board.operations.exists()


def test_a_co_facilitator_can_apply_a_starter(board: Workshop) -> None:
    helper = make_user("helen")
    services.co_facilitator_add(workshop=board, by=board.owner, username_or_email="helen")
    me = services.facilitator_participant(workshop=board, user=helper)
    services.workshop_apply_starter(workshop=board, by=me, starter="idealised-modern-flow")
    assert board.operations.get().participant.user == helper  # type: ignore[union-attr]


# ----- over HTTP -----


def test_the_new_workshop_form_offers_every_starter(client: Client, facilitator: User) -> None:
    client.force_login(facilitator)
    page = client.get(reverse("workshop_new")).content.decode()
    for starter in STARTERS.values():
        assert f'value="{starter.key}"' in page
        assert starter.name in page
    assert re.search(r'value="blank"[^>]*checked', page)


def test_a_new_workshop_can_start_from_a_template(client: Client, facilitator: User) -> None:
    client.force_login(facilitator)
    response = client.post(
        reverse("workshop_new"), {"title": "Payments", "starter": "deployment-pipeline"}
    )
    workshop = Workshop.objects.get(title="Payments")
    assert response["Location"] == reverse("board", args=[workshop.slug])
    assert timeline(workshop) == [e.text for e in STARTERS["deployment-pipeline"].events]
    page = client.get(response["Location"]).content.decode()
    assert "Commit stage passed" in page
    assert "starts from the template “Deployment pipeline”" in page


def test_a_new_workshop_without_a_starter_is_blank(client: Client, facilitator: User) -> None:
    client.force_login(facilitator)
    client.post(reverse("workshop_new"), {"title": "Payments"})
    workshop = Workshop.objects.get(title="Payments")
    assert not workshop.stickies.exists() and workshop.seq == 0


def test_an_unknown_starter_in_the_new_workshop_form_is_an_error(
    client: Client, facilitator: User
) -> None:
    client.force_login(facilitator)
    response = client.post(reverse("workshop_new"), {"title": "Payments", "starter": "nope"})
    assert response.status_code == 200
    assert b"Select a valid choice" in response.content
    assert not Workshop.objects.filter(title="Payments").exists()


def test_the_manage_page_offers_templates_only_while_the_board_is_empty(
    client: Client, board: Workshop
) -> None:
    client.force_login(board.owner)
    page = client.get(reverse("manage", args=[board.slug])).content.decode()
    assert "Start from a template" in page
    assert 'value="enterprise"' in page and 'value="blank"' not in page
    add_event(board)
    page = client.get(reverse("manage", args=[board.slug])).content.decode()
    assert "Start from a template" not in page


def test_a_facilitator_applies_a_starter_from_the_manage_page(
    client: Client, board: Workshop
) -> None:
    client.force_login(board.owner)
    response = client.post(
        reverse("workshop_starter", args=[board.slug]), {"starter": "enterprise"}
    )
    assert response["Location"] == reverse("board", args=[board.slug])
    page = client.get(response["Location"]).content.decode()
    assert "Idea proposed" in page
    assert "now starts from the template “Enterprise path”" in page


@pytest.mark.parametrize("choice", ["", "blank", "waterfall"])
def test_a_bad_choice_on_the_manage_page_changes_nothing(
    client: Client, board: Workshop, choice: str
) -> None:
    client.force_login(board.owner)
    response = client.post(reverse("workshop_starter", args=[board.slug]), {"starter": choice})
    assert response["Location"] == reverse("manage", args=[board.slug])
    page = client.get(response["Location"]).content.decode()
    assert "Choose one of the templates" in page
    assert not board.stickies.exists() and not board.operations.exists()


def test_a_starter_on_a_busy_board_is_refused_with_a_message(
    client: Client, board: Workshop
) -> None:
    add_event(board)
    client.force_login(board.owner)
    response = client.post(
        reverse("workshop_starter", args=[board.slug]), {"starter": "enterprise"}
    )
    assert response["Location"] == reverse("manage", args=[board.slug])
    page = client.get(response["Location"]).content.decode()
    assert "Starters go on an empty board" in page
    assert timeline(board) == ["Code reviewed"]


@pytest.mark.parametrize("who", ["participant", "observer", "other account"])
def test_only_facilitators_post_a_starter(
    client: Client, board: Workshop, alice: Participant, who: str
) -> None:
    if who == "participant":
        session = client.session
        remember_participant(session, alice)
        session.save()
    elif who == "observer":
        client.get(reverse("observe", args=[board.observer_token]))
    else:
        client.force_login(make_user())
    response = client.post(
        reverse("workshop_starter", args=[board.slug]), {"starter": "enterprise"}
    )
    assert response.status_code == 403
    assert not board.stickies.exists()
