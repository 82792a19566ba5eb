"""Engine and session plumbing; the engine lives on app.state, never at import."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

READY_TIMEOUT_SECONDS = 2


def make_engine(database_url: str) -> Engine:
    return create_engine(
        database_url,
        # A restarted database leaves dead pooled connections behind.
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=5,
        # Fail fast instead of blocking a worker when the pool is exhausted.
        pool_timeout=5,
        connect_args={"connect_timeout": READY_TIMEOUT_SECONDS},
    )


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed on success, rolled back on error."""
    with request.app.state.sessionmaker.begin() as session:
        yield session


def ping(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execute(text(f"SET LOCAL statement_timeout = {READY_TIMEOUT_SECONDS * 1000}"))
        conn.execute(text("SELECT 1"))
