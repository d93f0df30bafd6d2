"""Create, once, a demo facilitator and a demo workshop, and print how to log in."""

import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from workshops import services
from workshops.models import Sticky, Workshop
from workshops.protocol import Place

USERNAME = "demo"


DEMO_MAP = Path(__file__).with_name("demo_map.json")


def fill_with_demo_map(workshop: Workshop, user: User) -> None:
    """A realistic map to look at: an enterprise path with its systems, people and pains."""
    me = services.facilitator_participant(workshop=workshop, user=user)
    demo = json.loads(DEMO_MAP.read_text())

    def add(kind: str, text: str, place: Place) -> Sticky:
        return services.sticky_add(
            workshop=workshop, by=me, op=None, kind=kind, text=text, place=place
        )

    for event in demo["events"]:
        sticky = add("event", event["text"], Place(parked=False))
        if event.get("parallel"):
            services.sticky_update(
                workshop=workshop, by=me, op=None, sticky_id=sticky.pk, parallel=True
            )
        for note in event["notes"]:
            add(note["kind"], note["text"], Place(parked=False, event=sticky.pk))
    for note in demo["parked"]:
        add(note["kind"], note["text"], Place(parked=True))


class Command(BaseCommand):
    help = "Create a demo facilitator and workshop once; print the login every time."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000", help="Where the app is served."
        )

    def handle(self, *args: Any, url: str, **options: Any) -> None:
        password_file = settings.DATA_DIR / "demo_login.txt"
        user_model = get_user_model()
        user = user_model.objects.filter(username=USERNAME).first()
        if user is None:
            password = secrets.token_urlsafe(9)
            user = user_model.objects.create_user(username=USERNAME, password=password)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
            workshop = services.workshop_create(
                owner=user,
                title="Demo: from idea to customer",
                goal="Find where a change waits longest between an idea and its first user.",
            )
            fill_with_demo_map(workshop, user)
            self.stdout.write(f"Created the demo workshop “{workshop.title}”.")
        password = (
            password_file.read_text().strip()
            if password_file.exists()
            else "(set before; change it with: python manage.py changepassword demo)"
        )
        login = url.rstrip("/") + reverse("login")
        self.stdout.write(
            self.style.SUCCESS("p2pboard is starting at ")
            + url
            + f"\n  Log in at {login} as '{USERNAME}' with password: {password}\n"
        )
