"""Creating, listing, ending workshops and managing their links and facilitators."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, make_user, make_workshop
from workshops import services
from workshops.models import Participant, Workshop


def test_a_workshop_gets_the_default_ends_of_the_map(facilitator: User) -> None:
    workshop = services.workshop_create(owner=facilitator, title="  Payments  ")
    assert workshop.title == "Payments"
    assert workshop.first_event == "Somebody had an idea"
    assert workshop.last_event == "A customer used the new feature"
    assert workshop.participant_token != workshop.observer_token
    assert len(workshop.participant_token) >= 32


def test_signing_up_logs_in_and_leads_to_a_new_workshop(client: Client, db: None) -> None:
    response = client.post(
        reverse("signup"),
        {"username": "newbie", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("workshop_new")
    response = client.post(
        reverse("workshop_new"),
        {
            "title": "Mobile app",
            "goal": "",
            "first_event": "",
            "last_event": "App store review passed",
        },
    )
    workshop = Workshop.objects.get(title="Mobile app")
    assert response["Location"] == reverse("board", args=[workshop.slug])
    assert workshop.last_event == "App store review passed"


def test_signing_up_applies_the_password_rules(client: Client, db: None) -> None:
    response = client.post(
        reverse("signup"), {"username": "weak", "password1": "12345678", "password2": "12345678"}
    )
    assert response.status_code == 200
    assert b"This password is too common" in response.content
    assert not User.objects.filter(username="weak").exists()


def test_creating_a_workshop_without_a_title_explains_what_is_missing(
    client: Client, facilitator: User
) -> None:
    client.force_login(facilitator)
    response = client.post(reverse("workshop_new"), {"title": ""})
    assert response.status_code == 200
    assert b"This field is required" in response.content


def test_the_home_page_lists_active_and_ended_workshops(client: Client, facilitator: User) -> None:
    make_workshop(owner=facilitator, title="Still running")
    ended = make_workshop(owner=facilitator, title="Done and dusted")
    services.workshop_end(
        workshop=ended, by=services.facilitator_participant(workshop=ended, user=facilitator)
    )
    make_workshop(title="Not mine")
    client.force_login(facilitator)
    page = client.get(reverse("home")).content.decode()
    assert page.index("Still running") < page.index("Ended") < page.index("Done and dusted")
    assert "Not mine" not in page


def test_the_home_page_lists_workshops_one_co_facilitates(client: Client, board: Workshop) -> None:
    helper = make_user("helper")
    services.co_facilitator_add(workshop=board, by=board.owner, username_or_email="HELPER")
    client.force_login(helper)
    assert board.title in client.get(reverse("home")).content.decode()


def test_regenerating_the_participant_link_stops_the_old_one_at_once(
    client: Client, board: Workshop
) -> None:
    old = board.participant_token
    services.link_regenerate(workshop=board, by=board.owner, link="participant")
    board.refresh_from_db()
    assert board.participant_token != old
    assert client.get(reverse("join", args=[old])).status_code == 404
    assert client.get(reverse("join", args=[board.participant_token])).status_code == 200


def test_only_a_facilitator_regenerates_links(board: Workshop) -> None:
    with pytest.raises(PermissionDenied):
        services.link_regenerate(workshop=board, by=make_user(), link="observer")


def test_a_co_facilitator_is_added_by_email_and_can_manage(client: Client, board: Workshop) -> None:
    helper = make_user("helper", email="helper@example.org")
    services.co_facilitator_add(
        workshop=board, by=board.owner, username_or_email="helper@example.org"
    )
    client.force_login(helper)
    assert client.get(reverse("manage", args=[board.slug])).status_code == 200


def test_adding_an_unknown_account_as_co_facilitator_says_so(board: Workshop) -> None:
    with pytest.raises(ValidationError, match="No account is called 'ghost'"):
        services.co_facilitator_add(workshop=board, by=board.owner, username_or_email="ghost")


def test_the_manage_page_shows_the_links_and_a_qr_code(client: Client, board: Workshop) -> None:
    client.force_login(board.owner)
    page = client.get(reverse("manage", args=[board.slug])).content.decode()
    assert f"/j/{board.participant_token}/" in page
    assert f"/o/{board.observer_token}/" in page
    assert "<svg" in page and "QR code of the link to join" in page


def test_an_ended_workshop_can_be_reopened(client: Client, board: Workshop) -> None:
    client.force_login(board.owner)
    client.post(reverse("workshop_end", args=[board.slug]))
    board.refresh_from_db()
    assert not board.is_active
    client.post(reverse("workshop_end", args=[board.slug]), {"reopen": "1"})
    board.refresh_from_db()
    assert board.is_active


def test_the_demo_command_creates_its_workshop_once(db: None, tmp_path, settings) -> None:
    from django.core.management import call_command

    settings.DATA_DIR = tmp_path
    call_command("demo")
    call_command("demo")
    assert Workshop.objects.filter(owner__username="demo").count() == 1
    assert (tmp_path / "demo_login.txt").read_text().strip()


def test_the_owner_deletes_a_workshop_after_typing_its_title(
    client: Client, board: Workshop, alice: Participant
) -> None:
    client.force_login(board.owner)
    url = reverse("workshop_delete", args=[board.slug])
    assert url in client.get(reverse("manage", args=[board.slug])).content.decode()
    page = client.get(url).content.decode()
    assert reverse("export_pdf", args=[board.slug]) in page  # the map is offered first
    wrong = client.post(url, {"title": "Something else"})
    assert wrong.status_code == 400 and Workshop.objects.filter(pk=board.pk).exists()
    done = client.post(url, {"title": board.title})
    assert done["Location"] == reverse("home")
    assert not Workshop.objects.filter(pk=board.pk).exists()
    assert not Participant.objects.filter(pk=alice.pk).exists()


def test_only_the_owner_may_delete_a_workshop(client: Client, board: Workshop) -> None:
    helper = make_user("helen")
    services.co_facilitator_add(workshop=board, by=board.owner, username_or_email="helen")
    client.force_login(helper)
    response = client.post(reverse("workshop_delete", args=[board.slug]), {"title": board.title})
    assert response.status_code == 403
    assert Workshop.objects.filter(pk=board.pk).exists()


def test_the_facilitators_guide_is_the_apps_help_page(client: Client) -> None:
    page = client.get(reverse("guide")).content.decode()
    assert "<h1>Running a Path to Production mapping with p2pboard</h1>" in page
    assert 'src="/help/img/agenda-brainstorm.png"' in page
    assert client.get(reverse("guide_image", args=["settings.py"])).status_code == 404
    assert client.get("/help/img/..%2F..%2Fmanage.py").status_code == 404
