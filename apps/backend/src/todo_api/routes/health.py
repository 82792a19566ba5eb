"""Liveness and readiness probes."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from ..db import describe

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


@router.get("/health")
async def health() -> dict[str, str]:
    # Liveness must not depend on the database, or a database outage would
    # make the orchestrator restart every healthy API process.
    return {"status": "ok"}


@router.get("/ready", response_model=None)
async def ready(request: Request) -> dict[str, str] | JSONResponse:
    # Its own connection (not the request pool): readiness reports the
    # database, not how busy the API is, and a full pool cannot time it out.
    try:
        await request.app.state.readiness.check()
    except Exception as exc:  # any failure, e.g. a wrong password, means not ready
        # The probe sends no user input, so the server's message is safe to show.
        first_line = (str(exc).strip().splitlines() or [""])[0][:200]
        reason = f"{describe(exc)}: {first_line}" if first_line else describe(exc)
        logger.warning("database not ready", extra={"reason": reason})
        return JSONResponse(
            status_code=503,
            content={"status": "unavailable", "reason": reason},
            headers={"Retry-After": "1"},
        )
    return {"status": "ok"}
