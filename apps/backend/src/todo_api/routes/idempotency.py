"""Idempotency-Key on the POST endpoints that write (create a todo, chat).

A keyed request runs once per key (todos.run_once); a retry with the same key and body
replays the first answer, and the same key with another body is 422.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Annotated

import asyncpg
import orjson
from fastapi import Header, Request, Response
from pydantic import BaseModel

from .. import todos
from ..db import connection
from ..web import FastJSONResponse

IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Any 1-255 visible ASCII characters, e.g. a UUID. A retried request with "
        "the same key (within IDEMPOTENCY_TTL_SECONDS) answers the first result and acts on "
        "nothing; the same key with another body is 422.",
    ),
]


async def run_keyed(
    request: Request,
    key: str,
    body: BaseModel,
    produce: Callable[[asyncpg.Connection], Awaitable[tuple[int, bytes]]],
    *,
    scope: bytes = b"",
) -> tuple[int, bytes, bool] | Response:
    """(status, response body, replayed) of the one run of `produce` for `key`, or the 422.

    The request is fingerprinted by its validated body, canonically encoded, so formatting and
    key order do not matter; `scope` names the endpoint, so one endpoint's key never replays
    another's answer (a create's scope is empty, as keys stored before the chat took one were).
    """
    fingerprint = hashlib.sha256(
        scope + orjson.dumps(body.model_dump(), option=orjson.OPT_SORT_KEYS)
    ).hexdigest()
    try:
        async with connection(request) as conn:
            return await todos.run_once(
                conn,
                key=key,
                request_hash=fingerprint,
                ttl_seconds=request.app.state.settings.idempotency_ttl_seconds,
                produce=produce,
            )
    except todos.IdempotencyKeyReused as exc:
        detail = f"Idempotency-Key cannot be reused here: {exc}"
        return FastJSONResponse({"detail": detail}, status_code=422)
