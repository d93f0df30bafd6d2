"""Reliability and security of the pages: logins are throttled per username and address, pages
carry a strict Content-Security-Policy and a Permissions-Policy, user text cannot turn the text
around it, and the manage page says truly what removing a participant does."""

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.db.models import F
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, make_sticky, make_user
from workshops.models import PARTICIPANT_COLOURS, Participant, Sticky, Workshop

ROOT = Path(__file__).resolve().parents[2]
RLO = "\u202e"  # right-to-left override


# ----- logins -----


def log_in(
    username: str, password: str, address: str = "127.0.0.1", url: str = "/accounts/login/"
) -> tuple[Any, Client]:
    """A login from a fresh browser at `address`: the response, and the browser."""
    client = Client(REMOTE_ADDR=address)
    return client.post(url, {"username": username, "password": password}), client


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fifteen_minutes_pass(minutes: int = 15) -> None:
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=minutes))


def test_ten_failed_logins_pause_that_username_from_that_address_for_fifteen_minutes(
    db: None,
) -> None:
    make_user("fran")
    for _ in range(9):
        response, _ = log_in("fran", "not-the-password")
        assert response.status_code == 200
        assert b"Please enter a correct username and password" in response.content
    response, _ = log_in("fran", "not-the-password")
    assert response.status_code == 429
    assert b"Try again in 15 minutes." in response.content

    # The right password does not help while the pause lasts, and the page says how long is left.
    response, client = log_in("fran", PASSWORD)
    assert response.status_code == 429 and not logged_in(client)
    fifteen_minutes_pass(10)
    response, client = log_in("fran", PASSWORD)
    assert response.status_code == 429 and not logged_in(client)
    assert b"Try again in 5 minutes." in response.content

    fifteen_minutes_pass(5)
    response, client = log_in("fran", PASSWORD)
    assert response.status_code == 302 and logged_in(client)


def test_a_paused_username_is_paused_only_from_that_address(db: None) -> None:
    make_user("fran")
    make_user("otto")
    for _ in range(10):
        log_in("fran", "not-the-password", address="203.0.113.9")
    assert log_in("fran", PASSWORD, address="203.0.113.9")[0].status_code == 429
    # Nobody elsewhere can lock the facilitator out, and others on that network still log in.
    assert logged_in(log_in("fran", PASSWORD, address="198.51.100.7")[1])
    assert logged_in(log_in("otto", PASSWORD, address="203.0.113.9")[1])


def test_a_forwarded_for_header_does_not_change_the_address_that_is_counted(db: None) -> None:
    make_user("fran")
    client = Client(REMOTE_ADDR="203.0.113.9")
    for number in range(10):
        client.post(
            reverse("login"),
            {"username": "fran", "password": "not-the-password"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{number}",
        )
    assert log_in("fran", PASSWORD, address="203.0.113.9")[0].status_code == 429


def test_a_successful_login_forgets_the_failures_before_it(db: None) -> None:
    make_user("fran")
    for _ in range(9):
        log_in("fran", "not-the-password")
    assert logged_in(log_in("fran", PASSWORD)[1])
    for _ in range(9):
        log_in("fran", "not-the-password")
    assert logged_in(log_in("fran", PASSWORD)[1])


def test_the_admin_login_is_paused_too(db: None) -> None:
    make_user("root", is_staff=True, is_superuser=True)
    for _ in range(10):
        log_in("root", "not-the-password", url="/admin/login/")
    response, client = log_in("root", PASSWORD, url="/admin/login/")
    assert response.status_code == 429 and not logged_in(client)
    response, client = log_in("root", PASSWORD)
    assert response.status_code == 429 and not logged_in(client)


# ----- Content-Security-Policy and Permissions-Policy -----


def facilitator_client(board: Workshop) -> Client:
    client = Client()
    client.force_login(board.owner)
    return client


def test_the_board_page_is_under_a_strict_policy_and_its_inline_code_carries_the_nonce(
    board: Workshop, alice: Participant
) -> None:
    make_sticky(board, alice, text="Story picked up")
    response = facilitator_client(board).get(reverse("board", args=[board.slug]))
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    nonce = re.search(r"'nonce-([^']+)'", directives["script-src"])
    assert nonce is not None
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == directives["style-src"] == f"'self' 'nonce-{nonce[1]}'"
    assert directives["connect-src"] == "'self'"
    assert directives["object-src"] == directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe" not in policy
    html = response.content.decode()
    assert f'<script nonce="{nonce[1]}">' in html and f'<style nonce="{nonce[1]}">' in html
    assert " style=" not in html
    assert "person-" in html  # the author's colour, as a class


def test_every_page_denies_the_browser_features_it_does_not_use(client: Client, db: None) -> None:
    for path in ["/", reverse("login"), "/no-such-page/"]:
        response = client.get(path)
        assert "Content-Security-Policy" in response.headers
        features = dict(
            feature.split("=") for feature in response.headers["Permissions-Policy"].split(", ")
        )
        for denied in ["camera", "microphone", "geolocation", "payment", "usb"]:
            assert features[denied] == "()"
        assert features["clipboard-write"] == "(self)"


def test_no_template_has_inline_code_or_style_without_the_nonce() -> None:
    for template in (ROOT / "templates").rglob("*.html"):
        source = template.read_text()
        assert not re.search(r"\sstyle=", source), template
        for tag in re.findall(r"<(?:script|style)\b[^>]*>", source):
            assert "src=" in tag or 'nonce="{{ csp_nonce }}"' in tag, (template, tag)


def test_every_participant_colour_has_its_class() -> None:
    css = (ROOT / "static/css/app.css").read_text()
    classes = dict(re.findall(r"\.person-([0-9a-f]{6}) \{ --person: (#[0-9a-f]{6});[^}]*\}", css))
    assert classes == {colour[1:]: colour for colour in PARTICIPANT_COLOURS}


# ----- text that turns the text around it -----


def test_an_override_in_old_text_stays_inside_it(
    client: Client, board: Workshop, alice: Participant
) -> None:
    sticky = make_sticky(board, alice, text="Story picked up")
    # Stored before the server stripped such characters.
    Workshop.objects.filter(pk=board.pk).update(title=f"Release {RLO}path", goal=f"See {RLO}why")
    Participant.objects.filter(pk=alice.pk).update(name=f"Al{RLO}ice")
    Sticky.objects.filter(pk=sticky.pk).update(
        text=f"Story {RLO}picked up", version=F("version") + 1
    )
    client.force_login(board.owner)
    title = f"Release {RLO}path"

    manage = client.get(reverse("manage", args=[board.slug])).content.decode()
    assert f"<h1><bdi>{title}</bdi>: people and links</h1>" in manage
    assert f'value="Al{RLO}ice" maxlength="40" required dir="auto"' in manage
    history = client.get(reverse("history", args=[board.slug])).content.decode()
    assert f"<h1><bdi>{title}</bdi>: history</h1>" in history
    assert f'<span class="name" dir="auto">Al{RLO}ice</span>' in history
    workshops = client.get(reverse("home")).content.decode()
    assert re.search(rf'<h3 dir="auto"><a [^>]*>{title}</a></h3>', workshops)
    assert f'<p class="muted" dir="auto">See {RLO}why</p>' in workshops

    page = client.get(reverse("board", args=[board.slug])).content.decode()
    assert f'<p class="text" dir="auto">Story {RLO}picked up</p>' in page

    guest = Client().get(reverse("join", args=[board.participant_token])).content.decode()
    assert f'<h1 dir="auto">{title}</h1>' in guest
    assert f'<p class="lead" dir="auto">See {RLO}why</p>' in guest


# ----- removing a participant -----


def test_the_manage_page_says_a_removed_participants_link_still_works_and_offers_a_new_one(
    board: Workshop, alice: Participant
) -> None:
    client = facilitator_client(board)
    client.post(reverse("participant_remove", args=[board.slug, alice.pk]))
    page = client.get(reverse("manage", args=[board.slug])).content.decode()
    assert "no longer lets them in" not in page
    assert "the participant link still lets anyone who has" in page
    regenerate = reverse("link_regenerate", args=[board.slug, "participant"])
    assert page.count(f'hx-post="{regenerate}"') == 2  # in the links and beside the removed

    # What the page says is true: after clearing cookies, the same link lets them in again...
    old_link = reverse("join", args=[board.participant_token])
    comeback = Client().post(old_link, {"name": "Alice again"})
    assert comeback.status_code == 302
    # ...until the facilitator makes a new link, right there.
    assert client.post(regenerate, headers={"HX-Request": "true"}).status_code == 200
    assert Client().post(old_link, {"name": "Alice once more"}).status_code == 404


@pytest.mark.parametrize("url_name", ["manage", "history"])
def test_people_colours_on_the_facilitator_pages_are_classes(
    board: Workshop, alice: Participant, url_name: str
) -> None:
    make_sticky(board, alice)
    html = facilitator_client(board).get(reverse(url_name, args=[board.slug])).content.decode()
    assert f"avatar person-{alice.colour[1:]}" in html
    assert " style=" not in html
