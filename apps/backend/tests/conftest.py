"""Fixtures: one real PostgreSQL per test session, migrated once, emptied per test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from fake_openai import FakeOpenAI
from pg_throwaway import ThrowawayPostgres
from todo_api.config import Settings, load_settings
from todo_api.main import create_app
from todo_api.migrate import alembic_config


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    given = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if given:
        yield load_settings(database_url=given).database_url
        return
    server = ThrowawayPostgres().init().start()
    try:
        yield load_settings(database_url=server.url).database_url
    finally:
        server.destroy()


@pytest.fixture(scope="session")
def migrated(database_url: str) -> str:
    command.upgrade(alembic_config(database_url), "head")
    return database_url


@pytest.fixture
def clean_db(migrated: str) -> str:
    engine = create_engine(migrated)
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE todos, idempotency_keys RESTART IDENTITY"))
    engine.dispose()
    return migrated


def settings_for(database_url: str, **extra: object) -> Settings:
    # Explicit values so an OPENAI_API_KEY in the caller's shell cannot leak in.
    values: dict[str, object] = {
        "openai_api_key": None,
        "openai_base_url": None,
        "app_env": None,
        "api_docs": None,
        # In-process apps (TestClient) never signal the test run itself.
        "db_pool_stuck_exit": False,
    }
    return load_settings(database_url=database_url, **{**values, **extra})


@pytest.fixture
def client(clean_db: str) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(clean_db))) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def fake_openai_server() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI().start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def fake_openai(fake_openai_server: FakeOpenAI) -> FakeOpenAI:
    fake_openai_server.reset()
    return fake_openai_server
