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
from workshops.timings import DEFAULT_SIZES

# Twelve colours that stay apart from each other and from the sticky colours; names always go
# with them, so colour is never the only way to tell people apart.
PARTICIPANT_COLOURS = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#393b79", "#637939",
)  # fmt: skip


def default_sizes() -> dict[str, list[float]]:
    return {size: list(bounds) for size, bounds in DEFAULT_SIZES.items()}


def new_slug() -> str:
    """A workshop's address: random, and never starting with "-", which a command line reads
    as an option (`manage.py export_workshop <slug>` failed for one workshop in 64)."""
    while (slug := secrets.token_urlsafe(8)).startswith("-"):
        pass
    return slug


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
    # Dot voting on pain points: votes each person has, the most one person may give a sticky,
    # and whether totals stay hidden from participants until the facilitator shows them.
    votes_each = models.PositiveSmallIntegerField(default=3)
    votes_per_sticky = models.PositiveSmallIntegerField(default=1)
    votes_hidden = models.BooleanField(default=True)
    votes_version = models.PositiveIntegerField(default=1)  # the vote tally's version
    # Pain points may be posted without a name (the facilitator allows it).
    anonymous_pain = models.BooleanField(default=False)
    # What each T-shirt size means: {"S": [0, 1], ...} in days (workshops/timings.py).
    sizes = models.JSONField(default=default_sizes)
    calendar_days = models.BooleanField(default=False)  # days count as calendar days, not working
    # The estimation round under way: the events sized together, "open" or "revealed" ("" none).
    round_events = models.JSONField(default=list)
    round_status = models.CharField(max_length=10, blank=True)
    round_version = models.PositiveIntegerField(default=1)
    # The follow-up meeting, and what the output will be used for.
    followup_at = models.DateTimeField(null=True, blank=True)
    followup_minutes = models.PositiveSmallIntegerField(default=60)
    followup_purposes = models.JSONField(default=list)
    followup_notes = models.TextField(blank=True, max_length=LIMITS.workshop_goal)
    # The board's sequence number: every committed change to the board takes the next one.
    seq = models.BigIntegerField(default=0)
    # Grows with every change of the board's own state (title, phase, ...), as a sticky's does.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    # An "ideal path" workshop starts as a copy of this one, and is compared with it.
    ideal_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="ideals"
    )

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
    # Posted without a name (pain points, when the facilitator allows it): nobody sees its author.
    anonymous = models.BooleanField(default=False)
    # Merged into another sticky (a duplicate): off the board, kept so the merge can be split.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    # A note that came under this sticky's event with a merge: where a split sends it back.
    merged_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Everyone who wrote it: its author and the authors of what was merged into it (ids).
    authors = models.JSONField(default=list)
    # How many stickies are merged into it (a split can take them out again).
    merged_count = models.PositiveIntegerField(default=0)
    # A check or gate: who signs it off, in words.
    owner = models.CharField(max_length=LIMITS.display_name * 2, blank=True)
    # In an ideal path: the sticky of the current path this one was copied from.
    origin = models.UUIDField(null=True, blank=True)
    # Votes that came with an imported map: totals, with nobody known to have given them. They
    # count in the totals like any vote, belong to nobody's allowance, and go with "clear votes".
    carried_votes = models.PositiveIntegerField(default=0)
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
        return self.is_event and not self.parked and self.on_board

    @property
    def on_board(self) -> bool:
        """Not deleted, and not merged into another sticky."""
        return self.deleted_at is None and self.merged_into_id is None

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
    # Made without a name (an anonymous pain point): the history does not say who.
    anonymous = models.BooleanField(default=False)
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


class Vote(models.Model):
    """One dot a participant gave a pain point (a person may give a sticky more than one, up
    to the workshop's `votes_per_sticky`)."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    sticky = models.ForeignKey(Sticky, on_delete=models.CASCADE, related_name="votes")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["workshop", "participant"])]

    def __str__(self) -> str:
        return f"vote of {self.participant_id} for {self.sticky_id}"


class Pick(models.Model):
    """A participant's size in the estimation round under way, hidden until the reveal."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="picks")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    size = models.CharField(max_length=4)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["workshop", "participant"], name="one_pick_each")
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} picked {self.size}"


class Timing(models.Model):
    """How long a step takes: one event, or a group of 2-3 consecutive events sized together.
    A T-shirt size, an estimate (a range in hours, days, weeks or months), or both (the
    estimate wins); the estimate may be split into working and waiting time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="timings")
    events = models.JSONField(default=list)  # the events' ids, in timeline order
    size = models.CharField(max_length=4, blank=True)
    estimate = models.JSONField(null=True, blank=True)  # {"low", "high", "unit"}
    work = models.JSONField(null=True, blank=True)
    wait = models.JSONField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"timing of {len(self.events)} step(s): {self.size or self.estimate}"


class Action(models.Model):
    """Something someone will do after the workshop: what, who (a participant of the
    workshop, or a person or team named in words), by when, and how far it got."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DOING = "doing", "Doing"
        DONE = "done", "Done"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="actions")
    text = models.CharField(max_length=LIMITS.sticky_text)
    owner_participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_name = models.CharField(max_length=LIMITS.display_name * 2, blank=True)
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    source = models.ForeignKey(
        Sticky, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    created_by = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text


class Dismissal(models.Model):
    """Two stickies the group said are not duplicates: not suggested again."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="dismissals")
    first = models.UUIDField()
    second = models.UUIDField()
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.first} is not {self.second}"
