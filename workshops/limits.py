"""Every size and rate limit of p2pboard, in one place (documented in docs/protocol.md)."""

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
    frames_per_second: float = 20.0
    frame_burst: int = 40
    # Frames waiting for a socket that reads too slowly before it is closed (it catches up
    # after reconnecting).
    socket_backlog: int = 2000
    # A client that missed more operations than this gets the whole board instead.
    catch_up_operations: int = 1000
    # A connection not heard from for this long no longer counts as present.
    presence_timeout_seconds: int = 75


LIMITS = Limits()
