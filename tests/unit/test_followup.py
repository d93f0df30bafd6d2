"""The follow-up meeting: when (with its offset from UTC), how long, what the output is for, and
its calendar invitation for everyone on the board, still there once the workshop has ended."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from tests.factories import make_participant
from tests.unit.board_helpers import nothing_changes
from tests.unit.test_access_http import as_participant
from workshops import entities, services
from workshops.models import Participant, Workshop

AT = "2027-01-14T10:00:00+01:00"
START = datetime(2027, 1, 14, 9, 0, tzinfo=UTC)


@pytest.fixture
def fran(board: Workshop) -> Participant:
    return services.facilitator_participant(workshop=board, user=board.owner)


def followup(board: Workshop, by: Participant, **fields: Any) -> Workshop:
    return services.followup_set(workshop=board, by=by, op=None, **fields)


def shown(board: Workshop) -> dict[str, Any] | None:
    return entities.board_state(Workshop.objects.get(pk=board.pk)).state["followup"]


def invitation(client: Client, board: Workshop) -> Any:
    return client.get(reverse("followup_ics", args=[board.slug]))


def test_the_facilitator_sets_the_follow_up_and_everyone_sees_it(
    board: Workshop, fran: Participant
) -> None:
    assert shown(board) is None
    followup(
        board, fran, at=AT, minutes=90, purposes=["risks", "improve", "risks"],
        notes="  Bring the map.\nAnd the numbers. ",
    )  # fmt: skip
    assert shown(board) == {
        "at": "2027-01-14T09:00:00+00:00", "minutes": 90, "purposes": ["improve", "risks"],
        "notes": "Bring the map.\nAnd the numbers.",
    }  # fmt: skip
    fresh = Workshop.objects.get(pk=board.pk)
    assert fresh.followup_at == START and fresh.version == 2
    last = board.operations.order_by("seq").last()
    assert last is not None and last.summary == "set the follow-up for 2027-01-14 10:00"
    followup(board, fran, notes="Bring the map.\nAnd the numbers.")
    last = board.operations.order_by("seq").last()
    assert last is not None and last.summary == "changed the follow-up"
    followup(board, fran, at="")
    assert shown(board) == {
        "at": None, "minutes": 90, "purposes": ["improve", "risks"],
        "notes": "Bring the map.\nAnd the numbers.",
    }  # fmt: skip
    last = board.operations.order_by("seq").last()
    assert last is not None and last.summary == "changed the follow-up"


@pytest.mark.parametrize("detail", [{"minutes": 30}, {"notes": "Book a room"}])
def test_any_detail_set_shows_the_follow_up(
    board: Workshop, fran: Participant, detail: dict[str, Any]
) -> None:
    followup(board, fran, **detail)
    seen = shown(board)
    assert seen is not None and seen["at"] is None
    assert {name: seen[name] for name in detail} == detail


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"at": "2027-01-14T10:00:00"}, "with its offset from UTC, like 2027-01-14T10:00:00+01:00"),
        ({"at": "next Thursday"}, "not “next Thursday”"),
        ({"at": "2027-02-30T10:00:00+01:00"}, "with its offset from UTC"),
        ({"at": "1999-12-31T10:00:00+00:00"}, "in this century"),
        ({"at": "2101-01-01T10:00:00+00:00"}, "in this century"),
        ({"minutes": 14}, "15 minutes to 8 hours"),
        ({"minutes": 481}, "15 minutes to 8 hours"),
        ({"minutes": 0}, "15 minutes to 8 hours"),
        ({"purposes": ["improve", "party"]}, "not “party”"),
        ({"purposes": ["Improve"]}, "The output is for improve, release, risks"),
        ({"notes": "n" * 1001}, "The notes hold 1000 characters at most."),
    ],
)
def test_a_follow_up_that_breaks_a_rule_is_refused(
    board: Workshop, fran: Participant, fields: dict[str, Any], message: str
) -> None:
    with nothing_changes(board), pytest.raises(ValidationError) as refused:
        followup(board, fran, **fields)
    assert message in refused.value.messages[0]
    assert Workshop.objects.get(pk=board.pk).version == 1


def test_a_follow_up_lasts_from_a_quarter_of_an_hour_to_a_working_day(
    board: Workshop, fran: Participant
) -> None:
    for minutes in (15, 480):
        followup(board, fran, minutes=minutes)
        assert Workshop.objects.get(pk=board.pk).followup_minutes == minutes
    followup(board, fran, notes="n" * 1000, purposes=[])
    assert shown(board)["notes"] == "n" * 1000  # type: ignore[index]


def test_only_facilitators_set_the_follow_up_even_after_the_workshop_ended(
    board: Workshop, fran: Participant, alice: Participant
) -> None:
    with nothing_changes(board), pytest.raises(PermissionDenied):
        followup(board, alice, at=AT)
    services.workshop_end(workshop=board, by=fran, op=None)
    followup(board, fran, at=AT, purposes=["release"])
    with nothing_changes(board), pytest.raises(PermissionDenied):
        followup(board, alice, minutes=30)
    assert shown(board)["purposes"] == ["release"]  # type: ignore[index]


def test_the_invitation_is_the_follow_up_in_a_calendar(
    client: Client, board: Workshop, fran: Participant, alice: Participant
) -> None:
    services.board_update(workshop=board, by=fran, op=None, goal="Find the slow steps")
    followup(board, fran, at=AT, minutes=45, purposes=["improve", "release"], notes="Room 4")
    response = invitation(as_participant(client, alice), board)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="our-release-path-follow-up.ics"'
    )
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == START
    assert event.decoded("dtend") == START + timedelta(minutes=45)
    assert event.decoded("dtstart").utcoffset() == timedelta(0)
    assert str(event["summary"]) == "Follow-up: Our release path"
    board_url = f"http://testserver/w/{board.slug}/"
    assert str(event["url"]) == board_url
    description = str(event["description"])
    assert board_url in description and "Goal: Find the slow steps" in description
    assert "improve the path, plan the first release" in description and "Room 4" in description
    assert str(calendar["version"]) == "2.0" and str(event["uid"]).endswith("@p2pboard")

    followup(board, fran, at="2027-01-15T10:00:00+01:00")  # moved: the same event, revised
    [moved] = Calendar.from_ical(invitation(client, board).content).walk("VEVENT")
    assert moved.decoded("dtstart") == START + timedelta(days=1)
    assert str(moved["uid"]) == str(event["uid"])
    assert moved.decoded("sequence") > event.decoded("sequence")


def test_the_invitation_is_at_the_moment_set_whatever_its_offset(
    client: Client, board: Workshop, fran: Participant
) -> None:
    followup(board, fran, at="2027-07-01T16:30:00-04:00")
    client.force_login(board.owner)
    [event] = Calendar.from_ical(invitation(client, board).content).walk("VEVENT")
    new_york = timezone(-timedelta(hours=4))
    assert event.decoded("dtstart") == datetime(2027, 7, 1, 16, 30, tzinfo=new_york)
    assert event.decoded("dtstart") == datetime(2027, 7, 1, 20, 30, tzinfo=UTC)


def test_there_is_no_invitation_before_the_follow_up_has_a_time(
    client: Client, board: Workshop, fran: Participant, alice: Participant
) -> None:
    followup(board, fran, purposes=["risks"])
    response = invitation(as_participant(client, alice), board)
    assert response.status_code == 404
    assert response.content.decode() == "The follow-up has no date and time yet."


def test_the_invitation_is_there_for_everyone_on_the_board_after_it_ended(
    client: Client, board: Workshop, fran: Participant, alice: Participant, other_board: Workshop
) -> None:
    followup(board, fran, at=AT)
    services.workshop_end(workshop=board, by=fran, op=None)
    assert invitation(as_participant(client, alice), board).status_code == 200
    observer = Client()
    observer.get(reverse("observe", args=[board.observer_token]))
    assert invitation(observer, board).status_code == 200
    assert invitation(Client(), board).status_code == 403
    stranger = as_participant(Client(), make_participant(other_board, "Otto"))
    assert invitation(stranger, board).status_code == 403
