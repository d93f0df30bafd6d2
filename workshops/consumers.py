"""The board's websocket: who is this, parse what they send, call a service, pass on broadcasts."""

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

from asgiref.sync import SyncToAsync
from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connections
from django.http import Http404
from django.http.cookie import parse_cookie

from workshops import access, backpressure, commands, fanout, protocol, rates, services
from workshops.limits import LIMITS
from workshops.models import Sticky, Workshop
from workshops.visibility import EVERYONE, Viewer

log = logging.getLogger(__name__)


TURNED_AWAY = "Too many frames: wait a few seconds before connecting again."


class TurnAwayFlooders:
    """ASGI middleware: a socket of a session that was closed for flooding a moment ago is held
    for a second, then told `rate_limited` and closed (4429), before the session is read or
    anything written or sent to others. Refused at once, a script reconnecting over and over
    tried ~300 times a second, and the handshakes alone slowed everyone (benchmark (k)); held,
    it tries once a second, for the price of a waiting coroutine."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] != "websocket" or not rates.senders.turned_away(session_of(scope)):
            return await self.inner(scope, receive, send)
        await receive()  # websocket.connect
        try:
            await asyncio.wait_for(receive(), LIMITS.turn_away_seconds)
            return None  # it went away while held (websocket.disconnect): nothing to answer
        except TimeoutError:
            pass
        await send({"type": "websocket.accept"})
        refusal = protocol.encode(protocol.error("rate_limited", TURNED_AWAY))
        await send({"type": "websocket.send", "text": refusal})
        await send({"type": "websocket.close", "code": protocol.CLOSE_ABUSIVE})
        return None


def session_of(scope: dict[str, Any]) -> str | None:
    """The session key a handshake's cookie names, unread."""
    for name, value in scope.get("headers", ()):
        if name == b"cookie":
            return parse_cookie(value.decode("latin-1")).get(settings.SESSION_COOKIE_NAME)
    return None


class ServerSend:
    """ASGI middleware that hands the server's own `send` to the board's sockets, under
    scope["server_send"], so that broadcast frames skip the session middleware's wrapper of
    `send`, which reads the session on every frame (a fifth of a frame's cost; websocket
    consumers never save the session through it anyway)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        return await self.inner(dict(scope, server_send=send), receive, send)


# The thread that runs every `on_database_thread` call of the sockets (asgiref's one
# thread for thread-sensitive work outside a request): the changes go there too, so a process
# keeps one database connection and SQLite one writer. They go straight to it rather than
# through database_sync_to_async, whose trip (context copies, checks) showed under load
# (benchmarks/README.md, the performance log).
DATABASE_THREAD = SyncToAsync.single_thread_executor


def keep_or_close() -> None:
    """After each piece of work on the database thread: close a connection that failed and
    no longer works (the next piece opens another), and keep a working one, whatever its age.
    The thread does every socket's database work, one piece after another; closing by age after
    each (what Channels' database_sync_to_async does, and with a pool that is every time) cost a
    new connection, or a health check's round trip, every time."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is None or connection.in_atomic_block:
            continue
        if connection.errors_occurred:
            if connection.is_usable():
                connection.errors_occurred = False
            else:
                connection.close()


class on_database_thread(SyncToAsync):  # used as a function, like Channels' own
    """What Channels' database_sync_to_async does (the same thread), but keeping the thread's
    connection while it works (keep_or_close) instead of closing it by age around every call."""

    def thread_handler(self, loop: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            keep_or_close()


def _run_together(group: list[tuple[commands.Command, Any, Any]]) -> list[Any]:
    """services.run_together on the database thread, keeping its connection if it works."""
    try:
        return services.run_together(group)
    finally:
        keep_or_close()


class Changes:
    """This process's board commands, applied in groups. While the database thread applies
    one group, the commands that arrive meanwhile wait and then go together: one trip to the
    thread and one commit (one flush of the disk) for all of them. Alone, a command goes at
    once."""

    largest = 64

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.waiting: list[tuple[commands.Command, Any, Any, asyncio.Future[Any]]] = []
        self.draining: asyncio.Task[None] | None = None

    async def apply(self, command: commands.Command, workshop: Any, by: Any) -> Any:
        loop = asyncio.get_running_loop()
        if loop is not self.loop:  # a new event loop (a new test): start afresh
            self.loop, self.waiting, self.draining = loop, [], None
        future: asyncio.Future[Any] = loop.create_future()
        self.waiting.append((command, workshop, by, future))
        if self.draining is None:
            self.draining = loop.create_task(self.drain())
        return await future

    async def drain(self) -> None:
        try:
            while self.waiting:
                group, self.waiting = self.waiting[: self.largest], self.waiting[self.largest :]
                batch = [(command, workshop, by) for command, workshop, by, _ in group]
                try:
                    outcomes = await asyncio.get_running_loop().run_in_executor(
                        DATABASE_THREAD, _run_together, batch
                    )
                except asyncio.CancelledError:  # the server is stopping
                    for *_, future in group + self.waiting:
                        future.cancel()
                    raise
                except Exception as failure:  # the commit failed: nothing was applied
                    outcomes = [failure] * len(group)
                for (*_, future), outcome in zip(group, outcomes, strict=True):
                    if future.done():  # its socket went away meanwhile
                        continue
                    if isinstance(outcome, Exception):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
        finally:
            self.draining = None


changes = Changes()


def _enter(slug: str, user: Any, session: Any) -> access.Access:
    workshop = access.workshop_by_slug(slug)
    return services.access_of(workshop=workshop, user=user, session=session)


# How far each role reaches, to compare with the least role a command needs.
REACH = {access.Role.OBSERVER: 0, access.Role.PARTICIPANT: 1, access.Role.FACILITATOR: 2}


class BoardConsumer(AsyncWebsocketConsumer):
    """One browser's socket to one board."""

    me: access.Access | None = None
    viewer: Viewer = EVERYONE  # what the fan-out shows this socket
    sender: tuple[str, object] | None = None  # whose frame budget this socket spends
    server_buffer: Callable[[], int] | None = None  # Daphne: bytes it holds for this socket
    closing = False
    connection_id: UUID | None = None
    editing: UUID | None = None
    sending: "asyncio.Task[None] | None" = None  # a send that had to wait (frames queue behind)

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' own dispatch first sends every frame to the database thread to close stale
        # connections; here the thread sees to its connection after each piece of work
        # (keep_or_close), and the extra trip per frame showed under load.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        try:
            await handler(message)
        except Exception:
            # The server closes a socket whose handler failed without calling disconnect():
            # take it out of the fan-out and give its budget back first, or the process would
            # write every later frame of the board to it.
            await self.leave_everything()
            raise

    async def connect(self) -> None:
        self.socket_id = uuid4().hex
        slug = self.scope["url_route"]["kwargs"]["slug"]
        await self.accept()
        try:
            self.me = await on_database_thread(_enter)(
                slug, self.scope["user"], self.scope["session"]
            )
        except Http404 as refusal:
            await self.refuse("not_found", str(refusal), protocol.CLOSE_NOT_FOUND)
            return
        except PermissionDenied as refusal:
            await self.refuse("forbidden", str(refusal), protocol.CLOSE_FORBIDDEN)
            return
        participant = self.me.participant
        self.sender = ("participant", participant.pk) if participant else ("socket", self.socket_id)
        self.rate = rates.senders.take(self.sender)
        if self.rate.refuses_socket():  # closed for flooding a moment ago (another session)
            await self.refuse("rate_limited", TURNED_AWAY, protocol.CLOSE_ABUSIVE)
            return
        self.backlog: deque[str] = deque()
        self.loop = asyncio.get_running_loop()
        self.send_frame = self.scope.get("server_send", self.base_send)
        self.server_buffer = backpressure.server_buffer(self.send_frame)
        self.viewer = self.me.viewer
        workshop = self.me.workshop
        await fanout.hub.join(workshop.pk, self)
        participant = self.me.participant
        await self.send_message(
            protocol.message(
                "welcome",
                seq=workshop.seq,
                role=self.me.role.value,
                participant=participant.pk if participant else None,
                now=protocol.now(),
            )
        )
        connection = await on_database_thread(services.presence_connect)(
            workshop=workshop, participant=participant, channel_name=self.socket_id
        )
        self.connection_id = connection.pk

    async def disconnect(self, code: int) -> None:
        if self.me is not None and self.editing is not None:
            await self.say_editing(None)
        await self.leave_everything()

    async def leave_everything(self) -> None:
        """This socket leaves the fan-out, its frame budget and "Here now" (once)."""
        if self.sending is not None:
            self.sending.cancel()
        if self.sender is not None:
            rates.senders.give_back(self.sender)
            self.sender = None
        if self.me is None:
            return
        workshop, self.me = self.me.workshop, None
        await fanout.hub.leave(workshop.pk, self)
        if self.connection_id is not None:
            connection_id, self.connection_id = self.connection_id, None
            try:
                await on_database_thread(services.presence_disconnect)(
                    workshop=workshop, connection_id=connection_id
                )
            except DatabaseError:  # the row ages out of "Here now" by itself
                log.warning("Presence not cleared for a closed socket", exc_info=True)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.me is None or self.closing:
            return
        if not self.rate.allow():
            if self.rate.flooding:
                rates.senders.bar(self.scope["session"].session_key, self.rate)
                await self.refuse("rate_limited", "Too many frames.", protocol.CLOSE_ABUSIVE)
            else:
                await self.send_message(
                    protocol.error("rate_limited", "Too many changes at once: slow down a little.")
                )
            return
        try:
            command = commands.parse(text_data)
        except protocol.ProtocolError as problem:
            await self.send_message(protocol.error(problem.code, problem.message, problem.op))
            return
        if command.spec.changes_board:
            await self.change(command)  # the change's skeleton checks the role
        elif REACH[self.me.role] < REACH[command.spec.role]:
            await self.send_message(
                protocol.error("not_allowed", "Observers can look at the board but not change it.")
            )
        elif command.name == "ping":
            try:
                seq = await on_database_thread(self._seen)()
            except DatabaseError:  # presence waits; the page pings again
                log.warning("A ping could not be recorded", exc_info=True)
                return
            await self.send_message(protocol.message("pong", seq=seq, now=protocol.now()))
        elif command.name == "sync":
            try:
                update = await on_database_thread(services.catch_up)(
                    workshop=self.me.workshop, since=command.values["since"], viewer=self.viewer
                )
            except DatabaseError:
                log.warning("A catch-up could not be read", exc_info=True)
                text = "The board could not be read just now; the page asks again."
                update = protocol.error("failed", text)
            await self.send_message(update)
        elif command.name == "editing":
            await self.say_editing(command.values["sticky"])

    async def change(self, command: commands.Command) -> None:
        """Apply a change; its broadcast (after the commit) confirms it to this socket too."""
        assert self.me is not None and command.op is not None
        try:
            await changes.apply(command, self.me.workshop, self.me.participant)
        except services.AlreadyApplied as applied:
            await self.send_message(protocol.message("ack", op=command.op, seq=applied.seq))
        except PermissionDenied as refusal:
            await self.send_message(protocol.error("not_allowed", str(refusal), command.op))
        except ValidationError as problem:
            message = " ".join(problem.messages)
            await self.send_message(protocol.error("invalid", message, command.op))
        except services.Gone as gone:
            await self.send_message(protocol.error("gone", str(gone), command.op))
        except DatabaseError:  # the commit failed (the database went away): nothing applied
            log.warning("A change could not be committed", exc_info=True)
            text = "The server could not save that change just now; nothing was changed. Try again."
            await self.send_message(protocol.error("failed", text, command.op))
        except services.Conflict as conflict:
            sticky = conflict.sticky
            await self.send_message(
                protocol.message(
                    "conflict",
                    op=command.op,
                    sticky=str(sticky.pk),
                    text=sticky.text,
                    text_version=sticky.text_version,
                    message=str(conflict),
                )
            )

    async def say_editing(self, sticky: UUID | None) -> None:
        assert self.me is not None
        person = self.me.participant
        if person is None or not self.me.can_edit:
            return
        if sticky is not None and not await on_database_thread(self._may_say_editing)(sticky):
            return  # ended or locked since this socket opened, or a nameless pain point
        self.editing = sticky
        await protocol.apublish(
            self.me.workshop.pk,
            protocol.message(
                "editing",
                participant=person.pk,
                name=person.name,
                colour=person.colour,
                sticky=str(sticky) if sticky else None,
            ),
        )

    def _may_say_editing(self, sticky: UUID) -> bool:
        """Whether to tell everyone that this person edits `sticky`: they may change the board
        now, and it is not a pain point posted without a name (which would point at its
        author)."""
        assert self.me is not None
        nameless = Sticky.objects.filter(pk=sticky, workshop=self.me.workshop, anonymous=True)
        return self._may_edit_now() and not nameless.exists()

    def _may_edit_now(self) -> bool:
        """Whether this person may change the board as it is now (not ended; not locked, unless
        they run it)."""
        assert self.me is not None
        ended, locked = Workshop.objects.values_list("ended_at", "locked").get(
            pk=self.me.workshop.pk
        )
        return ended is None and (not locked or self.me.is_facilitator)

    def _seen(self) -> int:
        """Keep this socket present; a socket swept as stale (a laptop that slept) comes back."""
        assert self.me is not None
        workshop = self.me.workshop
        if self.connection_id is not None:
            seq = services.presence_seen(workshop=workshop, connection_id=self.connection_id)
            if seq is not None:
                return seq
        connection = services.presence_connect(
            workshop=workshop, participant=self.me.participant, channel_name=self.socket_id
        )
        self.connection_id = connection.pk
        return workshop.seq

    # ----- from the fan-out (fanout.Socket) -----

    def deliver(self, frame: str) -> None:
        if self.closing:
            return
        if self.server_buffer is not None and self.server_buffer() > LIMITS.socket_buffer_bytes:
            self.too_slow()  # Daphne holds too much that this socket has not read
            return
        if self.sending is None:
            # Send at once: an eager task runs until it would have to wait, which with Daphne
            # is never (it buffers), so the frame is written without a turn of the event loop.
            task = fanout.eager_task(self.loop, self.write(frame))
            if not task.done():
                self.sending = task
        elif len(self.backlog) < LIMITS.socket_backlog:
            self.backlog.append(frame)  # behind a send that is waiting: one writer, in order
        else:
            self.too_slow()

    def too_slow(self) -> None:
        """Too far behind to catch up frame by frame: close; the browser reconnects and
        catches up from the log in one message."""
        if self.closing:
            return
        self.closing = True
        if self.sending is not None:
            self.sending.cancel()
        self.backlog.clear()
        self.sending = asyncio.create_task(self.close(code=protocol.CLOSE_TOO_SLOW))

    async def write(self, frame: str) -> None:
        """Send a frame, then whatever queued behind it meanwhile; each socket has its own
        writer, so one slow reader delays nobody else."""
        try:
            await self.send_frame({"type": "websocket.send", "text": frame})
            while self.backlog:
                await self.send_frame({"type": "websocket.send", "text": self.backlog.popleft()})
        except Exception as problem:  # the socket closed meanwhile; its disconnect follows
            log.debug("Frame not sent: %r", problem)
            self.backlog.clear()
        self.sending = None

    async def control(self, message: dict[str, Any]) -> None:
        if self.me is None or not message.get("revoke"):
            return
        participant = self.me.participant
        mine = (message["participant"] is not None and participant is not None
                and message["participant"] == participant.pk)  # fmt: skip
        if mine or message["role"] == self.me.role.value or message.get("everyone"):
            await self.send(text_data=message["frame"])
            # (Its presence rows went with the change that sent it away; and this may run in
            # the context of that change's thread, where no database call may wait for it.)
            self.connection_id = None
            await self.leave_everything()
            await self.close(code=protocol.CLOSE_FORBIDDEN)

    # ----- helpers -----

    async def send_message(self, message: dict[str, Any]) -> None:
        await self.send(text_data=protocol.encode(message))

    async def refuse(self, code: str, message: str, close_code: int) -> None:
        """Say why, and close: frames that arrive after this are not answered."""
        await self.send_message(protocol.error(code, message))
        self.closing = True
        await self.close(code=close_code)
