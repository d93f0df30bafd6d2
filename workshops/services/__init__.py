"""Every operation on p2pboard, one function each: views and consumers call these and nothing
else writes. Each validates, writes in one transaction and broadcasts after the commit.

A board's changes go through one skeleton (`changes.py`); the socket's commands are declared in
`workshops/commands.py`, which names the function here that runs each."""

from workshops.services.actions import action_add, action_delete, action_restore, action_update
from workshops.services.agenda import (
    DEFAULT_FIRST_EVENT,
    DEFAULT_LAST_EVENT,
    board_reveal,
    board_update,
    follow_set,
    followup_set,
    ready_set,
    timer_set,
    workshop_end,
    workshop_reopen,
)
from workshops.services.catchup import catch_up, snapshot
from workshops.services.changes import AlreadyApplied, Conflict, Gone
from workshops.services.ideal import ideal_start
from workshops.services.merges import (
    duplicate_dismiss,
    duplicate_suggestions,
    stickies_merge,
    sticky_split,
)
from workshops.services.moderation import participant_undo
from workshops.services.people import (
    access_of,
    clean_name,
    facilitator_participant,
    participant_join,
    participant_remove,
    participant_rename,
    presence_connect,
    presence_disconnect,
    presence_message,
    presence_seen,
    present,
    publish_presence_on_commit,
)
from workshops.services.runner import run, run_together
from workshops.services.sizing import round_pick, round_set, timing_clear, timing_set
from workshops.services.starters import workshop_apply_starter
from workshops.services.stickies import (
    sticky_add,
    sticky_delete,
    sticky_move,
    sticky_restore,
    sticky_update,
)
from workshops.services.votes import vote_add, vote_remove, votes_clear
from workshops.services.workshops import (
    co_facilitator_add,
    co_facilitator_remove,
    link_regenerate,
    workshop_create,
    workshop_delete,
)

__all__ = [
    "DEFAULT_FIRST_EVENT",
    "DEFAULT_LAST_EVENT",
    "AlreadyApplied",
    "Conflict",
    "Gone",
    "access_of",
    "action_add",
    "action_delete",
    "action_restore",
    "action_update",
    "board_reveal",
    "board_update",
    "catch_up",
    "clean_name",
    "co_facilitator_add",
    "co_facilitator_remove",
    "duplicate_dismiss",
    "duplicate_suggestions",
    "facilitator_participant",
    "follow_set",
    "followup_set",
    "ideal_start",
    "link_regenerate",
    "participant_join",
    "participant_remove",
    "participant_rename",
    "participant_undo",
    "presence_connect",
    "presence_disconnect",
    "presence_message",
    "presence_seen",
    "present",
    "publish_presence_on_commit",
    "ready_set",
    "round_pick",
    "round_set",
    "run",
    "run_together",
    "snapshot",
    "stickies_merge",
    "sticky_add",
    "sticky_delete",
    "sticky_move",
    "sticky_restore",
    "sticky_split",
    "sticky_update",
    "timer_set",
    "timing_clear",
    "timing_set",
    "vote_add",
    "vote_remove",
    "votes_clear",
    "workshop_apply_starter",
    "workshop_create",
    "workshop_delete",
    "workshop_end",
    "workshop_reopen",
]
