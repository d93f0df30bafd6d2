"""Import a map file (JSON, `p2pboard-map` version 2) as a new workshop, and print its links."""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from workshops.services.imports import ImportRefused, read_upload, workshop_import


class Command(BaseCommand):
    help = (
        "Import a map exported from p2pboard (JSON) as a new workshop; print the board's "
        "address and the link participants join by."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The map file (.json).")
        parser.add_argument(
            "--owner",
            help="The account that will run the workshop (default: the only superuser).",
        )
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000", help="Where the app is served."
        )

    def handle(self, *args: Any, file: Path, owner: str | None, url: str, **options: Any) -> None:
        account = self._owner(owner)
        try:
            with file.open("rb") as source:
                raw = read_upload(source, file.stat().st_size)
            imported = workshop_import(owner=account, raw=raw)
        except OSError as problem:
            raise CommandError(f"Cannot read {file}: {problem.strerror}.") from None
        except ImportRefused as refused:
            raise CommandError(
                f"{file} was not imported (nothing was created):\n  "
                + "\n  ".join(refused.problems)
            ) from None
        workshop, base = imported.workshop, url.rstrip("/")
        self.stdout.write(self.style.SUCCESS(f"Imported “{workshop.title}” for {account}."))
        self.stdout.write(f"  Board:            {base}{reverse('board', args=[workshop.slug])}")
        join = reverse("join", args=[workshop.participant_token])
        self.stdout.write(f"  Participant link: {base}{join}")
        for note in imported.notes:
            self.stdout.write(f"  Note: {note}")

    def _owner(self, username: str | None) -> Any:
        accounts = get_user_model().objects.filter(is_active=True)
        if username:
            found = accounts.filter(username=username).first()
            if found is None:
                raise CommandError(f"No account is called {username!r}.")
            return found
        admins = list(accounts.filter(is_superuser=True)[:2])
        if len(admins) != 1:
            raise CommandError("Say which account will run the workshop: --owner USERNAME.")
        return admins[0]
