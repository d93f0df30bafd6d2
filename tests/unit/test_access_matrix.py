"""The access matrix of docs/security.md, held to the code.

Every page and download answers each kind of visitor as the pages' table says, on an open and on
an ended workshop, each visitor having become one as people do (logged in, by the join link, by
the observer link, removed by the facilitator). Every command of the registry and every page of
the app has its rows there, and every row names one; every test the page names exists. The
commands' table is held to the code over real sockets in tests/socket/test_access_matrix.py.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, resolve, reverse

from p2pboard.urls import urlpatterns
from tests.factories import make_sticky, make_user, make_workshop
from workshops import services
from workshops.commands import COMMANDS
from workshops.models import Participant, Sticky, Workshop

ROOT = Path(__file__).resolve().parents[2]
SECURITY = ROOT / "docs" / "security.md"
COMMANDS_TABLE = "## The matrix: socket commands"
PAGES_TABLE = "## The matrix: pages and downloads"
ROLES = (
    "facilitator",
    "co-facilitator",
    "participant",
    "removed participant",
    "observer",
    "participant of another workshop",
    "anonymous",
)
COMMAND_STATES = ("open", "locked", "ended")  # locked: only facilitators change the board
STATES = ("open", "ended")  # of the pages
COMMAND_ANSWERS = {"allowed", "not_allowed", "invalid", "ignored", "4403"}
PAGE_ANSWERS = {"200", "302", "302 login", "400", "403", "404", "405"}


# ----- the tables -----


@dataclass(frozen=True)
class Row:
    """A row of a table: what it is about (a command, or a request), the workshop's state, and
    what each kind of visitor gets."""

    what: str
    state: str
    answers: dict[str, str]

    def __str__(self) -> str:
        return f"{self.what} ({self.state})"


def table(heading: str) -> tuple[list[str], list[Row]]:
    """The header and rows of the first table under `heading` in docs/security.md."""
    lines = SECURITY.read_text().splitlines()
    assert heading in lines, f"docs/security.md has no section {heading!r}"
    header: list[str] = []
    rows: list[Row] = []
    for line in lines[lines.index(heading) + 1 :]:
        if line.startswith("#") or (header and not line.startswith("|")):
            break
        if not line.startswith("|") or set(line) <= set("|-: "):
            continue
        cells = [cell.strip().strip("`").strip() for cell in line.strip().strip("|").split("|")]
        if not header:
            header = cells
        else:
            rows.append(Row(cells[0], cells[1], dict(zip(header[2:], cells[2:], strict=True))))
    return header, rows


def command_rows() -> list[Row]:
    return table(COMMANDS_TABLE)[1]


def page_rows() -> list[Row]:
    return table(PAGES_TABLE)[1]


def request_of(row: Row) -> tuple[str, str, dict[str, str]]:
    """A row's request as method, path and form fields, placeholders still in them."""
    method, path, *fields = row.what.split()
    return method, path, dict(each.split("=", 1) for each in fields)


PLACEHOLDER = re.compile(r"<[a-z-]+>")


def app_routes() -> set[str]:
    """The routes of p2pboard/urls.py that belong to the app (Django's admin does not)."""
    routes = set()
    for pattern in urlpatterns:
        assert isinstance(pattern, URLPattern | URLResolver)
        route = str(pattern.pattern)
        if not route.startswith("admin/"):
            routes.add(route)
    return routes


def route_of(row: Row) -> str:
    """The route a row's request reaches (any value of the right shape will do for its
    placeholders: an id, or a sticky's UUID)."""
    _, path, _ = request_of(row)
    shaped = PLACEHOLDER.sub(
        lambda found: str(UUID(int=1)) if "sticky" in found.group() else "1", path
    )
    return str(resolve(shaped).route)


def test_the_tables_have_a_column_for_each_kind_of_visitor() -> None:
    for heading, first in ((COMMANDS_TABLE, "command"), (PAGES_TABLE, "request")):
        assert table(heading)[0] == [first, "state", *ROLES]


def test_every_command_of_the_registry_has_a_row_for_each_state_and_every_row_a_command() -> None:
    rows = [(row.what, row.state) for row in command_rows()]
    assert len(rows) == len(set(rows)), "a command and state has two rows"
    wanted = {(name, state) for name in COMMANDS for state in COMMAND_STATES}
    assert not wanted - set(rows), f"commands without a row: {sorted(wanted - set(rows))}"
    assert not set(rows) - wanted, f"rows of no command: {sorted(set(rows) - wanted)}"


def test_every_page_of_the_app_has_a_row_and_every_row_is_a_page_of_the_app() -> None:
    rows = page_rows()
    assert len({(row.what, row.state) for row in rows}) == len(rows), "a request has two rows"
    reached = set()
    for row in rows:
        method, path, _ = request_of(row)
        assert method in {"GET", "POST"}, row
        assert row.state in {*STATES, "-"}, row
        assert path.startswith("/") and not path.startswith("/admin/"), row
        reached.add(route_of(row))  # a row of no page of the app fails here, with Resolver404
    missing = app_routes() - reached
    assert not missing, f"pages without a row in docs/security.md: {sorted(missing)}"


def test_every_page_about_one_workshop_has_a_row_for_each_state() -> None:
    for row in page_rows():
        if row.state == "-":
            assert "<slug>" not in row.what, f"{row}: a page of a workshop needs its states"
        else:
            twin = {"open": "ended", "ended": "open"}[row.state]
            assert any(other.what == row.what and other.state == twin for other in page_rows())


def test_every_cell_holds_an_answer_the_tests_know() -> None:
    for rows, known in ((command_rows(), COMMAND_ANSWERS), (page_rows(), PAGE_ANSWERS)):
        for row in rows:
            assert set(row.answers.values()) <= known, row


def test_every_test_the_security_page_names_exists() -> None:
    named = re.findall(r"`(tests/[\w/]+\.py)::(test_\w+)`", SECURITY.read_text())
    assert named, "docs/security.md names no test"
    for path, test in named:
        source = ROOT / path
        assert source.exists(), f"docs/security.md names {path}, which does not exist"
        assert re.search(rf"^(async )?def {test}\(", source.read_text(), re.MULTILINE), (
            f"docs/security.md names {path}::{test}, which does not exist"
        )


# ----- the pages, for each kind of visitor -----


@dataclass
class Scene:
    """A workshop with one of each kind of visitor, each in a browser of their own."""

    board: Workshop
    co_facilitator: User
    participant: Participant
    removed: Participant
    deleted: Sticky
    account: User  # an account that is not on the workshop
    old_tokens: tuple[str, str]  # the participant and observer links, before new ones were made
    browsers: dict[str, Client] = field(default_factory=dict)

    def fill(self, text: str) -> str:
        board = self.board
        values = {
            "<slug>": board.slug,
            "<unknown-slug>": "no-such-board",
            "<join-token>": board.participant_token,
            "<old-join-token>": self.old_tokens[0],
            "<observer-token>": board.observer_token,
            "<old-observer-token>": self.old_tokens[1],
            "<personal-token>": self.participant.rejoin_token,
            "<removed-personal-token>": self.removed.rejoin_token,
            "<unknown-token>": "no-such-token",
            "<unknown-picture>": "settings.py",
            "<participant>": str(self.participant.pk),
            "<deleted-sticky>": str(self.deleted.pk),
            "<co-facilitator>": str(self.co_facilitator.pk),
            "<account>": self.account.username,
            "<title>": board.title,
        }
        return PLACEHOLDER.sub(lambda found: values[found.group()], text)


def joined(workshop: Workshop, name: str) -> Client:
    """A browser that followed the workshop's participant link and gave a name."""
    browser = Client()
    link = reverse("join", args=[workshop.participant_token])
    assert browser.post(link, {"name": name}).status_code == 302
    return browser


def scene(state: str) -> Scene:
    owner = make_user()
    board = make_workshop(owner=owner, title="Our release path")
    old_tokens = (board.participant_token, board.observer_token)
    for link in ("participant", "observer"):
        board = services.link_regenerate(workshop=board, by=owner, link=link)
    facilitator = services.facilitator_participant(workshop=board, user=owner)
    make_sticky(board, facilitator, text="Code reviewed")
    deleted = make_sticky(board, facilitator, text="Deployed")
    services.sticky_delete(workshop=board, by=facilitator, op=None, sticky_id=deleted.pk)
    co_facilitator = make_user()
    services.co_facilitator_add(workshop=board, by=owner, username_or_email=co_facilitator.username)
    browsers = {role: Client() for role in ("facilitator", "co-facilitator", "anonymous")}
    browsers["facilitator"].force_login(owner)
    browsers["co-facilitator"].force_login(co_facilitator)
    browsers["participant"] = joined(board, "Pat")
    browsers["removed participant"] = joined(board, "Rex")
    browsers["observer"] = Client()
    browsers["observer"].get(reverse("observe", args=[board.observer_token]))
    browsers["participant of another workshop"] = joined(make_workshop(), "Otto")
    pat, rex = (board.participants.get(name=name) for name in ("Pat", "Rex"))
    services.participant_remove(workshop=board, by=owner, participant_id=rex.pk)
    # (the follow-up's invitation is there once the meeting has a time: 404 until then)
    at = "2027-01-14T10:00:00+01:00"
    services.followup_set(workshop=board, by=facilitator, op=None, at=at)
    if state == "ended":
        services.workshop_end(workshop=board, by=facilitator)
    account = make_user()
    return Scene(board, co_facilitator, pat, rex, deleted, account, old_tokens, browsers)


def answered(expected: str, response: HttpResponse) -> bool:
    location = response.headers.get("Location", "")
    to_login = location.startswith(reverse("login"))
    if expected == "302 login":
        return response.status_code == 302 and to_login
    if expected == "302":
        return response.status_code == 302 and not to_login
    return response.status_code == int(expected)


def ask(scene: Scene, role: str, row: Row) -> HttpResponse:
    method, path, fields = request_of(row)
    browser = scene.browsers[role]
    url = scene.fill(path)
    if method == "GET":
        return browser.get(url)  # type: ignore[return-value]
    return browser.post(url, {key: scene.fill(value) for key, value in fields.items()})  # type: ignore[return-value]


# Cells where the code answers otherwise than the table says: reported, and waiting for a fix to
# the code (the table says the rule). Their rows are expected to fail with these cells and no
# other; once the code is fixed, the row passes and the strict expectation fails: remove the cell.
DISAGREEMENTS: dict[tuple[str, str, str], str] = {}


class Disagreement(AssertionError):
    """A row disagrees with the table in the cells written down in DISAGREEMENTS, and no other."""


def rows_to_check() -> list[object]:
    checked: list[object] = []
    for row in page_rows():
        known = {
            why
            for (what, state, _), why in DISAGREEMENTS.items()
            if (what, state) == (row.what, row.state)
        }
        mark = pytest.mark.xfail(raises=Disagreement, strict=True, reason="; ".join(sorted(known)))
        checked.append(pytest.param(row, id=str(row), marks=[mark] if known else []))
    return checked


@pytest.mark.parametrize("row", rows_to_check())
def test_each_role_gets_from_each_page_what_the_table_says(row: Row, db: None) -> None:
    """A request that may change something (a POST) is asked in a world of its own by each
    visitor expected to get through, so that one visitor's request cannot decide another's
    answer; the visitors expected to be refused share one."""
    method, _, _ = request_of(row)
    state = row.state if row.state in STATES else "open"
    shared = scene(state)
    wrong = {}
    for role in ROLES:
        refused = row.answers[role] in {"403", "404", "405"}
        here = shared if method == "GET" or refused else scene(state)
        response = ask(here, role, row)
        if not answered(row.answers[role], response):
            wrong[role] = f"{response.status_code} {response.headers.get('Location', '')}".strip()
    said = f"{row}: the table says {row.answers}, the code answers {wrong}"
    assert all((row.what, row.state, role) in DISAGREEMENTS for role in wrong), said
    if wrong:
        raise Disagreement(said)
