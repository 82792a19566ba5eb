"""Database access on the request path: an asyncpg pool per worker process.

Why asyncpg and plain SQL rather than (async) SQLAlchemy: the request path is
five short statements; asyncpg runs them as cached prepared statements and
decodes rows in C, so a list request costs a fraction of what the ORM and its
session bookkeeping cost (see apps/backend/README.md for the measurements).
SQLAlchemy stays for the model and the alembic migrations.

Disconnects are handled without a per-checkout ping: asyncpg notices a closed
socket on the event loop, and the pool reconnects a closed connection when it
is handed out. A statement that still meets a dead connection marks every idle
connection for replacement and becomes a 503, never a 500.

A connection that failed, or that is closed when the request is done, is never
handed back with `Pool.release`: it is terminated, which frees its pool slot.
asyncpg 0.31's release skips a closed connection on the assumption that closing
already freed the slot, but a connection aborted by a protocol error during a
database restart (InternalClientError "cannot switch to state ...") is closed
without that cleanup: each such error leaked one slot until the pool answered
"no database connection free" forever (tests/test_db_chaos.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import Request

logger = logging.getLogger(__name__)

READY_TIMEOUT_SECONDS = 2.0
POOL_CLOSE_TIMEOUT_SECONDS = 5.0

# Errors that say "the database is not there or not answering", not "your
# request is wrong". TimeoutError is an OSError since Python 3.11.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,  # 08xxx, includes ConnectionDoesNotExistError
    asyncpg.exceptions.OperatorInterventionError,  # 57xxx: shutdown, statement timeout
    asyncpg.exceptions.InsufficientResourcesError,  # 53xxx: too many connections
    asyncpg.InterfaceError,
    # "cannot switch to state ...": a protocol left half-way by a dropped connection.
    asyncpg.exceptions.InternalClientError,
)
# Handing out a pooled connection may open one: then any error the server sends
# (e.g. 55000 "database ... is not currently accepting connections", 28P01 a
# changed password, 3D000 a dropped database) means the database is not there for
# us, never that the request was wrong.
CONNECT_ERRORS: tuple[type[BaseException], ...] = (*UNAVAILABLE_ERRORS, asyncpg.PostgresError)


class DatabaseUnavailable(Exception):
    """The database did not answer in time; mapped to 503 with Retry-After.

    `outcome_unknown`: the request's statements may have reached the database before its
    connection failed (a write may be committed), and a retry could apply it twice. Then the
    503 carries no Retry-After (see web.on_database_unavailable).
    """

    def __init__(self, reason: str, retry_after: int = 2, *, outcome_unknown: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown


def may_apply_twice(request: Request) -> bool:
    """Whether a blind retry of this request could apply it twice: a POST without a key.

    A create (or a chat, which may create) whose answer was lost is applied again by its
    retry unless it carries an Idempotency-Key; GET, PATCH (absolute values) and DELETE
    leave the same state when repeated, and a keyed POST is replayed, not applied again.
    """
    return request.method == "POST" and not request.headers.get("idempotency-key")


def asyncpg_dsn(database_url: str) -> str:
    """asyncpg takes libpq-style URLs; drop SQLAlchemy's +driver suffix."""
    scheme, sep, rest = database_url.partition("://")
    return "postgresql" + sep + rest if scheme.startswith("postgres") else database_url


async def make_pool(
    database_url: str, *, size: int, statement_timeout: float, connect_timeout: float
) -> asyncpg.Pool:
    # min_size=0: the app starts without a database; /ready reports when it answers.
    return await asyncpg.create_pool(
        asyncpg_dsn(database_url),
        min_size=0,
        max_size=size,
        timeout=connect_timeout,
        command_timeout=statement_timeout,
        max_inactive_connection_lifetime=60,
        server_settings={"application_name": "todo-api"},
        # The default reset runs one more round trip (RESET ALL, UNLISTEN, ...)
        # on every release. Nothing here changes session state; an open
        # transaction is still rolled back by the pool before this is called.
        reset=_session_state_is_never_changed,
    )


async def close_pool(pool: asyncpg.Pool, timeout: float = POOL_CLOSE_TIMEOUT_SECONDS) -> None:
    """Close gracefully, but never wait longer than `timeout` for a connection to come back."""
    try:
        await asyncio.wait_for(pool.close(), timeout)
    except (TimeoutError, *UNAVAILABLE_ERRORS) as exc:
        logger.warning("pool closed forcibly", extra={"reason": describe(exc)})
        pool.terminate()


async def _session_state_is_never_changed(_: asyncpg.Connection) -> None:
    return None


def describe(exc: BaseException) -> str:
    """Class and SQLSTATE only: a server message may quote the request's values."""
    state = getattr(exc, "sqlstate", None)
    return f"{type(exc).__name__}{f' ({state})' if state else ''}"


class PoolHealth:
    """Whether the request pool serves; kept by the requests, /ready and /health.

    `failing_since` is set by the first request the pool could not serve and
    cleared by the next one it served; `in_use` counts connections held by
    requests, so a pool that times out while fewer are held has lost slots
    rather than being busy. `verdict` is the last full check (see
    routes/health.py): "ok", "database down" or "stuck" (the database answers,
    the pool does not).
    """

    def __init__(self) -> None:
        self.failing_since: float | None = None
        self.in_use = 0
        self.verdict: str | None = None
        self.verdict_at = 0.0
        self.checking: asyncio.Task[object] | None = None

    def served(self) -> None:
        self.failing_since = None

    def failed(self) -> None:
        if self.failing_since is None:
            self.failing_since = time.monotonic()

    def failing_for(self) -> float:
        return 0.0 if self.failing_since is None else time.monotonic() - self.failing_since

    def judge(self, verdict: str) -> None:
        self.verdict, self.verdict_at = verdict, time.monotonic()

    def verdict_age(self) -> float:
        return time.monotonic() - self.verdict_at


def _discard(conn: asyncpg.pool.PoolConnectionProxy) -> None:
    """Close a pooled connection for good and free its slot (private asyncpg 0.31 API)."""
    holder, raw = conn._holder, conn._con
    if raw is None:
        return  # asyncpg already freed the slot when the connection died
    raw.terminate()  # Connection._cleanup frees the slot while the proxy is attached
    if holder._proxy is conn and holder._in_use is not None:
        holder._release_on_close()


async def _give_back(pool: asyncpg.Pool, conn: asyncpg.pool.PoolConnectionProxy) -> None:
    raw = conn._con
    if raw is None:
        return
    if raw.is_closed():
        _discard(conn)
        return
    try:
        await pool.release(conn)
    except BaseException:
        # The release itself failed (its rollback met a dead socket, or it was cancelled).
        _discard(conn)
        raise


@asynccontextmanager
async def connection(request: Request) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection for one request; database trouble becomes DatabaseUnavailable."""
    state = request.app.state
    pool: asyncpg.Pool = state.pool
    health: PoolHealth = state.pool_health
    try:
        conn = await pool.acquire(timeout=state.pool_timeout)
    except TimeoutError:
        # Every connection busy (or connecting takes too long): shed load fast.
        health.failed()
        raise DatabaseUnavailable("no database connection free", retry_after=1) from None
    except CONNECT_ERRORS as exc:
        health.failed()
        raise DatabaseUnavailable(describe(exc)) from None
    health.in_use += 1
    try:
        yield conn
    except UNAVAILABLE_ERRORS as exc:
        # Never reuse it; and one dead connection usually means all of them (a restart).
        _discard(conn)
        await pool.expire_connections()
        health.failed()
        # The statements may have been sent (an INSERT, a COMMIT) and applied after all.
        raise DatabaseUnavailable(describe(exc), outcome_unknown=may_apply_twice(request)) from None
    except BaseException:
        # Application outcomes (a 404, a 412, a provider error) leave the connection usable.
        await _give_back_quietly(pool, conn)
        raise
    else:
        try:
            await _give_back(pool, conn)
        except UNAVAILABLE_ERRORS as exc:
            # The work is committed; only the connection's cleanup failed.
            logger.warning("connection release failed", extra={"reason": describe(exc)})
        health.served()
    finally:
        health.in_use -= 1


@asynccontextmanager
async def transaction(conn: asyncpg.Connection) -> AsyncIterator[None]:
    """`conn.transaction()`, except that a transaction whose connection failed is not rolled back.

    After a statement times out, asyncpg waits for the server to confirm the cancel before it
    sends anything else, with no time limit: the ROLLBACK of `conn.transaction()` then waited
    for as long as the database stayed frozen (for ever behind a network partition), past the
    frontend's BACKEND_TIMEOUT_MS. Used inside `connection()`, which terminates a connection
    that failed; the server rolls back the open transaction of a connection that goes away.
    """
    tx = conn.transaction()
    await tx.start()
    try:
        yield
    except UNAVAILABLE_ERRORS:
        raise
    except BaseException:
        await tx.rollback()
        raise
    else:
        await tx.commit()


async def _give_back_quietly(pool: asyncpg.Pool, conn: asyncpg.pool.PoolConnectionProxy) -> None:
    try:
        await _give_back(pool, conn)
    except UNAVAILABLE_ERRORS as exc:
        logger.warning("connection release failed", extra={"reason": describe(exc)})


async def probe_pool(pool: asyncpg.Pool, health: PoolHealth, timeout: float) -> str | None:
    """None when the pool serves `SELECT 1` (or is merely busy); else why not."""
    try:
        conn = await pool.acquire(timeout=timeout)
    except TimeoutError:
        if health.in_use >= pool.get_max_size():
            return None  # every slot is held by a request: busy, not broken
        return f"no pool connection free within {timeout:g}s while {health.in_use} are in use"
    except CONNECT_ERRORS as exc:
        return describe(exc)
    try:
        await conn.fetchval("SELECT 1", timeout=timeout)
    except UNAVAILABLE_ERRORS as exc:
        _discard(conn)
        return describe(exc)
    except BaseException:
        _discard(conn)
        raise
    await _give_back_quietly(pool, conn)
    health.served()
    return None


class ReadinessProbe:
    """/ready's own connection, outside the pool, so a busy pool cannot starve it."""

    def __init__(self, database_url: str) -> None:
        self._dsn = asyncpg_dsn(database_url)
        self._conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()

    async def check(self) -> None:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS), self._lock:
            try:
                if self._conn is None or self._conn.is_closed():
                    self._conn = await asyncpg.connect(
                        self._dsn,
                        timeout=READY_TIMEOUT_SECONDS,
                        server_settings={"application_name": "todo-api-ready"},
                    )
                await self._conn.fetchval("SELECT 1", timeout=READY_TIMEOUT_SECONDS)
            except BaseException:
                await self.close()
                raise

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.terminate()
