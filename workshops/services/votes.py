"""Dot voting on pain points: each participant has the workshop's number of votes, at most so
many on one sticky. Who voted for what is never shown to anyone but the voter; while the votes
are hidden, the totals are the facilitators' alone (`entities.tally_state`). Whoever may see the
totals would learn from a vote's patch what the voter chose, were it to say who voted: so a
vote is made without a name, as an anonymous pain point is, and the voter's own ballot goes to
the voter alone."""

from uuid import UUID

from django.core.exceptions import ValidationError

from workshops import entities
from workshops.kinds import Kind
from workshops.models import Participant, Sticky, Vote, Workshop
from workshops.services.changes import Change, Gone, change
from workshops.services.stickies import named


def vote_add(
    *, workshop: Workshop, by: Participant | None, op: str | None, sticky_id: UUID
) -> Vote:
    """Give a pain point one of your votes."""
    with change("vote", workshop=workshop, by=by, op=op, about=sticky_id) as now:
        sticky, board, voter = now.about(), now.board(), now.by
        if sticky.merged_into_id is not None:
            raise Gone("That sticky was merged into another: vote for that one.")
        if sticky.kind != Kind.PAIN:
            raise ValidationError("Votes go to pain points.")
        if sticky.private:
            raise ValidationError("Private stickies can get votes after the reveal.")
        votes = entities.ballot(voter)
        if sum(votes.values()) >= board.votes_each:
            raise ValidationError(
                f"You have given all your {board.votes_each} votes: take one back to move it."
            )
        if votes.get(str(sticky.pk), 0) >= board.votes_per_sticky:
            most = board.votes_per_sticky
            raise ValidationError(
                f"One sticky can have at most {most} vote{'s' * (most > 1)} from each person."
            )
        vote = Vote.objects.create(workshop=now.workshop, participant=voter, sticky=sticky)
        _touch_ballot(now, voter)
        now.touch_tally()
        now.say_anonymously("voted")  # never for what: the history is read by everyone
        return vote


def vote_remove(
    *, workshop: Workshop, by: Participant | None, op: str | None, sticky_id: UUID
) -> None:
    """Take back one of your votes from a sticky."""
    with change("unvote", workshop=workshop, by=by, op=op, about=sticky_id) as now:
        sticky, voter = now.about(deleted=True), now.by
        mine = Vote.objects.filter(participant=voter, sticky=sticky).order_by("-pk").first()
        if mine is None:
            raise ValidationError(f"You have no vote on {named(sticky)}.")
        mine.delete()
        _touch_ballot(now, voter)
        now.touch_tally()
        now.say_anonymously("took a vote back")


def votes_clear(*, workshop: Workshop, by: Participant | None, op: str | None) -> int:
    """Take every vote back (to vote again), those an imported map carried too. Returns how
    many there were."""
    with change("votes_clear", workshop=workshop, by=by, op=op) as now:
        given = Vote.objects.filter(workshop=now.workshop)
        voters = list(Participant.objects.filter(pk__in=given.values("participant")))
        count, _ = given.delete()
        carrying = Sticky.objects.filter(workshop=now.workshop, carried_votes__gt=0)
        count += sum(carrying.values_list("carried_votes", flat=True))
        carrying.update(carried_votes=0)
        if not count:
            raise ValidationError("There are no votes to clear.")
        for voter in voters:
            _touch_ballot(now, voter)
        now.touch_tally()
        now.say(f"cleared all {count} vote{'s' * (count > 1)}")
        return count


def _touch_ballot(now: Change, voter: Participant) -> None:
    """The voter's votes changed: their next version goes to them alone, so that nobody else
    learns from the patch who voted (`entities.Ballot`)."""
    now.touch_participant(voter)
    del now.touched[entities.key(voter)]
    ballot = entities.Ballot(voter)
    now.touched[entities.key(ballot)] = ballot
