"""Every page (an ideal path's comparison too), and the board in every step of the agenda full of
work, as assistive technology and the HTML standard read them: axe-core (the npm package, with
all its default rules) run in real Chromium on each page as people see it, and the W3C Nu HTML
checker (npm's vnu-jar) run once over what the server sent for all of them. No rule is turned off
and no part of a page left out."""

import json
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import ROOT, AppServer, PageErrors
from tests.factories import make_note, make_session, make_sticky, make_user
from workshops import services
from workshops.agenda import Phase
from workshops.kinds import Kind
from workshops.models import Participant, Sticky, Workshop
from workshops.protocol import Place

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
NOT_INSTALLED = "{} is missing: scripts/test installs it (npm ci, from package-lock.json)."

# axe's report, cut to what a reader needs: the rule, how bad, where, and what to fix.
RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map((v) => ({
    rule: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}"""


@dataclass
class Checks:
    """What the checks found (each problem once, with the pages it is on) and the served html
    to give the Nu checker."""

    folder: Path
    problems: dict[str, list[str]] = field(default_factory=dict)  # problem -> where
    files: dict[Path, str] = field(default_factory=dict)  # saved file -> the page it is

    def found(self, problem: str, where: str) -> None:
        self.problems.setdefault(problem, []).append(where)

    def keep(self, name: str, html: str, where: str) -> None:
        path = self.folder / f"{len(self.files):02d}-{name}.html"
        path.write_text(html, encoding="utf-8")
        self.files[path] = where

    def axe(self, page: Page, name: str) -> None:
        violations: list[dict[str, Any]] = page.evaluate(RUN_AXE)
        for violation in violations:
            lines = [f"axe {violation['rule']} [{violation['impact']}] {violation['help']}"]
            for node in violation["nodes"][:5]:
                summary = " ".join((node["summary"] or "").split())[:300]
                lines.append(f"    at {node['target']}: {summary}")
            if len(violation["nodes"]) > 5:
                lines.append(f"    … and {len(violation['nodes']) - 5} more")
            self.found("\n".join(lines), f"{name} ({urlsplit(page.url).path})")

    def visit(self, page: Page, path: str, name: str, *, status: int = 200) -> Page:
        """Open a page, keep what the server sent, and check it as it is shown."""
        response = page.goto(path)
        assert response is not None and response.status == status, (path, response)
        self.keep(name, response.text(), f"{name} ({path})")
        page.wait_for_load_state("load")
        self.axe(page, name)
        return page

    def send(self, page: Page, button: str, name: str) -> None:
        """Submit the page's form by its button; keep and check the page that comes back."""
        with page.expect_navigation() as sent:
            page.get_by_role("button", name=button).click()
        response = sent.value
        assert response is not None
        self.keep(name, response.text(), f"{name} ({urlsplit(page.url).path}, sent)")
        self.axe(page, name)

    def nu(self) -> None:
        """The Nu HTML checker, once over every page kept: its errors (not warnings)."""
        checked = subprocess.run(
            ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always"]
            + [str(path) for path in self.files],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        for message in json.loads(checked.stderr)["messages"]:
            if message["type"] != "error" and message.get("subType") != "fatal":
                continue
            page = self.files.get(Path(urlsplit(message.get("url", "")).path), "?")
            extract = " ".join(message.get("extract", "").split())[:120]
            self.found(
                f"Nu HTML checker: {message['message']}",
                f"{page} line {message.get('lastLine')}: {extract}",
            )

    def report(self) -> str:
        said = []
        for problem, places in self.problems.items():
            more = f" and {len(places) - 4} more" if len(places) > 4 else ""
            said.append(f"{problem}\n    on " + "\n    on ".join(places[:4]) + more)
        return f"{len(said)} kinds of problem:\n" + "\n".join(said)


def context_of(browser: Browser, base_url: str, **who: Any) -> BrowserContext:
    """A browser for one person (`user` logged in, a guest on a board as `participant`, or
    nobody), with axe-core in every page it opens: added as the page starts, by the browser, so
    the page's Content-Security-Policy stays as enforced as it is for everyone."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=base_url)
    context.add_init_script(path=AXE)
    if who:
        context.add_cookies([{"name": "sessionid", "value": make_session(**who), "url": base_url}])
    return context


def a_full_board(board: Workshop) -> tuple[Participant, Participant]:
    """Every kind of note in its lane, parked stickies, a merge, a parallel event, a past-tense
    hint, a signed-off check, a sticky of two authors, an anonymous pain point, votes, sizes, an
    estimation round, actions and the follow-up; and one private sticky of Ana's."""
    fran = services.facilitator_participant(workshop=board, user=board.owner)
    ana = services.participant_join(workshop=board, name="Ana Lima")
    bo = services.participant_join(workshop=board, name="Bo Chen")
    services.workshop_apply_starter(workshop=board, by=fran, starter="enterprise")
    events = list(Sticky.objects.filter(workshop=board, kind=Kind.EVENT).order_by("rank"))
    first, second, third = events[:3]
    services.board_update(
        workshop=board, by=fran, op=None, goal="See where a change waits", anonymous_pain=True
    )
    parallel = make_sticky(board, ana, text="Security review done", after=str(second.pk))
    services.sticky_update(workshop=board, by=ana, op=None, sticky_id=parallel.pk, parallel=True)
    make_sticky(board, bo, text="review the code")  # an event not yet in the past tense
    for kind, text, by in [
        (Kind.SYSTEM, "Jira", ana), (Kind.SYSTEM, "GitHub", bo),
        (Kind.PERSON, "Product owner", ana), (Kind.QUESTION, "Who approves a hotfix?", bo),
        (Kind.CHECK, "Change board", fran),
    ]:  # fmt: skip
        make_note(board, by, kind, text, first)
    check = make_note(board, bo, Kind.CHECK, "Release sign-off", second)
    services.sticky_update(workshop=board, by=fran, op=None, sticky_id=check.pk, owner="Dana")
    slow = make_note(board, ana, Kind.PAIN, "Waiting for the approval", second)
    again = make_note(board, bo, Kind.PAIN, "Approval takes a week", second)
    services.stickies_merge(
        workshop=board, by=fran, op=None, sticky_id=slow.pk, stickies=[again.pk]
    )
    flaky = make_note(board, bo, Kind.PAIN, "Flaky tests", third)
    hidden = services.sticky_add(
        workshop=board, by=ana, op=None, kind=Kind.PAIN, text="Nobody owns the pipeline",
        place=Place(parked=False, event=third.pk), anonymous=True,
    )  # fmt: skip
    make_sticky(board, bo, text="Rollback rehearsed", place=Place(parked=True))
    make_sticky(board, ana, kind=Kind.QUESTION, text="Is staging needed?")  # parked
    for voter, pain in [(ana, slow), (bo, slow), (ana, flaky), (bo, hidden)]:
        services.vote_add(workshop=board, by=voter, op=None, sticky_id=pain.pk)
    services.timing_set(workshop=board, by=fran, op=None, events=[first.pk], size="M")
    services.timing_set(
        workshop=board, by=fran, op=None, events=[second.pk, parallel.pk], work="2h", wait="3d"
    )
    services.round_set(workshop=board, by=fran, op=None, action="start", events=[third.pk])
    services.round_pick(workshop=board, by=ana, op=None, size="L")
    services.action_add(
        workshop=board, by=fran, op=None, text="Automate the approval", owner="Dana",
        due="2027-01-15", source=slow.pk,
    )  # fmt: skip
    services.action_add(workshop=board, by=ana, op=None, text="Write a rollback guide")
    services.followup_set(
        workshop=board, by=fran, op=None, at="2027-01-20T10:00:00+01:00", minutes=60,
        purposes=["release"], notes="Bring the numbers",
    )  # fmt: skip
    services.board_update(workshop=board, by=fran, op=None, private_brainstorm=True)
    make_sticky(board, ana, text="Tagged the release")  # private to Ana until the reveal
    return fran, ana


def board_in_every_step(
    checks: Checks, board: Workshop, fran: Participant, people: dict[str, Page]
) -> None:
    path = f"/w/{board.slug}/"
    for phase in Phase:
        services.board_update(workshop=board, by=fran, op=None, phase=phase.value)
        for who, page in people.items():
            name = f"board-{phase.value}-{who}"
            response = page.goto(path)
            assert response is not None and response.ok
            checks.keep(name, response.text(), f"{name} as served")
            expect(page.locator("#live-status")).to_have_text("Live")
            expect(page.locator("#agenda [aria-current=step]")).to_have_attribute(
                "data-phase", phase.value
            )
            checks.axe(page, name)
    for who, page in people.items():  # and as its scripts left it, live patches and all
        checks.keep(f"board-live-{who}", page.content(), f"the board's live page ({who})")


def board_with_its_dialogs_open(checks: Checks, page: Page) -> None:
    page.get_by_role("button", name="Share").click()
    expect(page.locator("#share-dialog")).to_be_visible()
    checks.axe(page, "board, share dialog open")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Edit details").click()
    expect(page.locator("#details-dialog")).to_be_visible()
    checks.axe(page, "board, details dialog open")
    page.keyboard.press("Escape")
    page.locator("#timeline > .column > .sticky").nth(1).click()
    page.locator("#sticky-toolbar [data-action=more]").click()
    expect(page.locator("#toolbar-work")).to_be_visible()
    page.locator(".agenda-tips > summary").click()
    checks.axe(page, "board, the sticky toolbar and tips open")
    page.get_by_role("button", name="Keys").click()
    expect(page.get_by_role("dialog", name="Keys")).to_be_visible()
    checks.axe(page, "board, the keys dialog open")
    page.keyboard.press("Escape")
    page.get_by_role("button", name="List view").click()  # the same board as a document
    page.locator("#outline [data-act=edit]").first.click()
    expect(page.get_by_role("dialog", name="Edit a sticky")).to_be_visible()
    checks.axe(page, "board, the list view and its dialog open")
    page.keyboard.press("Escape")
    checks.keep("board-list-view", page.content(), "the board's list view (facilitator)")


def test_every_page_and_every_step_of_a_full_board_passes_axe_and_the_html_checker(
    browser: Browser,
    app_server: AppServer,
    board: Workshop,
    page_errors: PageErrors,
    tmp_path: Path,
) -> None:
    for tool in (AXE, VNU):
        assert tool.exists(), NOT_INSTALLED.format(tool.relative_to(ROOT))
    page_errors.expect("status of 404")  # the not-found page itself
    page_errors.expect("status of 403")
    page_errors.expect("status of 400")  # a refused deletion, said on its page
    checks = Checks(tmp_path)
    fran, ana = a_full_board(board)
    ideal = services.ideal_start(workshop=board, user=board.owner)  # a copy to redraw, compared
    here = services.facilitator_participant(workshop=ideal, user=board.owner)
    make_sticky(ideal, here, text="Deployed by the pipeline")
    base, slug = app_server.url, board.slug

    nobody = context_of(browser, base).new_page()
    for path, name in [("/", "home"), ("/accounts/login/", "log-in"), ("/help/", "guide"),
                       (f"/j/{board.participant_token}/", "join")]:  # fmt: skip
        checks.visit(nobody, path, name)
    checks.visit(nobody, "/no-such-page/", "not-found", status=404)
    checks.visit(nobody, "/accounts/signup/", "sign-up")
    nobody.get_by_label("Username").fill("fran")
    nobody.get_by_label("Password", exact=True).fill("short")
    nobody.get_by_label("Password confirmation").fill("other")
    checks.send(nobody, "Sign up", "sign-up-refused")  # the form with its errors

    owner = context_of(browser, base, user=board.owner).new_page()
    for path, name in [("/", "workshop-list"), ("/w/new/", "new-workshop"),
                       ("/accounts/password/", "password-change"),
                       ("/accounts/password/done/", "password-changed"),
                       (f"/w/{slug}/manage/", "manage"), (f"/w/{slug}/history/", "history"),
                       (f"/w/{ideal.slug}/compare/", "compare"),
                       (f"/w/{ideal.slug}/manage/", "manage-ideal")]:  # fmt: skip
        checks.visit(owner, path, name)
    checks.visit(owner, f"/w/{slug}/delete/", "delete")
    owner.get_by_label("Type the workshop's title to confirm").fill("Not the title")
    checks.send(owner, "Delete this workshop for good", "delete-refused")
    stranger = context_of(browser, base, user=make_user()).new_page()
    checks.visit(stranger, f"/w/{slug}/manage/", "forbidden", status=403)

    guest = context_of(browser, base, participant=ana).new_page()
    board_in_every_step(checks, board, fran, {"facilitator": owner, "participant": guest})
    board_with_its_dialogs_open(checks, owner)
    guest.locator("summary", has_text="You are").click()
    checks.axe(guest, "board, a participant's own menu open")
    watcher = context_of(browser, base).new_page()
    checks.visit(watcher, f"/o/{board.observer_token}/", "board-observer")

    checks.nu()
    if checks.problems:
        pytest.fail(checks.report(), pytrace=False)
