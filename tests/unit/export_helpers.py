"""A small board with what every export shows: steps with people, systems, pain and a gate,
timings, shown votes, actions from stickies in each status, and a follow-up."""

from dataclasses import dataclass

from tests.factories import make_note, make_sticky
from workshops import services
from workshops.kinds import Kind
from workshops.models import Participant, Sticky, Workshop

HOSTILE = (
    '=HYPERLINK("http://evil.example","x") <script>alert(1)</script>'
    " | *b* _i_ [l](j:x) `c` &amp; # h"
)


@dataclass
class Exported:
    board: Workshop
    steps: list[Sticky]
    pain: Sticky
    gate: Sticky


def an_exported_board(board: Workshop, alice: Participant) -> Exported:
    fran = services.facilitator_participant(workshop=board, user=board.owner)
    steps = [
        make_sticky(board, alice, text=text)
        for text in ("Story picked up", "Code reviewed", "Change board approved")
    ]
    make_note(board, alice, Kind.PERSON, "Developer", steps[0])
    make_note(board, alice, Kind.PERSON, "Ops team", steps[1])
    make_note(board, alice, Kind.SYSTEM, "GitHub", steps[1])
    pain = make_note(board, alice, Kind.PAIN, "Waiting a week for the CAB", steps[2])
    gate = make_note(board, alice, Kind.CHECK, "CAB sign-off", steps[2])
    for event, size in zip(steps, ["S", "M", "L"], strict=True):
        services.timing_set(workshop=board, by=alice, op=None, events=[event.pk], size=size)
    services.vote_add(workshop=board, by=alice, op=None, sticky_id=pain.pk)
    services.board_update(workshop=board, by=fran, op=None, votes_hidden=False)
    services.action_add(
        workshop=board, by=fran, op=None, text="Ask the CAB for a standard change",
        owner="Ops team", due="2027-01-15", source=pain.pk,
    )  # fmt: skip
    services.action_add(
        workshop=board, by=fran, op=None, text="-2+3 reviewers", owner="@Dev",
        status="doing", source=steps[1].pk,
    )  # fmt: skip
    services.action_add(workshop=board, by=fran, op=None, text="Write the runbook", status="done")
    services.action_add(workshop=board, by=fran, op=None, text=HOSTILE, owner="=cmd|'/C calc'!A0")
    services.followup_set(
        workshop=board, by=fran, op=None, at="2027-01-14T10:00:00+01:00", purposes=["risks"],
        notes="Bring the <b>map</b>",
    )  # fmt: skip
    return Exported(Workshop.objects.get(pk=board.pk), steps, pain, gate)
