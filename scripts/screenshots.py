"""Screenshots of the board in every step of the agenda, at laptop and phone size, for the
facilitator's guide (docs/facilitating.md) and the README:

    .venv/bin/python scripts/screenshots.py [--out docs/img]

It serves p2pboard on its embedded default, as `make run` does (SQLite in a temporary folder,
live updates fanned out in memory), makes a facilitator (Ana) and a workshop, and runs the
workshop in Chromium through the page as people would: Ana moves the agenda bar from step to
step, sets the timer and runs the silent brainstorm; Priya and Tom join by the participant link,
write their stickies, say they are done. Each step gives `phase-<n>-<key>-laptop.png` (1440x900)
and `phase-<n>-<key>-phone.png` (390x844, a touch screen) of Ana's screen, and
`phase-<n>-<key>-participant-*.png` of Priya's where hers shows something else.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    ViewportSize,
    expect,
    sync_playwright,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a file: the project's packages sit beside scripts/

from p2pboard import serve  # noqa: E402
from tests.browser.chromium import CHROMIUM_ARGS, MISSING, chromium_executable  # noqa: E402

LAPTOP = ViewportSize(width=1440, height=900)
PHONE = ViewportSize(width=390, height=844)
FACILITATOR, PASSWORD = "Ana", "screenshots-only-password"
KEYS = {"event": "1", "system": "2", "person": "3", "pain": "4", "question": "5", "check": "6"}

# The events Priya and Tom write alone, in the order they come to mind (not the path's order),
# with a duplicate each and one written as a task rather than a fact.
BRAINSTORM = [
    ("priya", "Code reviewed"),
    ("tom", "Story written and sized"),
    ("priya", "Idea raised in the product review"),
    ("tom", "Change approved by the CAB"),
    ("priya", "Tested by QA"),
    ("tom", "Deploy to staging"),
    ("priya", "Released to production"),
    ("tom", "Merged to main"),
    ("priya", "Picked up in sprint planning"),
    ("tom", "Pull request reviewed"),
    ("priya", "Security review passed"),
    ("tom", "Feature flag switched on"),
    ("priya", "Deployed to production"),
    ("tom", "Code written on a branch"),
]
PATH = [
    "Idea raised in the product review",
    "Story written and sized",
    "Picked up in sprint planning",
    "Code written on a branch",
    "Code reviewed",
    "Pull request reviewed",
    "Merged to main",
    "Deploy to staging",
    "Tested by QA",
    "Security review passed",
    "Change approved by the CAB",
    "Released to production",
    "Deployed to production",
    "Feature flag switched on",
]
# What each step adds under the events: (who, kind, event, text).
NOTES = {
    "systems": [
        ("priya", "system", "Idea raised in the product review", "Productboard"),
        ("tom", "system", "Story written and sized", "Jira"),
        ("priya", "system", "Code written on a branch", "GitHub"),
        ("tom", "system", "Code reviewed", "GitHub pull requests"),
        ("priya", "system", "Merged to main", "GitHub Actions"),
        ("tom", "system", "Deployed to staging", "Argo CD"),
        ("priya", "system", "Deployed to staging", "Shared staging cluster"),
        ("tom", "system", "Tested by QA", "TestRail"),
        ("priya", "system", "Security review passed", "Snyk"),
        ("tom", "system", "Change approved by the CAB", "ServiceNow"),
        ("priya", "system", "Released to production", "Argo CD"),
        ("tom", "system", "Feature flag switched on", "LaunchDarkly"),
    ],
    "people": [
        ("priya", "person", "Idea raised in the product review", "Product manager"),
        ("tom", "person", "Story written and sized", "Product owner"),
        ("priya", "person", "Picked up in sprint planning", "Delivery team"),
        ("tom", "check", "Code reviewed", "Two approvals"),
        ("priya", "check", "Merged to main", "Unit tests and lint"),
        ("tom", "person", "Tested by QA", "QA team"),
        ("priya", "person", "Security review passed", "Security team"),
        ("tom", "person", "Change approved by the CAB", "Change advisory board"),
        ("priya", "check", "Change approved by the CAB", "Release checklist (42 items)"),
        ("tom", "person", "Released to production", "Platform team"),
    ],
    "pain": [
        ("priya", "pain", "Idea raised in the product review", "Ideas wait for a sponsor"),
        ("tom", "pain", "Code reviewed", "Reviews wait 2 days on average"),
        ("priya", "pain", "Deployed to staging", "Staging broken most Mondays"),
        ("tom", "pain", "Tested by QA", "One QA team for six teams"),
        ("priya", "pain", "Change approved by the CAB", "Meets weekly: a missed slot costs 7 days"),
        ("tom", "pain", "Released to production", "Releases only on Tuesday nights"),
    ],
    "timings": [
        ("priya", "check", "Idea raised in the product review", "L: up to a quarter"),
        ("tom", "check", "Code reviewed", "1-3 days, most of it waiting"),
        ("priya", "check", "Tested by QA", "3-5 days"),
        ("tom", "check", "Change approved by the CAB", "Up to 7 days"),
        ("priya", "check", "Feature flag switched on", "S: minutes"),
    ],
}
# Gaps and questions become actions with an owner, parked (who, text).
ACTIONS = [
    ("tom", "Who owns the staging cluster? (Tom finds out)"),
    ("priya", "Can the CAB pre-approve standard changes? (Ana asks)"),
    ("priya", "Why does security wait for QA? (Priya)"),
    ("tom", "Invite Operations next time (Ana)"),
]


@dataclass
class People:
    """Everyone's screens: Ana on her laptop and her phone, Priya on hers, Tom on his laptop."""

    ana: Page
    ana_phone: Page
    priya: Page
    priya_phone: Page
    tom: Page

    def all(self) -> list[Page]:
        return [self.ana, self.ana_phone, self.priya, self.priya_phone, self.tom]

    def writer(self, who: str) -> Page:
        return self.priya if who == "priya" else self.tom


# ----- the app, on its embedded default -----


def prepare(data: Path) -> tuple[str, str]:
    """Migrate a fresh SQLite database in `data` and make Ana's account and workshop; returns
    the board's path and the participant link's path."""
    os.environ["P2PBOARD_DATA_DIR"] = str(data)
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "P2PBOARD_MODE"):
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "p2pboard.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections
    from django.urls import reverse

    from workshops import services

    call_command("migrate", interactive=False, verbosity=0)
    ana = get_user_model().objects.create_user(username=FACILITATOR, password=PASSWORD)
    workshop = services.workshop_create(
        owner=ana,
        title="Checkout: from idea to customer",
        goal="Find the two slowest steps between an idea and a customer paying with it, "
        "and who can fix them.",
    )
    paths = (
        reverse("board", args=[workshop.slug]),
        reverse("join", args=[workshop.participant_token]),
    )
    connections.close_all()  # the server writes this database from now on
    return paths


@contextmanager
def embedded_server(data: Path) -> Iterator[str]:
    """Daphne serving the app as `make run` does, on a free port; yields its address."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    url, log = f"http://127.0.0.1:{port}", data / "daphne.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            serve.command("daphne", host="127.0.0.1", port=port),
            cwd=ROOT,
            env=dict(os.environ),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        serve.wait_serving(url, process, log, timeout=40)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


# ----- people and their screens -----


class PageErrors(list[str]):
    """Any error a page reports: the pictures should show the board working."""

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.append(f"page error: {error}"))
        page.on("console", self.console)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.append(f"console error: {message.text} ({message.location.get('url')})")


def new_page(browser: Browser, viewport: ViewportSize, errors: PageErrors, **more: object) -> Page:
    phone = viewport["width"] < 600
    context = browser.new_context(
        viewport=viewport,
        is_mobile=phone,
        has_touch=phone,
        device_scale_factor=1,
        **more,  # type: ignore[arg-type]
    )
    page = context.new_page()
    errors.watch(page)
    return page


def live(page: Page) -> Page:
    expect(page.locator("#live-status")).to_have_attribute("data-state", "live")
    return page


def log_in(
    browser: Browser, url: str, board: str, viewport: ViewportSize, errors: PageErrors
) -> Page:
    page = new_page(browser, viewport, errors)
    page.goto(f"{url}/accounts/login/?next={board}")
    page.get_by_label("Username").fill(FACILITATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    return live(page)


def join(browser: Browser, url: str, link: str, name: str, errors: PageErrors) -> Page:
    page = new_page(browser, LAPTOP, errors)
    page.goto(f"{url}{link}")
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join the board").click()
    return live(page)


def same_person_on_a_phone(browser: Browser, laptop: Page, errors: PageErrors) -> Page:
    """The same participant on a second device (as their personal link would make them)."""
    page = new_page(browser, PHONE, errors, storage_state=laptop.context.storage_state())
    page.goto(laptop.url)
    return live(page)


# ----- what people do -----


def sticky(page: Page, text: str, where: str = "") -> Locator:
    exact = page.locator(".text", has_text=re.compile(f"^{re.escape(text)}$"))
    return page.locator(f"{where} .sticky[data-id]".strip()).filter(has=exact)


def event(page: Page, text: str) -> Locator:
    return sticky(page, text, "#timeline > .column >")


def timeline(page: Page) -> list[str]:
    return page.locator("#timeline > .column > .sticky .text").all_text_contents()


def add(page: Page, kind: str, text: str, *, under: str | None = None) -> None:
    """Type a sticky into the add bar: under (or, for an event, after) a selected event, or
    with nothing selected (an event at the end of the timeline, a note in the parking area)."""
    if under:
        event(page, under).click()
    else:
        page.locator("#add-text").press("Escape")
    before = sticky(page, text).count()
    page.keyboard.press(f"Alt+{KEYS[kind]}")
    page.locator("#add-text").fill(text)
    page.locator("#add-text").press("Enter")
    expect(sticky(page, text)).to_have_count(before + 1)


def move_to(page: Page, text: str, index: int) -> None:
    """Move an event along the timeline with Alt+arrows until it is `index`th."""
    while (now := timeline(page).index(text)) != index:
        event(page, text).focus()
        page.keyboard.press("Alt+ArrowLeft" if now > index else "Alt+ArrowRight")
        expect(page.locator("#timeline > .column > .sticky .text").nth(now)).not_to_have_text(text)


def look_at(page: Page, text: str, kind: str) -> None:
    """Scroll the board to an event's notes of a kind, as someone on a small screen does."""
    event(page, text).evaluate(
        """(sticky, kind) => {
          const board = sticky.closest(".map-scroll"), column = sticky.closest(".column");
          board.scrollLeft = column.offsetLeft - (board.clientWidth - column.offsetWidth) / 2;
          const note = column.querySelector(`.lane[data-kind="${kind}"] .sticky`);
          const canvas = document.getElementById("canvas");
          const below = note.getBoundingClientRect().top - canvas.getBoundingClientRect().top;
          canvas.scrollTop += below - canvas.clientHeight / 3;
        }""",
        kind,
    )


def agenda(page: Page) -> Locator:
    return page.get_by_role("toolbar", name="Run the workshop")


def on_step(people: People, number: int, label: str) -> None:
    for page in people.all():
        expect(page.locator(".agenda-steps li[aria-current=step]")).to_contain_text(
            f"{number} {label}"
        )


def start_timer(people: People, minutes: int | None = None) -> None:
    if minutes is not None:
        people.ana.locator("#timer-minutes").fill(str(minutes))
    agenda(people.ana).get_by_role("button", name="Start").click()
    for page in people.all():
        expect(page.locator("#agenda-timer")).to_be_visible()


def done(people: People, who: str, ready: int) -> None:
    people.writer(who).get_by_role("button", name="✓ I'm done with this step").click()
    expect(people.ana.locator("#ready-count")).to_have_text(f"{ready} of 2 ready")


def calm(page: Page, *, deselect: bool = True) -> None:
    """No selection, focus ring, toolbar or hover left over from the last action."""
    if deselect and page.locator("#add-text").count():
        page.locator("#add-text").press("Escape")
    page.evaluate("document.activeElement?.blur()")
    if (page.viewport_size or LAPTOP)["width"] >= 600:
        page.mouse.move(0, 0)
    page.wait_for_timeout(300)


class Camera:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.saved: list[Path] = []

    def shoot(self, page: Page, name: str, *, deselect: bool = True) -> None:
        calm(page, deselect=deselect)
        path = self.out / f"{name}.png"
        page.screenshot(path=path, animations="disabled", caret="hide")
        self.saved.append(path)
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    def both(
        self,
        people: People,
        name: str,
        *,
        deselect: bool = True,
        phone_at: tuple[str, str] | None = None,
    ) -> None:
        """Ana's laptop, and her phone (scrolled to `phone_at`: an event and a kind of note)."""
        self.shoot(people.ana, f"{name}-laptop", deselect=deselect)
        if phone_at:
            look_at(people.ana_phone, *phone_at)
        self.shoot(people.ana_phone, f"{name}-phone", deselect=deselect)

    def participant(self, people: People, name: str, *, deselect: bool = True) -> None:
        self.shoot(people.priya, f"{name}-participant-laptop", deselect=deselect)
        self.shoot(people.priya_phone, f"{name}-participant-phone", deselect=deselect)


def next_step(people: People, number: int, label: str) -> None:
    agenda(people.ana).get_by_role("button", name="Next step →").click()
    on_step(people, number, label)


def add_notes(people: People, notes: list[tuple[str, str, str, str]]) -> None:
    for who, kind, under, text in notes:
        add(people.writer(who), kind, text, under=under)
    last = notes[-1][3]
    for page in people.all():
        expect(sticky(page, last)).to_have_count(sticky(people.writer(notes[-1][0]), last).count())


# ----- the workshop, step by step -----


def run_workshop(people: People, camera: Camera) -> None:
    ana, priya, tom = people.ana, people.priya, people.tom
    controls = agenda(ana)

    # 1. Frame: Ana sets where the path ends; the tips are open for the first step.
    on_step(people, 1, "Frame the map")
    controls.get_by_role("button", name="Edit details").click()
    details = ana.get_by_role("dialog", name="The workshop's details")
    details.get_by_label("Last event of the map").fill("A customer paid with the new checkout")
    details.get_by_role("button", name="Save the details").click()
    for page in people.all():
        expect(page.locator("[data-board=last_event]")).to_have_text(
            "A customer paid with the new checkout"
        )
    start_timer(people)
    done(people, "priya", 1)
    ana.locator(".agenda-tips summary").click()
    camera.both(people, "phase-1-frame")
    ana.locator(".agenda-tips summary").click()

    # 2. Brainstorm, silent: each writes alone, then the reveal.
    next_step(people, 2, "Brainstorm events")
    controls.get_by_role("button", name="Silent brainstorm").click()
    for page in people.all():
        expect(page.locator("[data-board-flag=private_brainstorm]")).to_be_visible()
    start_timer(people)
    for who, text in BRAINSTORM:
        add(people.writer(who), "event", text)
    expect(ana.locator("#private-counts")).to_contain_text("Priya: 7")
    expect(ana.locator("#private-counts")).to_contain_text("Tom: 7")
    done(people, "tom", 1)
    expect(people.priya_phone.locator(".sticky.is-private")).to_have_count(7)
    camera.both(people, "phase-2-brainstorm")
    camera.participant(people, "phase-2-brainstorm")
    controls.get_by_role("button", name="Reveal").click()
    for page in people.all():
        expect(page.locator("#timeline > .column")).to_have_count(len(BRAINSTORM))
    done(people, "priya", 2)
    camera.shoot(ana, "agenda-brainstorm")  # the guide's first picture: just after the reveal

    # 3. Order: Priya and Tom move the events into place; the security review runs beside QA.
    next_step(people, 3, "Put events in order")
    start_timer(people)
    for index, text in enumerate(PATH):
        move_to(priya if index % 2 else tom, text, index)
    for page in people.all():
        expect(page.locator("#timeline > .column > .sticky .text")).to_have_text(PATH)
    event(tom, "Security review passed").click()
    tom.locator("#sticky-toolbar [data-action=parallel]").click()
    expect(event(ana, "Security review passed")).to_have_class(re.compile("is-parallel"))
    done(people, "priya", 1)
    done(people, "tom", 2)
    camera.both(people, "phase-3-order")

    # 4. Clean up: duplicates go, a task becomes a fact, everyone follows Ana.
    next_step(people, 4, "Clean up")
    start_timer(people)
    event(tom, "Pull request reviewed").click()
    tom.keyboard.press("Delete")
    event(priya, "Deployed to production").click()
    priya.keyboard.press("Alt+p")
    expect(sticky(ana, "Deployed to production", "#parking")).to_have_count(1)
    priya.locator("#add-text").press("Escape")
    event(tom, "Deploy to staging").dblclick()
    tom.get_by_role("textbox", name="Text of the sticky").fill("Deployed to staging")
    tom.get_by_role("textbox", name="Text of the sticky").press("Enter")
    for page in people.all():
        expect(event(page, "Deployed to staging")).to_have_count(1)
    event(ana, "Tested by QA").click()
    controls.get_by_role("button", name="Follow me").click()
    for page in (priya, people.priya_phone):
        expect(page.locator("#following")).to_be_visible()
    # Escape would step out of following (and deselect the event Ana leads to).
    camera.both(people, "phase-4-dedupe", deselect=False)
    camera.participant(people, "phase-4-dedupe", deselect=False)
    controls.get_by_role("button", name="Follow me").click()
    for page in (priya, people.priya_phone):
        expect(page.locator("#following")).to_be_hidden()

    # 5. Systems and tools.
    next_step(people, 5, "Systems and tools")
    start_timer(people)
    add_notes(people, NOTES["systems"])
    done(people, "tom", 1)
    camera.both(people, "phase-5-systems", phone_at=("Deployed to staging", "system"))

    # 6. People and teams, with the checks and gates they own.
    next_step(people, 6, "People and teams")
    start_timer(people)
    add_notes(people, NOTES["people"])
    done(people, "priya", 1)
    camera.both(people, "phase-6-people", phone_at=("Change approved by the CAB", "person"))

    # 7. Pain points.
    next_step(people, 7, "Pain points")
    start_timer(people)
    add_notes(people, NOTES["pain"])
    done(people, "priya", 1)
    done(people, "tom", 2)
    camera.both(people, "phase-7-pain", phone_at=("Change approved by the CAB", "pain"))

    # 8. Timings: the timer paused while the group argues about the CAB.
    next_step(people, 8, "Timings")
    start_timer(people)
    add_notes(people, NOTES["timings"])
    controls.get_by_role("button", name="Pause").click()
    for page in people.all():
        expect(page.locator("#agenda-timer")).to_contain_text("(paused)")
    camera.both(people, "phase-8-timings", phone_at=("Code reviewed", "check"))

    # 9. Gaps, questions and actions: questions with owners, in the parking area.
    next_step(people, 9, "Gaps, questions and actions")
    start_timer(people)
    for who, text in ACTIONS:
        add(people.writer(who), "question", text)
    done(people, "tom", 1)
    camera.both(people, "phase-9-actions")

    # 10. Follow-up: Ana goes to the last step from the strip and locks the board to wrap up.
    ana.locator(".agenda-steps").get_by_role("button", name="10 Follow-up and wrap-up").click()
    on_step(people, 10, "Follow-up and wrap-up")
    start_timer(people)
    controls.get_by_role("button", name="Lock board").click()
    expect(tom.locator("#lock-toggle")).to_have_count(0)
    expect(controls.get_by_role("button", name="Lock board")).to_have_attribute(
        "aria-pressed", "true"
    )
    camera.both(people, "phase-10-follow_up")


def optimise(paths: list[Path]) -> None:
    """Fewer colours, same look: a board is flat colour and text (needs Pillow; else as is)."""
    try:
        from PIL import Image
    except ImportError:
        print("Pillow is not installed: the PNGs are left as Chromium wrote them.")
        return
    for path in paths:
        with Image.open(path) as image:
            small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        small.save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    options = parser.parse_args()
    chromium = chromium_executable()
    if chromium is None:
        sys.exit(MISSING)
    out = options.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    camera, errors = Camera(out), PageErrors()
    with tempfile.TemporaryDirectory(prefix="p2pboard-screenshots-") as folder:
        data = Path(folder)
        board, link = prepare(data)
        with embedded_server(data) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            ana = log_in(browser, url, board, LAPTOP, errors)
            ana_phone = log_in(browser, url, board, PHONE, errors)
            priya = join(browser, url, link, "Priya", errors)
            tom = join(browser, url, link, "Tom", errors)
            priya_phone = same_person_on_a_phone(browser, priya, errors)
            people = People(ana, ana_phone, priya, priya_phone, tom)
            for page in people.all():
                expect(page.locator("#presence")).to_contain_text("Tom")
            print(f"Saving screenshots to {out}:")
            run_workshop(people, camera)
            browser.close()
    optimise(camera.saved)
    if errors:
        sys.exit("The pages reported errors:\n" + "\n".join(errors))


if __name__ == "__main__":
    main()
