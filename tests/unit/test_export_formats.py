"""One registry of what the board gives away (workshops/exports/formats.py): each entry is served
at its URL with its content type and file name to whoever may see the board, and linked from the
board and the manage page."""

from datetime import date, datetime, time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_participant
from tests.unit.export_helpers import an_exported_board
from tests.unit.test_access_http import as_participant
from workshops.exports.formats import EXPORTS
from workshops.models import Participant, Workshop


@pytest.mark.parametrize("name", list(EXPORTS))
def test_each_format_is_served_at_its_url_to_whoever_may_see_the_board(
    name: str, client: Client, board: Workshop, alice: Participant, other_board: Workshop
) -> None:
    board = an_exported_board(board, alice).board
    Workshop.objects.filter(pk=board.pk).update(title="Our release path: Q1")
    export = EXPORTS[name]
    url = reverse(export.url, args=[board.slug])
    assert url == f"/w/{board.slug}/{export.path}"

    response = as_participant(client, alice).get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == export.content_type
    assert response["Cache-Control"] == "private, no-store"
    expected = export.file_name.format(
        title="our-release-path-q1", date=date.today().isoformat(), extension=export.extension
    )
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
    assert expected.endswith(f".{export.extension}")
    assert Client().get(url).status_code == 403
    stranger = as_participant(Client(), make_participant(other_board, "Otto"))
    assert stranger.get(url).status_code == 403


def test_the_file_names_are_as_they_were(board: Workshop) -> None:
    at = timezone.make_aware(datetime.combine(date(2027, 1, 14), time(12)))
    assert EXPORTS["pdf"].filename(board, at) == "our-release-path-map-2027-01-14.pdf"
    assert EXPORTS["md"].filename(board, at) == "our-release-path-map-2027-01-14.md"
    assert EXPORTS["csv-azure"].filename(board, at) == "our-release-path-map-2027-01-14-azure.csv"
    assert EXPORTS["ics"].filename(board, at) == "our-release-path-follow-up.ics"


def test_the_invitation_without_a_time_is_404_with_a_message(
    client: Client, board: Workshop, alice: Participant
) -> None:
    response = as_participant(client, alice).get(reverse("followup_ics", args=[board.slug]))
    assert response.status_code == 404
    assert response.content.decode() == "The follow-up has no date and time yet."


def test_the_board_and_the_manage_page_link_to_every_format(
    client: Client, board: Workshop, alice: Participant
) -> None:
    board = an_exported_board(board, alice).board
    client.force_login(board.owner)
    for page in ("board", "manage"):
        html = client.get(reverse(page, args=[board.slug])).content.decode()
        for export in EXPORTS.values():
            assert reverse(export.url, args=[board.slug]) in html, (page, export.name)
