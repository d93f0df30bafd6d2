"""The actions as CSV for Jira's and Azure Boards' importers: parsed back with the csv module,
the columns each importer takes, where each action came from, and cells that a spreadsheet would
run as formulas shown as text."""

import csv
import io

import pytest

from tests.unit.export_helpers import HOSTILE, an_exported_board
from workshops.exports.csv import AZURE, JIRA, actions_csv, neutralised
from workshops.exports.map import map_of
from workshops.models import Participant, Workshop

BOARD_URL = "https://p2p.example/w/our-release-path/"


def rows(board: Workshop, tracker: object) -> list[dict[str, str]]:
    body = actions_csv(map_of(board), tracker=tracker, board_url=BOARD_URL)  # type: ignore[arg-type]
    assert body.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    assert b"\r\n" in body  # RFC 4180 line ends
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("1=1", "1=1"),
        ("Plain", "Plain"),
        ("", ""),
    ],
)
def test_a_cell_that_would_start_a_formula_gets_an_apostrophe(cell: str, shown: str) -> None:
    assert neutralised(cell) == shown


def test_jira_gets_its_columns_and_statuses_and_each_action_says_where_it_came_from(
    board: Workshop, alice: Participant
) -> None:
    board = an_exported_board(board, alice).board

    found = rows(board, JIRA)

    assert list(found[0]) == [
        "Summary",
        "Issue Type",
        "Description",
        "Assignee",
        "Due date",
        "Status",
    ]
    assert [(r["Summary"], r["Assignee"], r["Due date"], r["Status"]) for r in found[:3]] == [
        ("Ask the CAB for a standard change", "Ops team", "2027-01-15", "To Do"),
        ("'-2+3 reviewers", "'@Dev", "", "In Progress"),
        ("Write the runbook", "", "", "Done"),
    ]
    assert {r["Issue Type"] for r in found} == {"Task"}
    description = found[0]["Description"].splitlines()
    assert description[0] == (
        "From step 3, “Change board approved”: pain point “Waiting a week for the CAB”."
    )
    assert "Due 2027-01-15." in description
    assert description[-1] == (
        f"An action of the Path to Production mapping “Our release path”: {BOARD_URL}"
    )
    assert found[1]["Description"].startswith("From step 2, “Code reviewed”.")


def test_azure_gets_new_tasks_with_the_owner_due_date_and_status_in_the_description(
    board: Workshop, alice: Participant
) -> None:
    board = an_exported_board(board, alice).board

    found = rows(board, AZURE)

    assert list(found[0]) == ["Work Item Type", "Title", "Description", "Tags"]
    assert [(r["Work Item Type"], r["Title"], r["Tags"]) for r in found[:3]] == [
        ("Task", "Ask the CAB for a standard change", "p2pboard"),
        ("Task", "'-2+3 reviewers", "p2pboard; Doing"),
        ("Task", "Write the runbook", "p2pboard; Done"),
    ]
    assert found[0]["Description"].split("<br>")[:3] == [
        "From step 3, “Change board approved”: pain point “Waiting a week for the CAB”.",
        "Owner named on the board: Ops team.",
        "Due 2027-01-15.",
    ]


@pytest.mark.parametrize("tracker", [JIRA, AZURE], ids=["jira", "azure"])
def test_hostile_text_stays_text_in_every_cell(
    board: Workshop, alice: Participant, tracker: object
) -> None:
    board = an_exported_board(board, alice).board

    found = rows(board, tracker)

    for row in found:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    hostile = found[3]
    title = hostile["Summary" if tracker is JIRA else "Title"]
    assert title == "'" + HOSTILE  # every character kept, quotes and commas included
    if tracker is AZURE:  # its Description is HTML: the text is escaped there
        assert "&lt;script&gt;" not in hostile["Description"]  # (the script is in the title)
        assert "=cmd|&#x27;/C calc&#x27;!A0" in hostile["Description"]
    else:
        assert hostile["Assignee"] == "'=cmd|'/C calc'!A0"


def test_a_board_without_actions_gives_the_header_alone(board: Workshop) -> None:
    assert rows(board, JIRA) == []
    assert rows(board, AZURE) == []
