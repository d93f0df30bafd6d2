"""Every size and rate limit of p2pboard, in one place (documented in docs/protocol.md)."""

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    display_name: int = 40
    workshop_title: int = 120
    workshop_goal: int = 1000
    sticky_text: int = 280
    stickies_per_board: int = 10_000
    participants_per_board: int = 500
    frame_bytes: int = 16 * 1024
    # Frames a participant may send, all their sockets together (per server process).
    frames_per_second: float = 20.0
    frame_burst: int = 40
    # A socket of a session closed for flooding a moment ago is held this long, then turned
    # away: a script reconnecting over and over gets a try a second, not a try per handshake.
    turn_away_seconds: float = 1.0
    # Live stickies one participant may have made on a board, so that nobody fills it alone.
    stickies_per_participant: int = 1000
    # Ids (or strings) one command may list: the stickies merged at once, say.
    ids_per_command: int = 50
    # Follow-up actions on one board.
    actions_per_board: int = 500
    # Votes an imported pain point may bring: every participant's 20 votes, at most.
    carried_votes: int = 500 * 20
    # People joining from one network address in a minute: a room of 30 behind one address
    # gets in at once; a script does not fill the workshop.
    joins_per_minute_per_address: int = 60
    # Frames waiting for a socket that reads too slowly before it is closed (it catches up
    # after reconnecting).
    socket_backlog: int = 2000
    # Bytes a server may hold for a socket that does not read (Daphne, which never makes a send
    # wait) before it is closed the same way.
    socket_buffer_bytes: int = 2 * 1024 * 1024
    # A client that missed more operations than this gets the whole board instead.
    catch_up_operations: int = 1000
    # The most a catch-up or a snapshot sends over the socket in one frame (Daphne refuses
    # frames over 1 MiB); past it, a catch-up becomes a snapshot, and a snapshot gives the
    # address to fetch the board from over HTTP.
    frame_out_bytes: int = 512 * 1024
    # A connection not heard from for this long no longer counts as present.
    presence_timeout_seconds: int = 75


# The join rate can be raised for load tests, whose simulated people all come from one address.
LIMITS = Limits(joins_per_minute_per_address=int(os.environ.get("P2PBOARD_JOINS_PER_MINUTE", "60")))
