"""ASGI entry point: `uvicorn todo_api.main:app` (or `python -m todo_api.serve`).

Configuration is read and checked in the lifespan, not at import, so tools can
import the app without a database; migrations are never run from here.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from .assistant.errors import ProviderError
from .config import ConfigError, Settings, docs_enabled_from_environment, load_settings
from .cors import LateCorsMiddleware
from .db import DatabaseUnavailable, PoolHealth, ReadinessProbe, close_pool, make_pool
from .logging_setup import AccessLogMiddleware, configure_logging
from .routes import chat, health, todos
from .web import GuardMiddleware, on_database_unavailable, on_validation_error

logger = logging.getLogger("todo_api")


def create_app(settings: Settings | None = None) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            active = settings or load_settings()
        except ConfigError as exc:
            configure_logging(logging.INFO)
            logger.critical(str(exc))
            raise
        configure_logging(active.log_level_number)
        app.state.settings = active
        app.state.pool = await make_pool(
            active.database_url,
            size=active.db_pool_size,
            statement_timeout=active.db_statement_timeout_seconds,
            connect_timeout=active.db_connect_timeout_seconds,
        )
        app.state.pool_timeout = active.db_pool_timeout_seconds
        app.state.pool_health = PoolHealth()
        app.state.readiness = ReadinessProbe(active.database_url)
        app.state.openai_client = None
        if active.openai_api_key:
            # Imported only when used: the openai package adds ~35 MiB to every worker.
            from .assistant.llm import make_client

            app.state.openai_client = make_client(active)
        app.state.cors_origins = active.cors_origins
        guard.max_body_bytes = active.max_body_bytes
        logger.info(
            "started",
            extra={
                "assistant": "openai" if active.openai_api_key else "offline",
                "pool_size": active.db_pool_size,
                "pid": os.getpid(),
            },
        )
        app.state.exit_code = 0
        watchdog = (
            asyncio.create_task(health.watch_pool(app.state)) if active.db_pool_stuck_exit else None
        )
        try:
            yield
        finally:
            if watchdog is not None:
                watchdog.cancel()
            if app.state.openai_client is not None:
                await app.state.openai_client.close()
            await app.state.readiness.close()
            await close_pool(app.state.pool)
            logger.info("stopped", extra={"exit_code": app.state.exit_code})
            if app.state.exit_code:
                # uvicorn would exit 0 after the graceful stop the watchdog asked for.
                logging.shutdown()
                os._exit(app.state.exit_code)

    # redirect_slashes=False: behind the frontend's proxy, a slash redirect
    # would name the internal host (Location: http://backend:8000/...).
    # The API docs only where enabled (APP_ENV=local or API_DOCS=true): elsewhere they
    # would publish every route and schema to anyone who can reach the backend.
    docs = settings.docs_enabled if settings is not None else docs_enabled_from_environment()
    app = FastAPI(
        title="Todo API",
        version="1.1.0",
        lifespan=lifespan,
        redirect_slashes=False,
        docs_url="/docs" if docs else None,
        redoc_url="/redoc" if docs else None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.cors_origins = []
    app.add_middleware(LateCorsMiddleware)
    guard = _GuardHolder()
    app.add_middleware(GuardMiddleware, holder=guard)
    app.add_middleware(AccessLogMiddleware)
    app.include_router(health.router)
    app.include_router(todos.router)
    app.include_router(chat.router)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(DatabaseUnavailable, on_database_unavailable)

    @app.exception_handler(ProviderError)
    async def _provider_failed(_: Request, exc: ProviderError) -> JSONResponse:
        logger.warning("ai provider failed", extra={"reason": str(exc)})
        return JSONResponse(status_code=502, content={"detail": str(exc)})

    return app


class _GuardHolder:
    """The body limit is known only once settings load; the middleware reads it here."""

    max_body_bytes = Settings.model_fields["max_body_bytes"].default


def _initial_log_level() -> int:
    # Settings are validated later, in the lifespan; until then a bad value
    # falls back to INFO so the validation error itself still gets logged.
    name = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
    return logging.getLevelNamesMapping().get(name, logging.INFO)


# Before uvicorn logs its first line, so every line on stdout is JSON.
configure_logging(_initial_log_level())
app = create_app()
