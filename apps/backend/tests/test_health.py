"""Liveness ignores the database; readiness follows it down and back up."""

from __future__ import annotations

import time

import pytest
from alembic import command
from fastapi.testclient import TestClient

import pg_throwaway
from conftest import settings_for
from todo_api.main import create_app
from todo_api.migrate import alembic_config


def test_health_is_ok(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    assert client.get("/ready").json() == {"status": "ok"}


def test_ready_is_503_when_database_unreachable() -> None:
    port = pg_throwaway._free_port()
    app = create_app(settings_for(f"postgresql://nobody@127.0.0.1:{port}/nothing"))
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200
        started = time.monotonic()
        response = client.get("/ready")
        assert time.monotonic() - started < 5
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert str(port) in body["reason"]


@pytest.mark.skipif(not pg_throwaway.available(), reason="needs PostgreSQL server binaries")
def test_ready_follows_the_database_down_and_up() -> None:
    server = pg_throwaway.ThrowawayPostgres().init().start()
    try:
        settings = settings_for(server.url)
        command.upgrade(alembic_config(settings.database_url), "head")
        with TestClient(create_app(settings)) as client:
            assert client.get("/ready").status_code == 200
            server.stop()
            down = client.get("/ready")
            assert down.status_code == 503
            assert down.json()["status"] == "unavailable"
            assert client.get("/health").status_code == 200
            listing = client.get("/api/todos")
            assert listing.status_code == 503
            assert listing.json() == {"detail": "database unavailable"}
            assert listing.headers["retry-after"]
            server.start()
            assert client.get("/ready").status_code == 200
            # The pool held connections to the old server; without a per-checkout
            # ping they are replaced (closed sockets are seen, dead ones expire the rest).
            statuses = [client.get("/api/todos").status_code for _ in range(50)]
            assert statuses.count(503) <= 1 and set(statuses) <= {200, 503}, statuses
            assert statuses[-1] == 200
    finally:
        server.destroy()
