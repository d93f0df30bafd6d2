"""The workshop's actions as CSV for a tracker's import: Jira's CSV importer (one issue a row) or
Azure Boards' (one work item a row). Each row says where the action came from on the map. What
each importer accepts, and why the two files differ, is in docs/export-format.md.

Every cell that a spreadsheet would read as a formula is neutralised (OWASP's advice for CSV
injection: a leading apostrophe), since people open these files in a spreadsheet before they
import them. RFC 4180 quoting and CRLF line ends come from the csv module; the file is UTF-8 with a
byte order mark, without which Excel reads it in the machine's legacy code page."""

import csv
import html
import io
from dataclasses import dataclass

from workshops.exports.map import ActionItem, Map, Step

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Tracker:
    name: str
    columns: tuple[str, ...]


# Jira maps the columns to fields in its import wizard (Summary is the one it requires); its
# default workflow's statuses are these three. Dates are written yyyy-MM-dd: the wizard asks for
# the format.
JIRA = Tracker("Jira", ("Summary", "Issue Type", "Description", "Assignee", "Due date", "Status"))
JIRA_STATUS = {"open": "To Do", "doing": "In Progress", "done": "Done"}

# Azure Boards requires Work Item Type and Title, creates every imported item in its first state,
# and takes no ID, State or Assigned To for new items (an identity it cannot find fails the
# import): the owner, the due date and how far the action got go in the Description (an HTML
# field, so its text is escaped) and the Tags. Task is a type of all four of its processes.
AZURE = Tracker("Azure Boards", ("Work Item Type", "Title", "Description", "Tags"))


def neutralised(cell: str) -> str:
    """The cell as a spreadsheet shows it as text: one that would start a formula gets a
    leading apostrophe."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _steps(workshop_map: Map) -> dict[int, Step]:
    return {step.number: step for step in workshop_map.steps}


def _origin(action: ActionItem, steps: dict[int, Step]) -> str | None:
    """ "From step 3, “Change board approved”: pain point “Waiting a week”." """
    step = steps.get(action.step) if action.step is not None else None
    if step is None:
        return f"From the sticky “{action.source}”." if action.source else None
    said = f"From step {step.number}, “{step.event.text}”"
    if action.source is None or action.source == step.event.text:
        return said + "."
    kind = next(
        (
            lane.kind.short.lower()
            for lane in step.lanes
            for note in lane.notes
            if note.text == action.source
        ),
        "sticky",
    )
    kind = "pain point" if kind == "pain" else kind
    return f"{said}: {kind} “{action.source}”."


def _description(
    action: ActionItem, workshop_map: Map, steps: dict[int, Step], board_url: str
) -> list[str]:
    lines = [line for line in [_origin(action, steps)] if line]
    if action.owner:
        lines.append(f"Owner named on the board: {action.owner}.")
    if action.due:
        lines.append(f"Due {action.due.isoformat()}.")
    lines.append(f"Status on the board: {action.status_label}.")
    title = workshop_map.workshop.title
    lines.append(f"An action of the Path to Production mapping “{title}”: {board_url}")
    return lines


def _jira_row(action: ActionItem, description: list[str]) -> list[str]:
    return [
        action.text,
        "Task",
        "\n".join(description),
        action.owner or "",
        action.due.isoformat() if action.due else "",
        JIRA_STATUS.get(action.status, "To Do"),
    ]


def _azure_row(action: ActionItem, description: list[str]) -> list[str]:
    tags = ["p2pboard"] + ([action.status_label] if action.status != "open" else [])
    return [
        "Task",
        action.text,
        "<br>".join(html.escape(line) for line in description),
        "; ".join(tags),
    ]


def actions_csv(workshop_map: Map, *, tracker: Tracker, board_url: str) -> bytes:
    """The map's actions, one row each in the order they were added, for `tracker` (JIRA or
    AZURE)."""
    steps = _steps(workshop_map)
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(tracker.columns)
    row = _jira_row if tracker is JIRA else _azure_row
    for action in workshop_map.actions:
        description = _description(action, workshop_map, steps, board_url)
        writer.writerow([neutralised(cell) for cell in row(action, description)])
    return out.getvalue().encode()
