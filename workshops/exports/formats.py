"""Every file the board gives away, in one list: its name (`export_workshop --format`), its label
for people, where it is served (`/w/<slug>/<path>`, URL name `url_name`), its file name and
content type, and the function that makes its bytes. The board's and the manage page's links,
p2pboard/urls.py and the command line all read `EXPORTS`; a new format is one entry here."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.utils import timezone
from django.utils.text import slugify

from workshops.exports import csv, ics, markdown
from workshops.exports.json import map_json_bytes
from workshops.exports.map import Map, map_of
from workshops.exports.pdf import map_pdf
from workshops.models import Workshop


class Unavailable(Exception):
    """The file cannot be made yet (a follow-up without a time); the message says why."""


class Source:
    """What a file is made from: the workshop, the address of its board, and its map (worked
    out once, when a format first asks for it)."""

    def __init__(self, workshop: Workshop, *, board_url: str) -> None:
        self.workshop = workshop
        self.board_url = board_url

    @cached_property
    def map(self) -> Map:
        return map_of(self.workshop)


@dataclass(frozen=True)
class Export:
    name: str  # the command line's --format
    label: str  # for people: what the file is
    short: str  # on a button: "Download <short>"
    says: str  # the button's whole name for screen readers: "Download the map as a PDF"
    path: str  # under /w/<slug>/
    extension: str
    content_type: str
    make: Callable[[Source], bytes]
    about: str  # one sentence for the manage page
    binary: bool = False  # not text: the command line writes it to a file or a binary stdout
    file_name: str = "{title}-map-{date}.{extension}"
    url_name: str = ""  # the URL's name, when not export_<name>
    on_top_bar: bool = False  # a button of its own on the board; the others are under "More"
    of_map: bool = True  # False: of the follow-up, linked where the follow-up is

    @property
    def url(self) -> str:
        """The URL's name, for {% url %} and reverse()."""
        return self.url_name or f"export_{self.name.replace('-', '_')}"

    def filename(self, workshop: Workshop, at: datetime) -> str:
        """The downloaded file's name: the title's slug, and the day (in the server's zone)."""
        return self.file_name.format(
            title=slugify(workshop.title) or "workshop",
            date=timezone.localtime(at).strftime("%Y-%m-%d"),
            extension=self.extension,
        )


def _followup_ics(source: Source) -> bytes:
    try:
        return ics.followup_ics(source.workshop, board_url=source.board_url)
    except ValueError as missing:  # the one refusal it has: no time yet
        raise Unavailable(str(missing)) from missing


EXPORTS: dict[str, Export] = {
    export.name: export
    for export in (
        Export(
            name="pdf",
            label="PDF map",
            short="PDF",
            says="Download the map as a PDF",
            path="map.pdf",
            extension="pdf",
            content_type="application/pdf",
            make=lambda source: map_pdf(source.map),
            about="The map to read and share: every step, what the map says, the actions.",
            binary=True,
            on_top_bar=True,
        ),
        Export(
            name="json",
            label="JSON for tools",
            short="JSON",
            says="Download the map as JSON",
            path="map.json",
            extension="json",
            content_type="application/json",
            make=lambda source: map_json_bytes(source.map),
            about="Everything on the map, for other tools and to import again.",
            on_top_bar=True,
        ),
        Export(
            name="csv",
            label="Actions (CSV for Jira)",
            short="CSV for Jira",
            says="Download the actions as CSV for Jira",
            path="map.csv",
            extension="csv",
            content_type="text/csv; charset=utf-8",
            make=lambda source: csv.actions_csv(
                source.map, tracker=csv.JIRA, board_url=source.board_url
            ),
            about="The actions, for Jira's CSV import.",
        ),
        Export(
            name="csv-azure",
            label="Actions (CSV for Azure Boards)",
            short="CSV for Azure Boards",
            says="Download the actions as CSV for Azure Boards",
            path="map-azure.csv",
            extension="csv",
            content_type="text/csv; charset=utf-8",
            make=lambda source: csv.actions_csv(
                source.map, tracker=csv.AZURE, board_url=source.board_url
            ),
            about="The actions, for Azure Boards' CSV import.",
            file_name="{title}-map-{date}-azure.{extension}",
        ),
        Export(
            name="md",
            label="Markdown summary",
            short="Markdown",
            says="Download a summary of the map in Markdown",
            path="map.md",
            extension="md",
            content_type="text/markdown; charset=utf-8",
            make=lambda source: markdown.map_markdown(source.map, board_url=source.board_url),
            about="A summary to paste into a wiki or an issue, the actions as a task list.",
        ),
        Export(
            name="ics",
            label="Follow-up (calendar)",
            short="the invitation (.ics)",
            says="Download the follow-up's invitation for a calendar",
            path="followup.ics",
            extension="ics",
            content_type="text/calendar; charset=utf-8",
            make=_followup_ics,
            about="The follow-up meeting as a calendar invitation, once it has a time.",
            file_name="{title}-follow-up.{extension}",
            url_name="followup_ics",
            of_map=False,
        ),
    )
}
