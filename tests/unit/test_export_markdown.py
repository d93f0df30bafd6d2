"""The Markdown summary: rendered as CommonMark (with GitHub's tables) renders it, it shows the
path with its timings, what the map says, the actions as a task list and the follow-up, and
whatever people wrote shows as the text they typed."""

import pytest
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from tests.unit.export_helpers import HOSTILE, an_exported_board
from workshops.exports.map import map_of
from workshops.exports.markdown import map_markdown, text
from workshops.models import Participant, Workshop

BOARD_URL = "https://p2p.example/w/our-release-path/"
# As GitHub: raw HTML allowed (GitHub then filters it), tables on.
RENDERER = MarkdownIt("commonmark", {"html": True}).enable("table")


def summary(board: Workshop) -> str:
    return map_markdown(map_of(board), board_url=BOARD_URL).decode()


def row(markdown: str, number: str) -> list[str]:
    """The cells of a step's row in the path's table."""
    [line] = [line for line in markdown.splitlines() if line.startswith(f"| {number} |")]
    return [cell.strip() for cell in line.strip("|").split("|")]


def shown(markdown: str) -> str:
    return RENDERER.render(markdown)


@pytest.mark.parametrize(
    "written",
    [
        HOSTILE,
        "<img src=x onerror=alert(1)>",
        "# not a heading",
        "- not a list",
        "+ not a list",
        "1. not a list",
        "2) not a list",
        "= not an underline",
        "> not a quote",
        "***",
        "a\\b\\",
        "&lt; stays as typed &#60;",
        "![image](http://x/y.png)",
        "<http://x.example>",
        "~~not struck~~",
    ],
)
def test_what_people_write_shows_as_they_wrote_it(written: str) -> None:
    for line in (text(written), f"- [ ] {text(written)}", f"| a |\n|---|\n| {text(written)} |"):
        html = shown(line)
        assert escapeHtml(written) in html, (line, html)
        assert "<script" not in html and "<img" not in html and "<a " not in html, html
        assert "<h1" not in html and "<ol" not in html and "<blockquote" not in html, html


def test_the_summary_has_the_path_the_insight_the_actions_and_the_follow_up(
    board: Workshop, alice: Participant
) -> None:
    board = an_exported_board(board, alice).board

    markdown = summary(board)

    assert markdown.startswith("# Our release path\n")
    assert f"<{BOARD_URL}>" in markdown
    assert "| # | Step | People | Systems | Timing | Pain points | Votes |" in markdown
    assert row(markdown, "2") == ["2", "Code reviewed", "Ops team", "GitHub", "M", "", "0"]
    assert row(markdown, "3") == [
        "3", "Change board approved", "", "", "L", "Waiting a week for the CAB", "1",
    ]  # fmt: skip
    assert "- **Lead time:** 6-26 days" in markdown
    assert "- Step 3, Change board approved: adds 20 days of 26 days (77%)" in markdown
    assert "- Step 1 → step 2: Developer → Ops team" in markdown
    assert "- Step 3: CAB sign\\-off" not in markdown  # only a leading - is escaped
    assert "- Step 3: CAB sign-off" in markdown
    assert "- [ ] Ask the CAB for a standard change — Ops team, due 2027-01-15 (from step 3)" in (
        markdown
    )
    assert "- [ ] \\-2+3 reviewers — @Dev, in progress (from step 2)" in markdown
    assert "- [x] Write the runbook" in markdown
    assert "- Step 3, Change board approved: 1 pain point, 1 vote (100% of the pain)" in markdown
    assert "- **When:** 2027-01-14" in markdown
    assert "- **What the map will be used for:** mitigate the risks" in markdown
    assert "- **Notes:** Bring the \\<b\\>map\\</b\\>" in markdown


def test_rendered_the_summary_holds_every_text_as_text(board: Workshop, alice: Participant) -> None:
    board = an_exported_board(board, alice).board

    html = shown(summary(board))

    assert html.count("<table>") == 1
    assert html.count("<tr>") == 4  # the header and three steps: no | broke a row
    assert escapeHtml(HOSTILE) in html
    assert "<script" not in html and "<b>map" not in html
    assert "<li>[x] Write the runbook</li>" in html


def test_hidden_votes_leave_the_votes_column_out(board: Workshop, alice: Participant) -> None:
    board = an_exported_board(board, alice).board
    Workshop.objects.filter(pk=board.pk).update(votes_hidden=True)

    markdown = summary(Workshop.objects.get(pk=board.pk))

    assert "| # | Step | People | Systems | Timing | Pain points |\n" in markdown
    assert "The votes are hidden until the facilitator shows them." in markdown


def test_an_empty_board_says_what_is_not_there_yet(board: Workshop) -> None:
    markdown = summary(board)

    assert "There are no steps on the timeline yet." in markdown
    assert "- **Lead time:** not known yet" in markdown
    assert "No actions yet." in markdown
    assert "No follow-up is set yet." in markdown
