"""Seeding for the benchmark: workshops, and boards already full of stickies, written through
the ORM with the same settings (DATABASE_URL, data folder) as the servers under test.

Run as `python -m benchmarks.seed` with a JSON plan on stdin:
    {"migrate": true, "facilitator_password": "...",
     "boards": [{"key": "a", "stickies": 0}, {"key": "d", "stickies": 2000}]}
(with "migrate", the database is migrated first; with "facilitator_password", the boards' owner,
`bench-facilitator`, gets that password if it has none yet, so that it can log in over HTTP as a
facilitator does; set once, since a new password would log out the sessions made with the old.)
It prints, as JSON, each board's slug, participant link token, id, seq and sticky ids, and the
owner's username.
Workshops come from `services.workshop_create`; stickies are bulk-created (2,000 through
`services.sticky_add` would take ~10 s) with ranks from `fractional_indexing`, as a map in
progress looks: events on the timeline with notes in their lanes, and some parked. A board with
"phase_work": true then gets, through the services, what the phase work adds to a map: steps in
parallel, timings (sizes on most steps, groups of 2-3 with estimates, work and wait), votes
shown to everyone, actions and the follow-up.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

FACILITATOR = "bench-facilitator"  # the username of every benchmark board's owner
TEXTS = (
    "Developer opens a pull request",
    "CI runs the unit tests",
    "Reviewer approves the change",
    "Release manager tags the build",
    "Security scan of the container image",
    "Change advisory board meets on Thursdays",
    "Waiting for a test environment",
    "Who owns the deployment scripts?",
    "Ops team deploys to production",
    "Smoke tests after the deployment",
    "Flaky end-to-end tests block the merge",
    "Jenkins",
    "Product owner",
    "Is the database migration reversible?",
)


def layout(total: int) -> dict[str, int]:
    """How many stickies of each place a board of `total` stickies gets."""
    events = max(1, total // 10)
    parked_events = total // 20
    parked_notes = total // 10
    return {
        "events": min(events, total),
        "parked_events": parked_events,
        "parked_notes": parked_notes,
        "lane_notes": max(0, total - events - parked_events - parked_notes),
    }


def fill(workshop: Any, owner: Any, total: int, *, numbered: bool = True) -> list[str]:
    """A board of `total` stickies; `numbered` False: the same few texts again and again."""
    from fractional_indexing import generate_n_keys_between

    from workshops import services
    from workshops.kinds import LANE_KINDS, Kind
    from workshops.models import Sticky, Workshop

    if total == 0:
        return []
    author = services.facilitator_participant(workshop=workshop, user=owner)
    counts = layout(total)
    stickies: list[Sticky] = []

    def make(kind: str, parked: bool, event: Sticky | None, rank: str, number: int) -> Sticky:
        sticky = Sticky(
            workshop=workshop,
            kind=kind,
            text=f"{TEXTS[number % len(TEXTS)]}{f' ({number})' if numbered else ''}",
            parked=parked,
            event=event,
            rank=rank,
            created_by=author,
            version=1,
        )
        stickies.append(sticky)
        return sticky

    number = 0
    events = []
    for rank in generate_n_keys_between(None, None, counts["events"]):
        events.append(make(Kind.EVENT, False, None, rank, number))
        number += 1
    for rank in generate_n_keys_between(None, None, counts["parked_events"]):
        make(Kind.EVENT, True, None, rank, number)
        number += 1
    for rank in generate_n_keys_between(None, None, counts["parked_notes"]):
        make(LANE_KINDS[number % len(LANE_KINDS)], True, None, rank, number)
        number += 1
    # Lane notes: spread over the events and the lane kinds, ranked within each lane.
    lanes: dict[tuple[int, str], int] = {}
    for index in range(counts["lane_notes"]):
        key = (index % len(events), LANE_KINDS[(index // len(events)) % len(LANE_KINDS)])
        lanes[key] = lanes.get(key, 0) + 1
    for (event_index, kind), count in lanes.items():
        for rank in generate_n_keys_between(None, None, count):
            make(kind, False, events[event_index], rank, number)
            number += 1
    Sticky.objects.bulk_create(stickies, batch_size=500)
    Workshop.objects.filter(pk=workshop.pk).update(seq=len(stickies))
    return [str(sticky.pk) for sticky in stickies]


def phase_work(workshop: Any, owner: Any) -> None:
    """The phase work done on a seeded board, as a facilitator and voters do it: every seventh
    step in parallel with the one before, a size on most steps and an estimate on a group of
    2-3 every tenth (every tenth left untimed, as the insight then says), ten voters giving six
    votes each to pain points on the timeline, the votes shown, six actions and the follow-up."""
    from workshops import services
    from workshops.kinds import Kind
    from workshops.selectors import live

    me = services.facilitator_participant(workshop=workshop, user=owner)
    services.board_update(workshop=workshop, by=me, op=None, votes_each=6, calendar_days=True)
    on_timeline = live(workshop).filter(parked=False).order_by("rank", "id")
    events = list(on_timeline.filter(kind=Kind.EVENT).values_list("pk", flat=True))
    for number, event in enumerate(events):
        if number % 7 == 3:
            services.sticky_update(
                workshop=workshop, by=me, op=None, sticky_id=event, parallel=True
            )
    number = 0
    while number < len(events):
        if number % 10 == 5 and number + 2 < len(events):
            group = events[number : number + 2 + number // 10 % 2]  # 2 or 3 steps
            services.timing_set(
                workshop=workshop, by=me, op=None, events=group, size="M",
                estimate="2.5-4 days", work="1.25 days", wait="0.5-3 days",
            )  # fmt: skip
            number += len(group)
            continue
        if number % 10 != 9:
            size = "SML"[number * 7 % 3]
            services.timing_set(
                workshop=workshop, by=me, op=None, events=[events[number]], size=size
            )
        number += 1
    pains = list(
        on_timeline.filter(kind=Kind.PAIN, event__isnull=False).values_list("pk", flat=True)
    )
    for voter_number in range(10):
        voter = services.participant_join(workshop=workshop, name=f"Voter {voter_number}")
        for pain in pains[voter_number::10][:6]:
            services.vote_add(workshop=workshop, by=voter, op=None, sticky_id=pain)
    services.board_update(workshop=workshop, by=me, op=None, votes_hidden=False)
    for number in range(6):
        services.action_add(
            workshop=workshop, by=me, op=None, text=f"Automate step {number + 1}",
            owner="Platform team" if number % 2 else None,
            owner_participant=me.pk if not number % 2 else None,
            due=f"2027-02-0{number + 1}", status=("open", "doing", "done")[number % 3],
            source=events[number] if number < len(events) else None,
        )  # fmt: skip
    services.followup_set(
        workshop=workshop, by=me, op=None, at="2027-01-14T10:00:00+01:00", minutes=90,
        purposes=["improve", "risks"], notes="Bring the numbers.",
    )  # fmt: skip


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "p2pboard.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User

    from workshops import services
    from workshops.models import Workshop

    plan = json.load(sys.stdin)
    if plan.get("migrate"):
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    owner, _ = User.objects.get_or_create(username=FACILITATOR)
    password = plan.get("facilitator_password")
    if password and not (owner.password and owner.has_usable_password()):  # "": none yet
        owner.set_password(password)
        owner.save(update_fields=["password"])
    out: dict[str, Any] = {}
    for board in plan["boards"]:
        workshop = services.workshop_create(owner=owner, title=f"Benchmark board {board['key']}")
        ids = fill(
            workshop, owner, int(board.get("stickies", 0)), numbered=board.get("numbered", True)
        )
        if board.get("phase_work"):
            phase_work(workshop, owner)
        workshop = Workshop.objects.get(pk=workshop.pk)
        out[board["key"]] = {
            "slug": workshop.slug,
            "token": workshop.participant_token,
            "id": workshop.pk,
            "seq": workshop.seq,
            "sticky_ids": ids,
        }
    json.dump({"boards": out, "facilitator": FACILITATOR}, sys.stdout)


if __name__ == "__main__":
    main()
