"""ASGI entry point: `uvicorn todo_api.main:app`.

Configuration is read and checked in the lifespan, not at import, so tools can
import the app without a database; migrations are never run from here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from .assistant.llm import ProviderError, make_client
from .config import ConfigError, Settings, load_settings
from .cors import LateCorsMiddleware
from .db import make_engine, make_sessionmaker
from .logging_setup import AccessLogMiddleware, configure_logging
from .routes import chat, health, todos

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
        engine = make_engine(active.database_url)
        app.state.settings = active
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        app.state.openai_client = make_client(active) if active.openai_api_key else None
        app.state.cors_origins = active.cors_origins
        logger.info(
            "started",
            extra={"assistant": "openai" if active.openai_api_key else "offline"},
        )
        try:
            yield
        finally:
            if app.state.openai_client is not None:
                app.state.openai_client.close()
            engine.dispose()
            logger.info("stopped")

    app = FastAPI(title="Todo API", version="1.0.0", lifespan=lifespan)
    app.state.cors_origins = []
    app.add_middleware(LateCorsMiddleware)
    app.add_middleware(AccessLogMiddleware)
    app.include_router(health.router)
    app.include_router(todos.router)
    app.include_router(chat.router)

    @app.exception_handler(OperationalError)
    async def _database_unavailable(_: Request, exc: OperationalError) -> JSONResponse:
        # Connection-level failures are transient: 503 tells clients and
        # proxies to retry, where a bare 500 would read as a bug.
        logger.error("database unavailable", extra={"reason": str(exc.orig or exc)[:500]})
        return JSONResponse(status_code=503, content={"detail": "database unavailable"})

    @app.exception_handler(ProviderError)
    async def _provider_failed(_: Request, exc: ProviderError) -> JSONResponse:
        logger.warning("ai provider failed", extra={"reason": str(exc)})
        return JSONResponse(status_code=502, content={"detail": str(exc)})

    return app


def _initial_log_level() -> int:
    # Settings are validated later, in the lifespan; until then a bad value
    # falls back to INFO so the validation error itself still gets logged.
    name = os.environ.get("LOG_LEVEL", "INFO").strip().upper()
    return logging.getLevelNamesMapping().get(name, logging.INFO)


# Before uvicorn logs its first line, so every line on stdout is JSON.
configure_logging(_initial_log_level())
app = create_app()
