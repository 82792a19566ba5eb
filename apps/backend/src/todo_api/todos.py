"""Todo persistence in plain SQL, shared by the REST routes and the assistant tools.

Every write is one statement, so concurrent requests never interleave a
read-modify-write: a PATCH is `UPDATE ... RETURNING`, guarded by the row's
version when the client sent If-Match.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg

from .db import transaction

COLUMNS = "id, title, description, completed, created_at, updated_at, version"
UPDATABLE = ("title", "description", "completed")

Todo = dict[str, Any]


class StaleVersion(Exception):
    """If-Match named versions the row no longer has; carries the current row."""

    def __init__(self, current: Todo) -> None:
        super().__init__(f"todo {current['id']} is at version {current['version']}")
        self.current = current


async def list_todos(
    conn: asyncpg.Connection, *, limit: int, offset: int, completed: bool | None = None
) -> tuple[list[Todo], int]:
    # One statement returns the page and the total: count(*) OVER () is
    # computed over the filtered rows before LIMIT applies.
    where, args = ("WHERE completed = $3", [completed]) if completed is not None else ("", [])
    rows = await conn.fetch(
        f"SELECT {COLUMNS}, count(*) OVER () AS total FROM todos {where} "  # noqa: S608 - fixed SQL
        "ORDER BY id LIMIT $1 OFFSET $2",
        limit,
        offset,
        *args,
    )
    if rows:
        total = rows[0]["total"]
        return [_todo(row) for row in rows], total
    if offset == 0:
        return [], 0
    # A page past the end has no row to carry the total.
    total = await conn.fetchval(f"SELECT count(*) FROM todos {where.replace('$3', '$1')}", *args)  # noqa: S608
    return [], total


async def create_todo(
    conn: asyncpg.Connection, *, title: str, description: str | None = None
) -> Todo:
    row = await conn.fetchrow(
        f"INSERT INTO todos (title, description, completed) VALUES ($1, $2, false) "  # noqa: S608
        f"RETURNING {COLUMNS}",
        title,
        description,
    )
    return _todo(row)


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was first used with a different request body."""


async def run_once(
    conn: asyncpg.Connection,
    *,
    key: str,
    request_hash: str,
    ttl_seconds: int,
    produce: Callable[[asyncpg.Connection], Awaitable[tuple[int, bytes]]],
) -> tuple[int, bytes, bool]:
    """Run `produce` once per key: (status, response body, replayed).

    The key row and whatever `produce` writes are committed in one transaction, so a key is
    only ever stored with the answer it produced, and an exception from `produce` rolls both
    back (the key may then be used again). A concurrent request with the same key waits on
    the key's unique index until the first commits, then replays its answer (or, if the
    first rolled back, runs `produce` itself). `request_hash` must cover the endpoint as well
    as the body, so one key cannot replay another endpoint's answer.
    """
    for _ in range(2):
        answer = await _run_or_replay(conn, key, request_hash, ttl_seconds, produce)
        if answer is not None:
            return answer
    # The key's row was there when the insert conflicted and gone (expired) just after.
    raise IdempotencyKeyReused("the key expired while this request used it")


async def _run_or_replay(
    conn: asyncpg.Connection,
    key: str,
    request_hash: str,
    ttl_seconds: int,
    produce: Callable[[asyncpg.Connection], Awaitable[tuple[int, bytes]]],
) -> tuple[int, bytes, bool] | None:
    async with transaction(conn):
        # This key once expired may be used afresh; other expired keys go in small batches.
        await conn.execute(
            "DELETE FROM idempotency_keys WHERE key = $1 AND expires_at <= now()", key
        )
        await conn.execute(
            "DELETE FROM idempotency_keys WHERE key IN (SELECT key FROM idempotency_keys "
            "WHERE expires_at <= now() ORDER BY expires_at LIMIT 100 FOR UPDATE SKIP LOCKED)"
        )
        claimed = await conn.fetchval(
            "INSERT INTO idempotency_keys (key, request_hash, status, response, expires_at) "
            "VALUES ($1, $2, 0, '', now() + make_interval(secs => $3)) "
            "ON CONFLICT (key) DO NOTHING RETURNING true",
            key,
            request_hash,
            float(ttl_seconds),
        )
        if claimed:
            status, body = await produce(conn)
            await conn.execute(
                "UPDATE idempotency_keys SET status = $2, response = $3 WHERE key = $1",
                key,
                status,
                body.decode(),
            )
            return status, body, False
        first = await conn.fetchrow(
            "SELECT request_hash, status, response FROM idempotency_keys WHERE key = $1", key
        )
    if first is None:
        return None
    if first["request_hash"] != request_hash:
        raise IdempotencyKeyReused("the key was first used with a different request body")
    return first["status"], first["response"].encode(), True


async def get_todo(conn: asyncpg.Connection, todo_id: int) -> Todo | None:
    row = await conn.fetchrow(f"SELECT {COLUMNS} FROM todos WHERE id = $1", todo_id)  # noqa: S608
    return _todo(row) if row else None


async def update_todo(
    conn: asyncpg.Connection,
    todo_id: int,
    changes: dict[str, object],
    *,
    if_versions: Sequence[int] | None = None,
) -> Todo | None:
    """Apply `changes` in one statement; None if the todo does not exist.

    `if_versions` (from If-Match) makes the write conditional on the row's
    version; a mismatch raises StaleVersion with the row as it is now.
    """
    fields = [name for name in UPDATABLE if name in changes]
    if not fields:
        current = await get_todo(conn, todo_id)
        if (
            current is not None
            and if_versions is not None
            and current["version"] not in if_versions
        ):
            raise StaleVersion(current)
        return current
    values = [changes[name] for name in fields]
    sets = ", ".join(f"{name} = ${i}" for i, name in enumerate(fields, start=2))
    guard = ""
    if if_versions is not None:
        values.append(list(if_versions))
        guard = f" AND version = ANY(${len(values) + 1}::int[])"
    row = await conn.fetchrow(
        f"UPDATE todos SET {sets}, version = version + 1, updated_at = now() "  # noqa: S608
        f"WHERE id = $1{guard} RETURNING {COLUMNS}",
        todo_id,
        *values,
    )
    if row is not None:
        return _todo(row)
    return await _missing_or_stale(conn, todo_id, if_versions)


async def delete_todo(
    conn: asyncpg.Connection, todo_id: int, *, if_versions: Sequence[int] | None = None
) -> bool:
    """True if deleted, False if there was no such todo; StaleVersion on a mismatch."""
    if if_versions is None:
        deleted = await conn.fetchval("DELETE FROM todos WHERE id = $1 RETURNING id", todo_id)
    else:
        deleted = await conn.fetchval(
            "DELETE FROM todos WHERE id = $1 AND version = ANY($2::int[]) RETURNING id",
            todo_id,
            list(if_versions),
        )
    if deleted is not None:
        return True
    await _missing_or_stale(conn, todo_id, if_versions)
    return False


async def find_by_title(conn: asyncpg.Connection, words: str, *, limit: int = 5) -> list[Todo]:
    """Todos whose title equals `words` (case-insensitive), else those containing it."""
    exact = await conn.fetch(
        f"SELECT {COLUMNS} FROM todos WHERE lower(title) = lower($1) ORDER BY id LIMIT $2",  # noqa: S608
        words,
        limit,
    )
    if exact:
        return [_todo(row) for row in exact]
    pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = await conn.fetch(
        f"SELECT {COLUMNS} FROM todos WHERE title ILIKE $1 ORDER BY id LIMIT $2",  # noqa: S608
        pattern,
        limit,
    )
    return [_todo(row) for row in rows]


async def _missing_or_stale(
    conn: asyncpg.Connection, todo_id: int, if_versions: Sequence[int] | None
) -> None:
    current = await get_todo(conn, todo_id)
    if current is not None and if_versions is not None:
        raise StaleVersion(current)


def _todo(row: asyncpg.Record) -> Todo:
    return {
        "id": row["id"],
        "title": row["title"],
        "description": row["description"],
        "completed": row["completed"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
        "version": row["version"],
    }
