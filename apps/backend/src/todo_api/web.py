"""HTTP plumbing: fast JSON responses, safe error bodies, body limit, last-resort guard."""

from __future__ import annotations

import logging
import math
import traceback
from typing import Any

import orjson
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .db import DatabaseUnavailable

logger = logging.getLogger("todo_api")

# What a 422 may echo of the rejected value: enough to recognise it, never a payload.
ECHO_LIMIT = 40


class FastJSONResponse(Response):
    """orjson: serialises the list page (datetimes included) several times faster."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def _echo(value: object) -> str | int | bool | None:
    """A short, always-encodable stand-in for a rejected input value."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int) and abs(value) < 2**53:
        return value
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    text = value if isinstance(value, str) else repr(value)
    short = text[:ECHO_LIMIT] + ("…" if len(text) > ECHO_LIMIT else "")
    # Lone surrogates cannot be encoded; show them as escapes.
    return short.encode("utf-8", "backslashreplace").decode("utf-8")


def validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for error in exc.errors():
        item: dict[str, Any] = {
            "loc": [part if isinstance(part, int | str) else str(part) for part in error["loc"]],
            "msg": error["msg"],
            "type": error["type"],
        }
        if "input" in error:
            item["input"] = _echo(error["input"])
        errors.append(item)
    return errors


async def on_validation_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return FastJSONResponse(status_code=422, content={"detail": validation_errors(exc)})


async def on_database_unavailable(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, DatabaseUnavailable)
    # Connection-level failures are transient: 503 + Retry-After tells clients
    # and proxies to retry, where a bare 500 would read as a bug.
    logger.warning("database unavailable", extra={"reason": exc.reason})
    if exc.outcome_unknown:
        # A create without Idempotency-Key whose statements may have been applied: no
        # Retry-After, so that no client repeats it blindly and makes a duplicate (the
        # frontend's 502 backend_unreachable for the same case).
        return JSONResponse(
            status_code=503,
            content={
                "detail": "The database connection failed while this request was being "
                "written; it may have been applied. Check before sending it again, or send "
                "an Idempotency-Key header so that a retry is safe.",
                "code": "outcome_unknown",
            },
        )
    return JSONResponse(
        status_code=503,
        content={"detail": "database unavailable"},
        headers={"Retry-After": str(exc.retry_after)},
    )


class GuardMiddleware:
    """Caps request bodies and turns an unexpected exception into a plain 500.

    The 500 is logged with the exception class and the innermost frame only:
    an exception message or a traceback's locals may quote the user's input.
    """

    def __init__(self, app: ASGIApp, holder: Any) -> None:
        self.app = app
        self.holder = holder  # has .max_body_bytes, set from the settings at startup

    @property
    def max_body_bytes(self) -> int:
        return int(self.holder.max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        for name, value in scope["headers"]:
            if name == b"content-length" and (not value.isdigit() or int(value) > limit):
                await self._too_large(send)
                return
        received = 0
        started = False

        async def capped_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # Raised inside body parsing; FastAPI passes HTTPException through.
                    raise HTTPException(413, f"request body is larger than {limit} bytes")
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped_receive, tracking_send)
        except Exception as exc:
            frame = traceback.extract_tb(exc.__traceback__)[-1:]
            where = f"{frame[0].filename}:{frame[0].lineno}" if frame else "?"
            logger.error("unhandled error", extra={"error": type(exc).__name__, "at": where})
            if not started:
                await JSONResponse(status_code=500, content={"detail": "internal error"})(
                    scope, receive, send
                )

    async def _too_large(self, send: Send) -> None:
        body = orjson.dumps({"detail": f"request body is larger than {self.max_body_bytes} bytes"})
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
