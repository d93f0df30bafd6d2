"""Tables of p2pboard: workshops, the people in them, and their live connections."""

import secrets
import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from workshops.agenda import Phase
from workshops.kinds import KINDS, Kind, KindInfo
from workshops.limits import LIMITS

# Twelve colours that stay apart from each other and from the sticky colours; names always go
# with them, so colour is never the only way to tell people apart.
PARTICIPANT_COLOURS = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#393b79", "#637939",
)  # fmt: skip


def new_slug() -> str:
    return secrets.token_urlsafe(8)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Workshop(models.Model):
    slug = models.CharField(max_length=16, unique=True, default=new_slug, editable=False)
    title = models.CharField(max_length=LIMITS.workshop_title)
    goal = models.TextField(blank=True, max_length=LIMITS.workshop_goal)
    first_event = models.CharField(max_length=LIMITS.sticky_text)
    last_event = models.CharField(max_length=LIMITS.sticky_text)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_workshops"
    )
    co_facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="co_facilitated_workshops"
    )
    participant_token = models.CharField(max_length=64, unique=True, default=new_token)
    observer_token = models.CharField(max_length=64, unique=True, default=new_token)
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.FRAME)
    # Silent brainstorm: while on, new stickies are seen by their author only, until revealed.
    private_brainstorm = models.BooleanField(default=False)
    # Locked: only facilitators change the board (participants may still say they are ready).
    locked = models.BooleanField(default=False)
    # The shared timebox: running until `timer_ends_at`, or paused with `timer_left` seconds.
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    timer_left = models.FloatField(null=True, blank=True)
    timer_length = models.PositiveIntegerField(default=0)  # seconds, as set (for the display)
    # Follow me: where the facilitator brings every screen ("event:<id>", "parking", "start").
    follow = models.CharField(max_length=60, blank=True)
    # The board's sequence number: every committed change to the board takes the next one.
    seq = models.BigIntegerField(default=0)
    # Grows with every change of the board's own state (title, phase, ...), as a sticky's does.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class Participant(models.Model):
    """Someone on the board: a guest who joined by link with a name, or a facilitator."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(max_length=LIMITS.display_name)
    colour = models.CharField(max_length=7)
    # Set for facilitators, who act on the board under their account.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE
    )
    joined_at = models.DateTimeField(default=timezone.now)
    removed_at = models.DateTimeField(null=True, blank=True)
    # The person's own link back to the board as themselves, from another device.
    rejoin_token = models.CharField(max_length=64, unique=True, default=new_token)
    # The phase in which they said they were done (ready): ready while it is the board's phase.
    ready_phase = models.CharField(max_length=20, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering: ClassVar = ["joined_at", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["workshop", "user"],
                condition=models.Q(user__isnull=False),
                name="one_participant_per_facilitator",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def initials(self) -> str:
        words = self.name.split()
        letters = "".join(word[0] for word in words[:2]) if words else "?"
        return letters.upper()


class Connection(models.Model):
    """One open websocket: what presence is made of, whichever server process holds it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="connections")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="connections"
    )
    channel_name = models.CharField(max_length=200)
    connected_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["workshop", "seen_at"])]

    def __str__(self) -> str:
        return f"{self.participant or 'observer'} on {self.channel_name}"


class RankField(models.CharField):
    """A fractional rank. Ranks compare byte by byte, so PostgreSQL must use the "C" collation
    (a locale's collation would put "a" next to "A"); SQLite compares bytes already."""

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters


class Sticky(models.Model):
    """A sticky note on a board.

    Where it sits: an event is on the timeline or parked; any other kind sits in its lane under
    an event on the timeline (`event`), or is parked. `rank` orders it among the stickies of
    the same place (fractional, so a move rewrites one row). `version` grows with each change
    and lets every screen keep the newest state it has seen.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="stickies")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text = models.CharField(max_length=LIMITS.sticky_text, blank=True)
    event = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    parked = models.BooleanField(default=True)
    # A note parked because its event left the timeline: the event it comes back under when
    # that event returns (restored, or placed on the timeline again) while it is still parked.
    parked_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rank = RankField(max_length=200)
    parallel = models.BooleanField(default=False)  # events: happens alongside the previous one
    # Made during a silent brainstorm and not revealed yet: seen by its author only.
    private = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    # Grows with each change of the text alone: an edit names the text it was based on.
    text_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["rank", "id"]
        indexes: ClassVar = [models.Index(fields=["workshop", "deleted_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"

    @property
    def is_event(self) -> bool:
        return self.kind == Kind.EVENT

    @property
    def on_timeline(self) -> bool:
        return self.is_event and not self.parked and self.deleted_at is None

    @property
    def info(self) -> KindInfo:
        return KINDS[self.kind]


class Operation(models.Model):
    """One committed change to a board: the board's history, and what a reconnecting client
    catches up from. `seq` is the board's sequence number after the change."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="operations")
    seq = models.BigIntegerField()
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The id the sender's browser gave the command, so that a resent command is applied once.
    # Ids are the sender's own: another participant's ids neither collide nor confirm anything.
    client_op = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001 (unique when given)
    action = models.CharField(max_length=20)  # the command's name in the registry
    summary = models.CharField(max_length=400)
    # What it changed, as "<entity>:<id>" (workshops/entities.py): what catch-up re-reads.
    entities = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["seq"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workshop", "seq"], name="one_operation_per_seq"),
            models.UniqueConstraint(
                fields=["workshop", "participant", "client_op"],
                condition=models.Q(client_op__isnull=False),
                name="client_op_applied_once_per_sender",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.summary}"
