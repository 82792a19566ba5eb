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
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import Request

logger = logging.getLogger(__name__)

READY_TIMEOUT_SECONDS = 2.0

# Errors that say "the database is not there or not answering", not "your
# request is wrong". TimeoutError is an OSError since Python 3.11.
UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,  # 08xxx, includes ConnectionDoesNotExistError
    asyncpg.exceptions.OperatorInterventionError,  # 57xxx: shutdown, statement timeout
    asyncpg.exceptions.InsufficientResourcesError,  # 53xxx: too many connections
    asyncpg.InterfaceError,
)


class DatabaseUnavailable(Exception):
    """The database did not answer in time; mapped to 503 with Retry-After."""

    def __init__(self, reason: str, retry_after: int = 2) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


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


async def _session_state_is_never_changed(_: asyncpg.Connection) -> None:
    return None


def describe(exc: BaseException) -> str:
    """Class and SQLSTATE only: a server message may quote the request's values."""
    state = getattr(exc, "sqlstate", None)
    return f"{type(exc).__name__}{f' ({state})' if state else ''}"


@asynccontextmanager
async def connection(request: Request) -> AsyncIterator[asyncpg.Connection]:
    """A pooled connection for one request; database trouble becomes DatabaseUnavailable."""
    state = request.app.state
    pool: asyncpg.Pool = state.pool
    try:
        conn = await pool.acquire(timeout=state.pool_timeout)
    except TimeoutError:
        # Every connection busy (or connecting takes too long): shed load fast.
        raise DatabaseUnavailable("no database connection free", retry_after=1) from None
    except UNAVAILABLE_ERRORS as exc:
        raise DatabaseUnavailable(describe(exc)) from None
    try:
        yield conn
    except UNAVAILABLE_ERRORS as exc:
        # One dead connection usually means all of them (a database restart).
        await pool.expire_connections()
        raise DatabaseUnavailable(describe(exc)) from None
    finally:
        # A connection that died while resetting is replaced by the pool.
        with contextlib.suppress(*UNAVAILABLE_ERRORS):
            await pool.release(conn)


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
