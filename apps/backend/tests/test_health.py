"""Liveness ignores the database; readiness follows it down and back up."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

import pg_throwaway
from conftest import settings_for
from todo_api.main import create_app


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
        with TestClient(create_app(settings_for(server.url))) as client:
            assert client.get("/ready").status_code == 200
            server.stop()
            down = client.get("/ready")
            assert down.status_code == 503
            assert down.json()["status"] == "unavailable"
            assert client.get("/health").status_code == 200
            listing = client.get("/api/todos")
            assert listing.status_code == 503
            assert listing.json() == {"detail": "database unavailable"}
            server.start()
            # The pool held connections to the old server; pre-ping replaces them.
            assert client.get("/ready").status_code == 200
    finally:
        server.destroy()
