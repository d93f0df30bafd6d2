"""The PDF map of a realistic workshop, and each of its pages as a PNG to look at:

    .venv/bin/python scripts/pdf_preview.py [--out /tmp/pdf-preview] [--dpi 80]

It makes the workshop in a throwaway SQLite database (the embedded default, as `make run` uses):
the demo's enterprise path (workshops/management/commands/demo_map.json) with a few more steps,
five people, sizes and estimates (a group of two steps, a parallel step, one step left untimed),
votes shown, four actions and the follow-up; writes `map.pdf` and turns its pages into
`page-<n>.png` with poppler's `pdftoppm` (Debian: poppler-utils). Nothing here is a dependency of
the app."""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a file: the project's packages sit beside scripts/

if TYPE_CHECKING:  # Django is set up inside make_map, before any model is imported
    from workshops.exports.map import Map

# Steps the demo's path does not have, placed after the step named.
MORE_STEPS = {
    "Story picked up from the backlog": [
        ("Code written on a branch", [("person", "Delivery team"), ("system", "GitHub")])
    ],
    "Merged to main": [
        (
            "Tested by QA",
            [
                ("person", "QA team"),
                ("system", "TestRail"),
                ("check", "Regression suite (manual, 2 days)"),
                ("pain", "Test data copied by hand from production"),
            ],
        )
    ],
    "Released to production": [
        (
            "Feature flag switched on",
            [("person", "Product manager"), ("system", "LaunchDarkly")],
        ),
        ("First customer used the feature", [("person", "Support")]),
    ],
}
# What was said of each step's time (by its first step's text): size, estimate, work, wait, and
# how many steps it covers.
TIMINGS: dict[str, dict[str, str | int]] = {
    "Idea raised in the quarterly review": {"work": "2 days", "wait": "4-10 weeks"},
    "Business case approved": {"size": "L"},
    "Story picked up from the backlog": {"size": "S"},
    "Code written on a branch": {"estimate": "3-8 days", "steps": 2},
    "Merged to main": {"estimate": "1-2 hours"},
    "Tested by QA": {"size": "M", "work": "1-2 days", "wait": "1-3 days"},
    "Deployed to the shared test environment": {"size": "M"},
    "Security scan passed": {"size": "L"},
    "Change approved by the CAB": {"work": "2 hours", "wait": "1-7 days"},
    "Released to production": {"size": "S"},
    "Feature flag switched on": {"size": "XS"},
}
VOTES = {  # pain point: votes
    "Ideas wait a quarter for a sponsor": 4,
    "Meets once a week": 5,
    "Environment broken most Mondays": 3,
    "Reviews wait 2 days on average": 2,
    "Test data copied by hand from production": 2,
}
ACTIONS = [
    ("Ask the portfolio board for a monthly slot", "Priya", "2027-01-20", "open",
     "Ideas wait a quarter for a sponsor"),
    ("Find who owns the test data, and write it down", "QA team", "2027-01-10", "doing",
     "Who owns the test data?"),
    ("List which of the CAB's 42 checks still guard a risk", "Tom", "2027-02-01", "open",
     "Which risk does the checklist still guard?"),
    ("Book time with the platform team about per-branch environments", "Sam", None, "done",
     None),
]  # fmt: skip


def make_map(data: Path) -> "Map":
    """The workshop, made through the services as people would, and its map."""
    os.environ["P2PBOARD_DATA_DIR"] = str(data)
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "P2PBOARD_MODE"):
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "p2pboard.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from workshops import services
    from workshops.exports.map import map_of
    from workshops.models import Sticky
    from workshops.protocol import Place

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user(username="Ana", password=None)
    workshop = services.workshop_create(
        owner=user,
        title="Checkout team: from idea to customer",
        goal="Find where a change waits longest between an idea and its first user.",
    )
    ana = services.facilitator_participant(workshop=workshop, user=user)
    people = {name: services.participant_join(workshop=workshop, name=name)
              for name in ("Priya", "Tom", "Sam", "Lee")}  # fmt: skip
    demo = json.loads((ROOT / "workshops/management/commands/demo_map.json").read_text())
    events = []
    for event in demo["events"]:
        events.append(event)
        for text, notes in MORE_STEPS.get(event["text"], []):
            events.append({"text": text, "notes": [{"kind": k, "text": t} for k, t in notes]})
    made: dict[str, Sticky] = {}
    writers = [ana, *people.values()]
    for index, event in enumerate(events):
        by = writers[index % len(writers)]
        sticky = services.sticky_add(
            workshop=workshop, by=by, op=None, kind="event", text=event["text"],
            place=Place(parked=False),
        )  # fmt: skip
        made[event["text"]] = sticky
        if event.get("parallel"):
            services.sticky_update(
                workshop=workshop, by=ana, op=None, sticky_id=sticky.pk, parallel=True
            )
        for note in event["notes"]:
            made[note["text"]] = services.sticky_add(
                workshop=workshop, by=by, op=None, kind=note["kind"], text=note["text"],
                place=Place(parked=False, event=sticky.pk),
            )  # fmt: skip
    for note in demo["parked"]:
        if note["text"] in made:
            continue  # put on the path here
        services.sticky_add(
            workshop=workshop, by=ana, op=None, kind=note["kind"], text=note["text"],
            place=Place(parked=True),
        )  # fmt: skip
    order = [event["text"] for event in events]
    for first, said in TIMINGS.items():
        at = order.index(first)
        covers = [made[text].pk for text in order[at : at + int(said.get("steps", 1))]]
        words = {key: str(value) for key, value in said.items() if key != "steps"}
        services.timing_set(workshop=workshop, by=ana, op=None, events=covers, **words)
    services.board_update(workshop=workshop, by=ana, op=None, votes_each=5, votes_per_sticky=3)
    voters = [ana, *people.values()]
    for pain, count in VOTES.items():
        for voter in voters[:count]:
            services.vote_add(workshop=workshop, by=voter, op=None, sticky_id=made[pain].pk)
    services.board_update(workshop=workshop, by=ana, op=None, votes_hidden=False, phase="follow_up")
    for text, owner, due, status, source in ACTIONS:
        services.action_add(
            workshop=workshop, by=ana, op=None, text=text,
            owner_participant=people[owner].pk if owner in people else None,
            owner=None if owner in people else owner, due=due, status=status,
            source=made[source].pk if source else None,
        )  # fmt: skip
    services.followup_set(
        workshop=workshop, by=ana, op=None, at="2027-01-14T10:00:00+01:00", minutes=90,
        purposes=["improve", "risks"],
        notes="Bring the CAB's checklist and last quarter's release dates.",
    )  # fmt: skip
    workshop.refresh_from_db()
    return map_of(workshop)


def make_ideal(current: "Map") -> "Map":
    """An ideal path started from the map, redrawn a little: two steps gone, one renamed and
    made shorter, one new."""
    from workshops import services
    from workshops.exports.map import map_of
    from workshops.models import Sticky, Workshop
    from workshops.protocol import Place

    workshop = current.workshop
    ideal = services.ideal_start(workshop=workshop, user=workshop.owner)
    ana = services.facilitator_participant(workshop=ideal, user=ideal.owner)
    steps = {step.event.text: step.event.id for step in map_of(ideal).steps}
    copies = {s.origin: s.pk for s in Sticky.objects.filter(workshop=ideal, kind="event")}
    texts = [step.event.text for step in current.steps]
    for gone in (texts[4], texts[7]):
        services.sticky_delete(workshop=ideal, by=ana, op=None, sticky_id=steps[gone])
    renamed = copies[current.steps[2].event.id]
    services.sticky_update(
        workshop=ideal, by=ana, op=None, sticky_id=renamed, text="Reviewed in pairs, same day"
    )
    services.timing_set(workshop=ideal, by=ana, op=None, events=[renamed], size="S")
    added = services.sticky_add(
        workshop=ideal, by=ana, op=None, kind="event", text="Feature flag switched on for 5%",
        place=Place(parked=False), after=steps[texts[-2]],
    )  # fmt: skip
    services.timing_set(workshop=ideal, by=ana, op=None, events=[added.pk], estimate="1h")
    return map_of(Workshop.objects.get(pk=ideal.pk))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "pdf-preview")
    parser.add_argument("--dpi", type=int, default=80)
    parser.add_argument(
        "--ideal", action="store_true", help="the map of an ideal path made from it"
    )
    arguments = parser.parse_args()
    if shutil.which("pdftoppm") is None:
        sys.exit("pdftoppm is missing: install poppler (Debian: apt-get install poppler-utils).")
    out: Path = arguments.out
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("page-*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as data:
        workshop_map = make_map(Path(data))
        if arguments.ideal:
            workshop_map = make_ideal(workshop_map)
        from workshops.exports.pdf import map_pdf

        (out / "map.pdf").write_bytes(map_pdf(workshop_map))
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(arguments.dpi), str(out / "map.pdf"), str(out / "page")],
        check=True,
    )
    for page in sorted(out.glob("page-*.png")):
        print(page)


if __name__ == "__main__":
    main()
