"""Write a workshop's map (or its follow-up's invitation) in one of the formats the board offers
(workshops/exports/formats.py), to a file or to standard output."""

import io
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from workshops.exports.formats import EXPORTS, Source, Unavailable
from workshops.models import Workshop


class Command(BaseCommand):
    help = "Export a workshop: " + "; ".join(
        f"{export.name} = {export.label}" for export in EXPORTS.values()
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="The workshop's slug, as in its address /w/<slug>/.")
        parser.add_argument("--format", choices=list(EXPORTS), default="json", dest="file_type")
        parser.add_argument("-o", "--output", help="The file to write (standard output if not).")
        parser.add_argument(
            "--url",
            default="http://127.0.0.1:8000",
            help="Where the app is served: the exports name the board's address.",
        )

    def handle(
        self, *args: Any, slug: str, file_type: str, output: str | None, url: str, **options: Any
    ) -> None:
        workshop = Workshop.objects.filter(slug=slug).first()
        if workshop is None:
            raise CommandError(f"There is no workshop with the slug “{slug}”.")
        export = EXPORTS[file_type]
        board_url = url.rstrip("/") + reverse("board", args=[workshop.slug])
        try:
            body = export.make(Source(workshop, board_url=board_url))
        except Unavailable as missing:
            raise CommandError(str(missing)) from missing
        if output:
            Path(output).write_bytes(body)
            self.stderr.write(f"Wrote {export.label} of “{workshop.title}” to {output}.")
            return
        self._write(body, binary=export.binary)

    def _write(self, body: bytes, *, binary: bool) -> None:
        """The bytes as they are to a binary stream (the terminal's stdout has one under it); to
        a text stream (as tests give), the text of a text format."""
        stream = cast(IO[Any], self.stdout._out)
        raw = cast(IO[Any], getattr(stream, "buffer", stream))
        if isinstance(raw, io.TextIOBase):
            if binary:
                raise CommandError("This format is binary: write it to a file with -o FILE.")
            raw.write(body.decode())
        else:
            stream.flush()
            raw.write(body)
            raw.flush()
