"""The fault tests' own database, reached from a process of its own (the test's process is
pytest-django's, on the fast test database):

    python -m tests.faults.database setup   # stdin {"participants": N}
    python -m tests.faults.database state   # stdin {"workshop": ID}

`setup` migrates, makes a workshop with its facilitator and N participants (through the
services) and a session for each (as tests/browser/board_pages.py does). `state` prints what
the database holds: each participant's view of the stickies (as test_convergence.py reads
it), the board's own state (as a patch carries it), every (participant, op) in the Operation
log, and the durability settings PostgreSQL runs with. Both answer in JSON on stdout.
"""

import json
import os
import sys
from typing import Any


def setup(plan: dict[str, Any]) -> dict[str, Any]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from workshops import services
    from workshops.access import remember_participant

    call_command("migrate", interactive=False, verbosity=0)
    owner = User.objects.create_user(username="faulty-fran", password="a-long-passphrase-42")
    workshop = services.workshop_create(owner=owner, title="Release path under fire")
    people = []
    facilitator = services.facilitator_participant(workshop=workshop, user=owner)
    session = SessionStore()
    session[SESSION_KEY] = str(owner.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = owner.get_session_auth_hash()
    session.create()
    people.append({"name": "Fran", "session": session.session_key, "id": facilitator.pk})
    for number in range(plan["participants"]):
        participant = services.participant_join(workshop=workshop, name=f"Person {number}")
        session = SessionStore()
        remember_participant(session, participant)
        session.create()
        people.append(
            {"name": participant.name, "session": session.session_key, "id": participant.pk}
        )
    return {"workshop": workshop.pk, "slug": workshop.slug, "people": people}


def state(plan: dict[str, Any]) -> dict[str, Any]:
    from django.db import connection

    from tests.board_views import stickies_seen
    from workshops import entities
    from workshops.models import Operation, Participant, Workshop

    workshop = Workshop.objects.get(pk=plan["workshop"])
    views = {
        participant.pk: {
            key: list(view) for key, view in stickies_seen(workshop, participant.pk).items()
        }
        for participant in Participant.objects.filter(workshop=workshop)
    }
    operations = Operation.objects.filter(workshop=workshop, client_op__isnull=False)
    with connection.cursor() as cursor:
        durability = {}
        for name in ("fsync", "synchronous_commit", "full_page_writes"):
            cursor.execute(f"SHOW {name}")
            durability[name] = cursor.fetchone()[0]
    return {
        "views": views,
        "board": entities.board_state(workshop).state,
        "seq": workshop.seq,
        "operations": list(operations.values_list("participant_id", "client_op")),
        "durability": durability,
    }


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "p2pboard.settings")
    import django

    django.setup()
    action = {"setup": setup, "state": state}[sys.argv[1]]
    json.dump(action(json.load(sys.stdin)), sys.stdout)


if __name__ == "__main__":
    main()
