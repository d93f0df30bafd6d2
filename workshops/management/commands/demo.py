"""Create, once, a demo facilitator and a demo workshop, and print how to log in."""

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from workshops import services

USERNAME = "demo"


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
