"""The agenda a facilitator runs, step by step: the one list of phases the product knows."""

from django.db import models


class Phase(models.TextChoices):
    FRAME = "frame", "Frame the map"
    BRAINSTORM = "brainstorm", "Brainstorm events"
    ORDER = "order", "Put events in order"
    DEDUPE = "dedupe", "Walk the board and merge duplicates"
    SYSTEMS = "systems", "Systems and tools"
    PEOPLE = "people", "People and teams"
    PAIN = "pain", "Pain points"
    TIMINGS = "timings", "Timings"
    ACTIONS = "actions", "Gaps, questions and actions"
    FOLLOW_UP = "follow_up", "Follow-up"
