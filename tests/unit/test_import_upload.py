"""Importing a map from the workshop list: a small form, the CSRF token, a clear refusal on the
same page, and a file too big refused before it is read."""

import io
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.unit.map_files import LONG, broken, file_of, set_in, small_map
from workshops.models import Workshop


def upload(client: Client, content: bytes, name: str = "map.json") -> Any:
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("workshop_import"), {"file": file})


def test_the_workshop_list_offers_the_upload(client: Client, facilitator: User) -> None:
    client.force_login(facilitator)
    page = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("workshop_import")}"' in page
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page


def test_an_upload_becomes_a_workshop_of_the_uploader(client: Client, facilitator: User) -> None:
    client.force_login(facilitator)
    response = upload(client, file_of(small_map()))
    workshop = Workshop.objects.get(title="Payments")
    assert response.status_code == 302
    assert response["Location"] == reverse("board", args=[workshop.slug])
    assert workshop.owner == facilitator
    page = client.get(response["Location"]).content.decode()
    assert "Imported “Payments” as a new workshop" in page


def test_a_bad_upload_is_refused_on_the_list_saying_why(client: Client, facilitator: User) -> None:
    client.force_login(facilitator)
    response = upload(client, broken(set_in("steps.1.pain_points.0.text", LONG)), "ours.json")
    assert response.status_code == 400
    page = response.content.decode()
    assert "steps[1].pain_points[0].text: 612 characters, the limit is 280" in page
    assert "ours.json" in page and 'aria-invalid="true"' in page
    assert not Workshop.objects.exists()


def test_an_upload_too_big_is_refused_before_it_is_read(client: Client, facilitator: User) -> None:
    client.force_login(facilitator)
    response = client.post(
        reverse("workshop_import"), data=b"", content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * 1024 * 1024),
    )  # fmt: skip
    assert response.status_code == 413
    assert "50.0 MB; a map to import is 8 MB at most" in response.content.decode()


def test_an_upload_needs_a_file_an_account_and_the_csrf_token(facilitator: User) -> None:
    client = Client(enforce_csrf_checks=True)
    assert upload(client, file_of(small_map()))["Location"].startswith(reverse("login"))
    client.force_login(facilitator)
    assert upload(client, file_of(small_map())).status_code == 403
    client = Client()
    client.force_login(facilitator)
    response = client.post(reverse("workshop_import"), {})
    assert response.status_code == 400 and "Choose a map file" in response.content.decode()
    assert not Workshop.objects.exists()
