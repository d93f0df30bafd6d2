"""The follow-up meeting as a calendar invitation (.ics, RFC 5545), written by icalendar."""

from datetime import timedelta

from icalendar import Calendar, Event, vText

from workshops.models import Workshop
from workshops.services.agenda import PURPOSES


def followup_ics(workshop: Workshop, *, board_url: str) -> bytes:
    """One event: the follow-up of this workshop, at its time, for its length, saying what the
    output will be used for and where the board is. ValueError if it has no time yet."""
    start = workshop.followup_at
    if start is None:
        raise ValueError("The follow-up has no date and time yet.")
    event = Event()
    event.add("uid", f"followup-{workshop.slug}@p2pboard")
    # The same event, revised: a calendar that has it takes the one with the higher sequence.
    event.add("sequence", workshop.version)
    event.add("dtstamp", start.now(start.tzinfo))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=workshop.followup_minutes))
    event.add("summary", vText(f"Follow-up: {workshop.title}"))
    lines = [f"The follow-up of the Path to Production mapping “{workshop.title}”."]
    if workshop.goal:
        lines.append(f"Goal: {workshop.goal}")
    if workshop.followup_purposes:
        uses = ", ".join(PURPOSES[purpose] for purpose in workshop.followup_purposes)
        lines.append(f"What the map will be used for: {uses}.")
    if workshop.followup_notes:
        lines.append(workshop.followup_notes)
    lines.append(f"The board: {board_url}")
    event.add("description", "\n\n".join(lines))
    event.add("url", board_url)
    calendar = Calendar()
    calendar.add("prodid", "-//p2pboard//follow-up//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    return calendar.to_ical()
