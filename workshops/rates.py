"""Flood control: how fast one participant may send frames (all their sockets in a process
together), and how fast people may join from one address."""

import time
from collections.abc import Hashable

from django.core.cache import cache

from workshops.limits import LIMITS


class RateLimit:
    """A token bucket: a steady rate of frames with room for a short burst. Frames refused
    count as strikes, which fade at one a second: a sender who keeps flooding is told to go
    away, one who was briefly too fast is not."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.strikes = 0.0
        self.stamp = time.monotonic()

    def allow(self) -> bool:
        self._refill()
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.strikes += 1
        return False

    @property
    def flooding(self) -> bool:
        return self.strikes > self.burst

    def refuses_socket(self) -> bool:
        """Whether a new socket of this sender is turned away: it was closed for flooding and
        its strikes have not faded below the line yet (about a second after it stopped). Each
        socket tried meanwhile counts as one more strike, so a script that reconnects at once,
        over and over, stays away until it pauses."""
        self._refill()
        if self.flooding:
            self.strikes += 1
            return True
        return False

    def _refill(self) -> None:
        now = time.monotonic()
        elapsed, self.stamp = now - self.stamp, now
        self.tokens = min(self.burst, self.tokens + elapsed * self.rate)
        self.strikes = max(0.0, self.strikes - elapsed)


class Buckets:
    """One RateLimit per sender, shared by all the sender's sockets in this process. A sender
    whose sockets all closed keeps theirs for a minute: reconnecting does not start a flood
    afresh with a full burst and no strikes."""

    KEEP_SECONDS = 60.0

    def __init__(self) -> None:
        self.limits: dict[Hashable, tuple[RateLimit, int]] = {}
        self.barred: dict[str, RateLimit] = {}  # by session key: closed for flooding

    def bar(self, session_key: str | None, limit: RateLimit) -> None:
        """A socket of this session was closed for flooding: the session's next sockets are
        turned away at the handshake, before it is even read, while `limit`'s strikes fade."""
        if session_key:
            self.barred[session_key] = limit

    def turned_away(self, session_key: str | None) -> bool:
        if not session_key or session_key not in self.barred:
            return False
        if self.barred[session_key].refuses_socket():
            return True
        del self.barred[session_key]  # faded: let in, and forgotten
        return False

    def take(self, sender: Hashable) -> RateLimit:
        limit, users = self.limits.get(sender) or (
            RateLimit(LIMITS.frames_per_second, LIMITS.frame_burst),
            0,
        )
        self.limits[sender] = (limit, users + 1)
        return limit

    def give_back(self, sender: Hashable) -> None:
        limit, users = self.limits.get(sender, (None, 0))
        if limit is not None:
            self.limits[sender] = (limit, max(0, users - 1))
        self._forget_idle()

    def _forget_idle(self) -> None:
        now = time.monotonic()
        idle = [
            sender
            for sender, (limit, users) in self.limits.items()
            if users == 0 and now - limit.stamp > self.KEEP_SECONDS
        ]
        for sender in idle:
            del self.limits[sender]
        for session_key, limit in list(self.barred.items()):
            if now - limit.stamp > self.KEEP_SECONDS:
                del self.barred[session_key]


senders = Buckets()


def join_allowed(address: str) -> bool:
    """Whether one more person may join from this address in this minute (counted in the
    cache: per process unless the cache is shared)."""
    key = f"p2pboard:joins:{address}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        joined = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        joined = 1
    return joined <= LIMITS.joins_per_minute_per_address
