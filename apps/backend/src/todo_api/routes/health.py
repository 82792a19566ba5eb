"""Liveness and readiness probes."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import State

from ..db import PoolHealth, describe, probe_pool

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)

# The request pool gets this long to hand a probe a connection (never more than
# DB_POOL_TIMEOUT_SECONDS), so /ready stays within a 2 s probe timeout.
POOL_PROBE_SECONDS = 1.0
# A "stuck" verdict older than this is not acted on; /health asks for a fresh one.
VERDICT_FRESH_SECONDS = 15.0
RECHECK_SECONDS = 2.0
# How often the watchdog (DB_POOL_STUCK_EXIT) looks, and the exit code it leaves.
WATCH_SECONDS = 1.0
STUCK_EXIT_CODE = 70  # EX_SOFTWARE
# A graceful stop that takes longer than this is cut short.
STUCK_EXIT_GRACE_SECONDS = 20.0


def _unavailable(reason: str) -> JSONResponse:
    return JSONResponse(
        status_code=503,
        content={"status": "unavailable", "reason": reason},
        headers={"Retry-After": "1"},
    )


async def _database_problem(state: State) -> str | None:
    """None when the database answers on the probe's own connection; else why not."""
    try:
        await state.readiness.check()
    except Exception as exc:  # any failure, e.g. a wrong password, means not ready
        # The probe sends no user input, so the server's message is safe to show.
        first_line = (str(exc).strip().splitlines() or [""])[0][:200]
        return f"{describe(exc)}: {first_line}" if first_line else describe(exc)
    return None


async def check(state: State) -> str | None:
    """The database on its own connection, then (once requests failed) the request pool.

    Returns None when ready, else the reason; records the verdict /health reads.
    """
    health: PoolHealth = state.pool_health
    problem = await _database_problem(state)
    if problem is not None:
        health.judge("database down")
        return problem
    if health.failing_since is not None:
        timeout = min(POOL_PROBE_SECONDS, state.pool_timeout)
        pool_problem = await probe_pool(state.pool, health, timeout)
        if pool_problem is not None:
            health.judge("stuck")
            return f"request pool: {pool_problem}"
    health.judge("ok")
    return None


async def _check_quietly(state: State) -> None:
    try:
        await check(state)
    except Exception as exc:
        logger.warning("health check failed", extra={"error": type(exc).__name__})


@router.get("/health", response_model=None)
async def health(request: Request) -> dict[str, str] | JSONResponse:
    # Answered from memory, never waiting on the database. A database outage
    # alone never fails liveness: restarting every API process would not bring
    # the database back. A process whose pool has served nothing for
    # DB_POOL_STUCK_SECONDS while the database answers is stuck, and a restart
    # is the cure.
    state = request.app.state
    settings = getattr(state, "settings", None)
    pool_health: PoolHealth | None = getattr(state, "pool_health", None)
    if settings is None or pool_health is None:
        return {"status": "ok"}
    failing_for = pool_health.failing_for()
    if failing_for < settings.db_pool_stuck_seconds:
        return {"status": "ok"}
    idle = pool_health.checking is None or pool_health.checking.done()
    if idle and pool_health.verdict_age() > RECHECK_SECONDS:
        # Nothing may be polling /ready (e.g. no readiness probe): look now, answer later.
        pool_health.checking = asyncio.create_task(_check_quietly(state))
    if pool_health.verdict == "stuck" and pool_health.verdict_age() < VERDICT_FRESH_SECONDS:
        logger.error("request pool stuck", extra={"failing_seconds": round(failing_for, 1)})
        return _unavailable(
            f"the request pool has served nothing for {failing_for:.0f}s while the database answers"
        )
    return {"status": "ok"}


async def watch_pool(state: State) -> None:
    """What /health tells an orchestrator, acted on inside the process.

    Compose restarts a container whose process exits, never one that is only
    unhealthy, and a uvicorn worker that exits is started again by its
    supervisor. So once the pool has served nothing for DB_POOL_STUCK_SECONDS
    while the database answers (the "stuck" verdict /health fails on), the
    process stops gracefully and exits with STUCK_EXIT_CODE (see main.py).
    """
    settings = state.settings
    health: PoolHealth = state.pool_health
    while True:
        await asyncio.sleep(WATCH_SECONDS)
        failing_for = health.failing_for()
        if failing_for < settings.db_pool_stuck_seconds:
            continue
        if health.verdict_age() > RECHECK_SECONDS:
            await _check_quietly(state)  # nothing polled /ready lately
        if health.failing_for() < settings.db_pool_stuck_seconds:
            continue  # the check itself was served by the pool
        if health.verdict == "stuck" and health.verdict_age() < VERDICT_FRESH_SECONDS:
            logger.critical(
                "request pool stuck: exiting so that the process is started again",
                extra={"failing_seconds": round(failing_for, 1), "exit_code": STUCK_EXIT_CODE},
            )
            state.exit_code = STUCK_EXIT_CODE
            # A stop that hangs must not keep a stuck process alive.
            timer = threading.Timer(STUCK_EXIT_GRACE_SECONDS, os._exit, (STUCK_EXIT_CODE,))
            timer.daemon = True
            timer.start()
            os.kill(os.getpid(), signal.SIGTERM)
            return


@router.get("/ready", response_model=None)
async def ready(request: Request) -> dict[str, str] | JSONResponse:
    # Its own connection first (not the request pool): readiness reports the
    # database, not how busy the API is, and a full pool cannot time it out.
    # Once requests have failed, the pool itself must serve again, too.
    problem = await check(request.app.state)
    if problem is not None:
        logger.warning("not ready", extra={"reason": problem})
        return _unavailable(problem)
    return {"status": "ok"}
