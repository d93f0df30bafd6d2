"""Tables of p2pboard: workshops, the people in them, and their live connections."""

import secrets
import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from workshops.agenda import Phase
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
    # The board's sequence number: every committed change to the board takes the next one.
    seq = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @property
    def group_name(self) -> str:
        return f"workshop.{self.pk}"


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
