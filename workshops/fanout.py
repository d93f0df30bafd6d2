"""Fan-out: how one committed change reaches every socket of a board, in every process.

Each process keeps its own sockets per board. A change is serialised once and written, as it is,
straight to this process's sockets of that board; with REDIS_URL it is also published once to
the board's Redis pub/sub channel, which every process serving that board subscribes to (one
subscription per board per process), and each other process writes it to its own sockets. A
process skips what it published itself (each message carries its process's origin), so its
own sockets do not wait for the trip through Redis.

This replaces Channels' group_send, which gives every socket its own channel-layer message
(measured here at 115-250 µs of CPU per delivery, and dropping messages past its capacity).
"""

import asyncio
import json
import logging
import uuid
from collections import deque
from collections.abc import Coroutine
from typing import Any, Protocol

import redis
import redis.asyncio as aioredis
from django.conf import settings

from workshops.visibility import Audience, EntityState, Viewer, view

log = logging.getLogger(__name__)

CONTROL = "!"  # a frame starting with this is for the server's sockets, not for browsers
VIEWS = "@"  # a message that some viewers see differently from others (Views, as JSON)

# A task that runs at once until it has to wait, rather than on the loop's next turn.
eager_task = asyncio.create_eager_task_factory(asyncio.Task)


class Socket(Protocol):
    viewer: Viewer

    def deliver(self, frame: str) -> None:
        """Queue a frame for this socket; never waits (a slow reader must not hold up others)."""

    async def control(self, message: dict[str, Any]) -> None: ...


class Views:
    """A message with entity states that not every viewer may see in full. It travels whole
    between processes (inside the deployment); each process writes to each of its sockets the
    frame for what that socket's viewer may see, serialised once per distinct view."""

    def __init__(
        self, content: dict[str, Any], entities: list[EntityState], *, sender: int | None = None
    ) -> None:
        self.content, self.entities, self.sender = content, entities, sender
        self.restricted = [e.audience for e in entities if e.audience is not None]

    def frame_for(self, viewer: Viewer, frames: dict[tuple[bool, ...], str]) -> str:
        signature = tuple(audience.admits(viewer) for audience in self.restricted)
        if self.sender is not None:  # an anonymous change: who made it is the sender's alone
            signature += (viewer.participant == self.sender,)
        frame = frames.get(signature)
        if frame is None:
            states = (view(viewer, entity) for entity in self.entities)
            entities = [state for state in states if state is not None]
            content = self.content
            if self.sender is not None and viewer.participant != self.sender:
                content = content | {"op": None, "by": None}
            frame = json.dumps(content | {"entities": entities}, separators=(",", ":"))
            frames[signature] = frame
        return frame

    def encode(self) -> str:
        entities = [
            [e.key, e.state, e.audience.as_json() if e.audience else None, e.redacted]
            for e in self.entities
        ]
        message = {"content": self.content, "entities": entities, "sender": self.sender}
        return VIEWS + json.dumps(message)

    @classmethod
    def decode(cls, frame: str) -> "Views":
        message = json.loads(frame[len(VIEWS) :])
        entities = [
            EntityState(key, state, Audience.from_json(audience) if audience else None, redacted)
            for key, state, audience, redacted in message["entities"]
        ]
        return cls(message["content"], entities, sender=message.get("sender"))


def channel(board_id: int) -> str:
    return f"{settings.REDIS_PREFIX}:board:{board_id}"


ORIGIN_LENGTH = 12  # hex digits naming the process that published a message


class Hub:
    """This process's sockets, by board, and its one link to the other processes."""

    def __init__(self, redis_url: str = "") -> None:
        self.redis_url = redis_url
        self.origin = uuid.uuid4().hex[:ORIGIN_LENGTH]
        self.boards: dict[int, set[Socket]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._publisher: redis.Redis | None = None
        self._async_publisher: aioredis.Redis | None = None
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Future[None]] = set()
        self._outbox: deque[tuple[int, str]] = deque()  # frames for Redis, in order
        self._posting: asyncio.Future[None] | None = None

    # ----- sockets joining and leaving (on the event loop) -----

    async def join(self, board_id: int, socket: Socket) -> None:
        loop = asyncio.get_running_loop()
        if loop is not self.loop:  # a new event loop (a new test): start afresh
            self.boards, self.loop, self._pubsub, self._reader = {}, loop, None, None
            self._async_publisher, self._outbox, self._posting = None, deque(), None
        members = self.boards.setdefault(board_id, set())
        members.add(socket)
        if len(members) == 1 and self.redis_url:
            try:
                await self._subscribe(board_id)
            except Exception:
                # Without its subscription this process would miss the other processes' changes
                # for every later socket of the board: the socket is refused, and the next one
                # to join subscribes again.
                members.discard(socket)
                if not members:
                    del self.boards[board_id]
                raise

    async def leave(self, board_id: int, socket: Socket) -> None:
        members = self.boards.get(board_id)
        if members is None:
            return
        members.discard(socket)
        if not members:
            del self.boards[board_id]
            if self._pubsub is not None:
                try:
                    await self._pubsub.unsubscribe(channel(board_id))
                except (redis.ConnectionError, OSError) as problem:  # it goes with the connection
                    log.info("Not unsubscribed from board %s: %r", board_id, problem)

    # ----- publishing (from any thread, usually after a commit) -----

    def publish(self, board_id: int, frame: str) -> None:
        loop = self.loop
        if loop is not None and (loop.is_closed() or not loop.is_running()):
            loop = None  # the loop of an earlier test, or one that stopped
        if loop is not None:
            # Usually called on the database thread after a commit: the event loop takes the
            # frame, in order, to this process's sockets and its Redis publisher, and the
            # thread goes on with the next change instead of waiting for either.
            loop.call_soon_threadsafe(self._send, board_id, frame)
        elif self.redis_url:  # no socket has joined in this process yet: nobody waits here
            self._sync_publisher().publish(channel(board_id), self.origin + frame)

    def publish_control(self, board_id: int, message: dict[str, Any]) -> None:
        self.publish(board_id, CONTROL + json.dumps(message))

    def publish_views(self, board_id: int, views: Views) -> None:
        self.publish(board_id, views.encode())

    async def apublish(self, board_id: int, frame: str) -> None:
        """The same, from the event loop itself."""
        self._send(board_id, frame)

    def _send(self, board_id: int, frame: str) -> None:
        """On the event loop: to the other processes first (the PUBLISH is written at once),
        then to this process's sockets (written at once too: no turn of the loop between)."""
        if self.redis_url:
            self._post(board_id, frame)
        if board_id in self.boards:
            self._spawn(self._deliver(board_id, frame))

    def _post(self, board_id: int, frame: str) -> None:
        self._outbox.append((board_id, self.origin + frame))
        if self._posting is None or self._posting.done():
            self._posting = eager_task(asyncio.get_running_loop(), self._send_posted())

    async def _send_posted(self) -> None:
        """PUBLISH what was posted, in order, everything waiting in one round trip."""
        if self._async_publisher is None:
            self._async_publisher = aioredis.Redis.from_url(self.redis_url)
        while self._outbox:
            batch = list(self._outbox)
            self._outbox.clear()
            pipeline = self._async_publisher.pipeline(transaction=False)
            for board_id, frame in batch:
                pipeline.publish(channel(board_id), frame)
            try:
                await pipeline.execute()
            except (redis.ConnectionError, OSError) as problem:
                # Screens elsewhere notice the gap in sequence numbers (or their next pong's)
                # and catch up from the database.
                log.warning("Lost Redis: %d frames not published (%r)", len(batch), problem)

    # ----- delivering to this process's sockets -----

    async def _deliver(self, board_id: int, frame: str) -> None:
        if frame.startswith(VIEWS):
            views, frames = Views.decode(frame), dict[tuple[bool, ...], str]()
            for socket in list(self.boards.get(board_id, ())):
                socket.deliver(views.frame_for(socket.viewer, frames))
            return
        if not frame.startswith(CONTROL):
            for socket in list(self.boards.get(board_id, ())):
                socket.deliver(frame)
            return
        message = json.loads(frame[len(CONTROL) :])
        for socket in list(self.boards.get(board_id, ())):
            try:
                await socket.control(message)
            except Exception as problem:  # a socket closing meanwhile must not stop the others
                log.info("Control message not delivered on board %s: %r", board_id, problem)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` now, up to its first wait (a frame's delivery never waits)."""
        task = eager_task(asyncio.get_running_loop(), work)
        if not task.done():
            self._pending.add(task)  # the loop keeps only weak references to tasks
            task.add_done_callback(self._pending.discard)

    # ----- Redis -----

    def _sync_publisher(self) -> redis.Redis:
        if self._publisher is None:
            self._publisher = redis.Redis.from_url(self.redis_url)
        return self._publisher

    async def _subscribe(self, board_id: int) -> None:
        if self._pubsub is None:
            client = aioredis.Redis.from_url(self.redis_url)
            self._pubsub = client.pubsub(ignore_subscribe_messages=True)
        await self._pubsub.subscribe(channel(board_id))
        if self._reader is None or self._reader.done():
            self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        pubsub = self._pubsub
        while pubsub is self._pubsub:
            try:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
            except (redis.ConnectionError, OSError):
                log.warning("Lost Redis; reconnecting")
                await asyncio.sleep(0.5)
                continue
            if message is None or message["type"] != "message":
                continue
            data = message["data"].decode()
            if data.startswith(self.origin):
                continue  # this process's own: its sockets have it already
            board_id = int(message["channel"].rsplit(b":", 1)[1])
            await self._deliver(board_id, data[ORIGIN_LENGTH:])


hub = Hub(getattr(settings, "REDIS_URL", ""))
