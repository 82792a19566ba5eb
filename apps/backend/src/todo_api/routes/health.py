"""Liveness and readiness probes."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from ..db import ping

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


@router.get("/health")
async def health() -> dict[str, str]:
    # Liveness must not depend on the database, or a database outage would
    # make the orchestrator restart every healthy API process.
    return {"status": "ok"}


@router.get("/ready", response_model=None)
async def ready(request: Request) -> dict[str, str] | JSONResponse:
    try:
        await run_in_threadpool(ping, request.app.state.engine)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        logger.warning("database not ready", extra={"reason": reason})
        return JSONResponse(status_code=503, content={"status": "unavailable", "reason": reason})
    return {"status": "ok"}
