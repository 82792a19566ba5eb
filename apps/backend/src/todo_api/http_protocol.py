"""uvicorn's httptools protocol with the bounds it lacks (used by `python -m todo_api.serve`).

uvicorn 0.54 with httptools has no limit on a request head and no timeout
before a request's headers are complete: 26 connections each sending an
unfinished 16 MB header OOM-killed a worker, one 64 MB header stalled every
other request for 23 s (httptools joins header fragments by concatenation),
and a silent connection stayed open for ever. This subclass adds:

- `MAX_HEADER_BYTES`: a request line plus headers larger than this gets 431.
- `HEADER_TIMEOUT_SECONDS`: a request head must be complete this long after the
  connection opened or the previous response ended; otherwise 408 (or a plain
  close when the client sent nothing).
- `BODY_TIMEOUT_SECONDS`: a declared body must arrive in full within this long
  after its headers; otherwise 408.
- Two budgets per worker instead of one cap on open connections, so that slow
  clients cannot lock out prompt ones (with a single cap of 128, 300 slowloris
  connections reopened as they were closed kept it full, and every ordinary
  request got 503: p99 x31 in bench/stack/slow-clients.mjs):
  - `MAX_WAITING_CONNECTIONS` (256): connections waiting for a request, i.e.
    idle between requests or with their headers incomplete. A new connection
    over this closes the one that has waited longest (503 + `Retry-After` if it
    had sent part of a head, else a plain close). A prompt client's wait lasts
    a round trip, a slow one's up to `HEADER_TIMEOUT_SECONDS`, so it is the slow
    ones that go, and a flood of them only makes them go sooner.
  - `MAX_CONNECTIONS` (256): requests in progress (headers received, response
    not complete). A request over it gets 503 + `Retry-After` once its headers
    are in, unless one in progress is still receiving its body: the oldest of
    those is closed instead (503 if nothing was answered; the app's receive()
    sees a disconnect), so trickled bodies cannot fill it either.
  Closing to make room does not linger (that would hold a descriptor per
  closed connection for a second), and is logged once a second with a count.
- A request target that is not a path (`OPTIONS *`, `CONNECT host:443`,
  `ftp://...`, garbage) gets 400, as the frontend answers; an absolute-form
  target (`GET http://host/path`) is served as its path, the host ignored.

The two timeouts cost no timer per request: each list above is kept in the order its
connections started waiting (or started receiving a body), so one timer per worker, set
for the earliest deadline, finds every expired connection at the head of its list
(`_Slots.sweep`). With a timer armed and cancelled per request twice over, the protocol
cost about twice uvicorn's own CPU per request (bench/backend/protocol-overhead.py).

So the bytes a worker buffers for requests stay below
`MAX_WAITING_CONNECTIONS x (MAX_HEADER_BYTES + one socket read)
+ MAX_CONNECTIONS x (64 KiB + MAX_BODY_BYTES)`, about 40 MiB with the defaults
(uvicorn stops reading a body above 64 KiB until the app takes it, and the app
refuses bodies over MAX_BODY_BYTES). A refusal (431, 408, 400, 503 at
MAX_CONNECTIONS) is written, the write side shut, and the rest of what the client
sends is read and dropped for a moment before the close, so the client sees the
status instead of a connection reset; such a connection no longer counts.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import time
import weakref
from functools import cache
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from .config import ConfigError, HttpLimits, load_http_limits

logger = logging.getLogger("todo_api.http")

# How long a refused connection's further input is drained before the close.
LINGER_SECONDS = 1.0

_ABSOLUTE_FORM = re.compile(rb"https?://", re.IGNORECASE)


def origin_form(target: bytes) -> bytes | None:
    """The path and query a request target names, or None when it names none.

    `/path?q` as it is; `http(s)://authority/path?q` as its path and query (the
    authority is ignored: this server serves only itself, RFC 9112 3.2.2), `/` when
    it has no path; anything else (`*`, `host:443`, `ftp://...`, garbage) None. The
    frontend's `originForm` (apps/frontend/serve.cjs) makes the same choice.
    """
    if target.startswith(b"/"):
        return target
    if not _ABSOLUTE_FORM.match(target):
        return None
    try:
        parsed = httptools.parse_url(target)
    except httptools.HttpParserInvalidURLError:
        return None
    path = parsed.path or b"/"
    return path + b"?" + parsed.query if parsed.query is not None else path


@cache
def limits() -> HttpLimits:
    try:
        return load_http_limits()
    except ConfigError:
        # serve.py and the app's startup report the bad variable and stop; until
        # then the defaults keep the worker bounded.
        return HttpLimits()


class _Slots:
    """One worker's connections by what they hold, for the caps, the eviction order and
    the timeouts."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limits: HttpLimits) -> None:
        self.loop = loop
        self.head_timeout = limits.header_timeout_seconds
        self.body_timeout = limits.body_timeout_seconds
        # Waiting for a request (idle, or its head incomplete), longest waiting first;
        # the value is when the wait started (loop time).
        self.waiting: dict[BoundedHttpToolsProtocol, float] = {}
        # A request in progress: head received, response not complete.
        self.busy: set[BoundedHttpToolsProtocol] = set()
        # Of those, the ones still receiving their body, oldest first.
        self.receiving: dict[BoundedHttpToolsProtocol, None] = {}
        # Every request whose body is still due (pipelined ones too), oldest first, with
        # when its head was complete.
        self.bodies: dict[BoundedHttpToolsProtocol, float] = {}
        # The one timer of this worker, and the loop time it fires at.
        self.timer: asyncio.TimerHandle | None = None
        self.timer_at = 0.0
        self.counts: dict[str, int] = {}
        self.logged_at: dict[str, float] = {}

    def leave(self, conn: BoundedHttpToolsProtocol) -> None:
        self.waiting.pop(conn, None)
        self.busy.discard(conn)
        self.receiving.pop(conn, None)

    def wait(self, conn: BoundedHttpToolsProtocol) -> None:
        """(Re)enters the waiting list at its end: the wait, and its head timeout, start now."""
        self.leave(conn)
        now = self.loop.time()
        self.waiting[conn] = now
        self.wake_by(now + self.head_timeout)

    def body_due(self, conn: BoundedHttpToolsProtocol) -> None:
        """The body of `conn`'s request is due within the body timeout from now."""
        self.bodies.pop(conn, None)
        now = self.loop.time()
        self.bodies[conn] = now
        self.wake_by(now + self.body_timeout)

    def wake_by(self, deadline: float) -> None:
        if self.timer is None or self.timer_at > deadline:
            if self.timer is not None:
                self.timer.cancel()
            self.timer = self.loop.call_at(deadline, self.sweep)
            self.timer_at = deadline

    def sweep(self) -> None:
        """Ends every connection whose head or body is overdue, then sets the timer for
        the next deadline (none when nothing waits: an idle worker never wakes)."""
        self.timer = None
        now = self.loop.time()
        heads = []
        for conn, since in self.waiting.items():
            if since + self.head_timeout > now:
                break
            heads.append(conn)
        late_bodies = []
        for conn, since in self.bodies.items():
            if since + self.body_timeout > now:
                break
            late_bodies.append(conn)
        for conn in heads:
            self.waiting.pop(conn, None)
            conn._head_timed_out()
        for conn in late_bodies:
            if self.bodies.pop(conn, None) is not None:
                conn._body_timed_out()
        deadlines = []
        if self.waiting:
            deadlines.append(next(iter(self.waiting.values())) + self.head_timeout)
        if self.bodies:
            deadlines.append(next(iter(self.bodies.values())) + self.body_timeout)
        if deadlines:
            self.wake_by(min(deadlines))

    def note(self, message: str) -> None:
        """Logs `message` with a count, once a second at most: an attack makes thousands."""
        self.counts[message] = self.counts.get(message, 0) + 1
        now = time.monotonic()
        if now - self.logged_at.get(message, 0.0) >= 1.0:
            logger.warning(message, extra={"connections": self.counts[message]})
            self.counts[message], self.logged_at[message] = 0, now


_slots: weakref.WeakKeyDictionary[ServerState, _Slots] = weakref.WeakKeyDictionary()


def _busy_response() -> bytes:
    return _response(503, "Service Unavailable", "server busy, retry shortly", "retry-after: 1")


def _response(status: int, reason: str, detail: str, *extra: str) -> bytes:
    body = ('{"detail":"' + detail + '"}').encode()
    head = [
        f"HTTP/1.1 {status} {reason}",
        "content-type: application/json",
        f"content-length: {len(body)}",
        "connection: close",
        *extra,
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._limits = limits()
        self._in_head = True  # reading a request line and headers
        self._head_bytes = 0
        self._refused = False
        self._running: Any = None  # the request cycle whose answer is being sent
        slots = _slots.get(self.server_state)
        if slots is None:
            slots = _slots[self.server_state] = _Slots(self.loop, self._limits)
        self._slots = slots

    # Connection life cycle

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        waiting = self._slots.waiting
        self._slots.wait(self)
        if len(waiting) > self._limits.max_waiting_connections:
            # Whoever has waited longest goes: a flood of slow connections cannot
            # lock out a client that sends its request promptly.
            next(iter(waiting))._close_to_admit()

    def connection_lost(self, exc: Exception | None) -> None:
        self._slots.leave(self)
        self._cancel_timers()
        # uvicorn marks only `self.cycle`, the request parsed last, as disconnected. With
        # requests pipelined, the one being answered is an earlier one: it went on writing
        # to the closed transport (uvloop: RuntimeError, logged as an unhandled error).
        running = self._running
        if running is not None and running is not self.cycle and not running.response_complete:
            running.disconnected = True
            running.message_event.set()
        super().connection_lost(exc)

    def _start_asgi_task(self, cycle: Any, app: Any) -> None:
        self._running = cycle
        super()._start_asgi_task(cycle, app)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return  # draining until the lingering close
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._in_head and self._head_bytes > self._limits.max_header_bytes:
            self._head_too_large()

    # Parser callbacks

    def on_message_begin(self) -> None:
        self._in_head = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        if self._refused:
            return
        self._in_head = False
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self._limits.max_header_bytes:
            self._head_too_large()
            return
        target = origin_form(self.url)
        if target is None:
            self._bad_target()
            return
        self.url = target
        slots = self._slots
        if self not in slots.busy:  # not a request pipelined behind one in progress
            if len(slots.busy) >= self._limits.max_connections:
                if not slots.receiving:
                    slots.note("requests refused: MAX_CONNECTIONS reached")
                    self._refuse(_busy_response())
                    return
                # A request still trickling its body gives way to a complete one.
                next(iter(slots.receiving))._close_to_admit()
            slots.leave(self)
            slots.busy.add(self)
            slots.receiving[self] = None
        slots.body_due(self)
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if self._refused:
            return
        super().on_body(body)

    def on_message_complete(self) -> None:
        slots = self._slots
        slots.bodies.pop(self, None)
        if self._refused:
            return
        slots.receiving.pop(self, None)
        # What follows on this connection is the next request's head.
        self._in_head, self._head_bytes = True, 0
        super().on_message_complete()

    def on_response_complete(self) -> None:
        idle = not self.pipeline  # else uvicorn starts the next request now
        super().on_response_complete()
        if idle and not self.transport.is_closing() and not self._refused:
            self._slots.wait(self)

    # Refusals

    def send_400_response(self, msg: str) -> None:
        # uvicorn calls this while handling the parser's error; a target httptools
        # cannot even parse (`GET garbage`) gets the same answer as `OPTIONS *`.
        if isinstance(sys.exc_info()[1], httptools.HttpParserInvalidURLError):
            self._bad_target()
            return
        super().send_400_response(msg)

    def _bad_target(self) -> None:
        logger.warning("request target is not a path")
        self._refuse(
            _response(400, "Bad Request", "The request target must be a path such as /api/todos.")
        )

    def _head_too_large(self) -> None:
        limit = self._limits.max_header_bytes
        logger.warning("request head too large", extra={"limit": limit})
        self._refuse(
            _response(
                431,
                "Request Header Fields Too Large",
                f"request line and headers are larger than {limit} bytes",
            )
        )

    def _head_timed_out(self) -> None:
        if self._refused or self.transport.is_closing():
            return
        if self._head_bytes == 0:
            self.transport.close()  # an idle or silent connection: nothing to answer
            return
        logger.warning("request head timed out")
        self._refuse(_response(408, "Request Timeout", "request headers took too long"))

    def _body_timed_out(self) -> None:
        if self._refused or self.transport.is_closing():
            return
        logger.warning("request body timed out")
        cycle = self.cycle
        started = cycle is not None and cycle.response_started
        if cycle is not None and not cycle.response_complete:
            # The app's receive() now returns http.disconnect, and its late
            # response is dropped instead of mixing with ours.
            cycle.disconnected = True
            cycle.message_event.set()
        if started:
            self._cancel_timers()
            self.transport.close()
            return
        self._refuse(_response(408, "Request Timeout", "request body took too long"))

    def _close_to_admit(self) -> None:
        """Closes this connection at once to make room: 503 if it had sent part of a request."""
        receiving = self in self._slots.receiving
        self._slots.leave(self)
        if self._refused or self.transport.is_closing():
            return  # already on its way out
        self._slots.note("closed slow or idle connections to admit new ones")
        cycle = self.cycle
        answer = receiving or (self._in_head and self._head_bytes > 0)
        if receiving and cycle is not None:
            if cycle.response_started:
                answer = False
            if not cycle.response_complete:
                cycle.disconnected = True  # the app's receive() returns http.disconnect
                cycle.message_event.set()
        self._refused = True
        self._cancel_timers()
        if answer:
            self.transport.write(_busy_response())
        # No lingering: that would keep a descriptor per closed connection for a second.
        self.transport.close()

    def _refuse(self, response: bytes) -> None:
        """Answer, stop parsing, drain what the client still sends, then close."""
        self._refused = True
        self._slots.leave(self)
        self._cancel_timers()
        transport = self.transport
        transport.write(response)
        if transport.can_write_eof():
            transport.write_eof()
        self.flow.resume_reading()
        self.loop.call_later(LINGER_SECONDS, transport.close)

    # Timers

    def _cancel_timers(self) -> None:
        """No head or body timeout applies to this connection any more."""
        slots = self._slots
        slots.waiting.pop(self, None)
        slots.bodies.pop(self, None)
