"""The agenda a facilitator runs, step by step: the one list of phases the product knows, and
what each puts in front of people (what to do now, tips, the kinds of sticky and the controls it
is about), as `kinds.py` does for the kinds of sticky.

The kinds and controls a phase puts forward are what the page offers first, not rules: any kind
may be added in any phase unless the facilitator locks the board.
"""

from dataclasses import dataclass

from django.db import models


class Phase(models.TextChoices):
    FRAME = "frame", "Frame the map"
    BRAINSTORM = "brainstorm", "Brainstorm events"
    ORDER = "order", "Put events in order"
    DEDUPE = "dedupe", "Clean up: merge duplicates, settle the order"
    SYSTEMS = "systems", "Systems and tools"
    PEOPLE = "people", "People and teams"
    PAIN = "pain", "Pain points"
    TIMINGS = "timings", "Timings"
    ACTIONS = "actions", "Gaps, questions and actions"
    FOLLOW_UP = "follow_up", "Follow-up and wrap-up"


@dataclass(frozen=True)
class PhaseInfo:
    phase: Phase
    now: str  # what to do now, in one sentence (also what someone joining part-way reads)
    tips: tuple[str, ...]
    kinds: tuple[str, ...]  # the kinds of sticky it is about, the first offered first
    controls: tuple[str, ...]  # the facilitator's controls it puts forward
    minutes: int  # a timebox to suggest


# fmt: off
PHASES: dict[str, PhaseInfo] = {
    info.phase.value: info
    for info in (
        PhaseInfo(
            Phase.FRAME,
            "Agree where the path starts and where it ends: the first and the last event.",
            ("The first event is often \"somebody had an idea\" or \"a story was picked up\"; "
             "the last is a customer using the change.",
             "A starting template can give the group something to react to."),
            ("event",), ("details", "starter", "timer"), 5,
        ),
        PhaseInfo(
            Phase.BRAINSTORM,
            "Everyone writes the events of the path, one per sticky, as facts in the past "
            "tense.",
            ("\"Code review completed\" is an event; \"review the code\" is not yet.",
             "Write alone first; duplicates and mess are expected, the group cleans up later.",
             "A silent brainstorm keeps each person's stickies to themselves until the "
             "reveal."),
            ("event",), ("timer", "private", "reveal", "ready"), 10,
        ),
        PhaseInfo(
            Phase.ORDER,
            "Put the events on the timeline, earliest on the left, latest on the right.",
            ("Things that happen in parallel still get an order: mark the later one as "
             "parallel.",
             "When someone objects to an order, a hidden dependency is often behind it."),
            ("event",), ("timer", "ready", "follow"), 10,
        ),
        PhaseInfo(
            Phase.DEDUPE,
            "Walk the board from left to right: merge duplicates and settle the order where "
            "people disagree.",
            ("The people closest to a step settle its details.",
             "An event nobody can explain is a candidate for removal, or a question."),
            ("event", "question"), ("follow", "timer"), 10,
        ),
        PhaseInfo(
            Phase.SYSTEMS,
            "Under each event, add the systems and tools it uses.",
            ("How is this step run in the build tools?",
             "How does this environment, or its data, differ from the others, and why?"),
            ("system",), ("timer", "ready", "follow"), 10,
        ),
        PhaseInfo(
            Phase.PEOPLE,
            "Under each event, add the people and teams who take part in it.",
            ("Who owns the gate that lets a change go on from here?",
             "Context gets lost where one team hands over to another."),
            ("person", "check"), ("timer", "ready", "follow"), 10,
        ),
        PhaseInfo(
            Phase.PAIN,
            "Put pain points on the steps that hurt, then vote for the ones to fix first.",
            ("What value does this step give, and what risk is it there to reduce?",
             "Could the check be placed elsewhere, automated, or the assurance had another "
             "way?"),
            ("pain",), ("timer", "vote", "ready"), 10,
        ),
        PhaseInfo(
            Phase.TIMINGS,
            "Say how long each step usually takes: a T-shirt size or a range of time.",
            ("When a single step is hard to size, estimate a group of 2-3 steps together.",
             "Waiting time counts: a step that takes an hour after a week in a queue takes a "
             "week."),
            ("event",), ("timer", "size", "follow"), 15,
        ),
        PhaseInfo(
            Phase.ACTIONS,
            "Turn the blank areas and open questions into actions, each with an owner.",
            ("An action without an owner is a wish.",
             "Ask who is missing from the room, and which systems nobody has access to."),
            ("question", "check"), ("timer", "actions"), 10,
        ),
        PhaseInfo(
            Phase.FOLLOW_UP,
            "Set the next meeting and say what will be done with the map.",
            ("Work on the slowest and most painful steps first.",
             "An \"ideal path\" map to compare with today's is a good next session."),
            (), ("follow_up", "export", "end"), 5,
        ),
    )
}
# fmt: on
