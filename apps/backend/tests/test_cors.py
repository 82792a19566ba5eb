"""CORS headers appear only for the configured origins."""

from __future__ import annotations

from fastapi.testclient import TestClient

from conftest import settings_for
from todo_api.main import create_app


def test_configured_origin_is_allowed_and_others_are_not(clean_db: str) -> None:
    app = create_app(settings_for(clean_db, cors_origins="http://ui.example,http://b.example"))
    with TestClient(app) as client:
        preflight = client.options(
            "/api/todos",
            headers={"Origin": "http://ui.example", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "http://ui.example"
        simple = client.get("/api/todos", headers={"Origin": "http://b.example"})
        assert simple.headers["access-control-allow-origin"] == "http://b.example"
        other = client.get("/api/todos", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_no_origins_means_no_cors_headers(client: TestClient) -> None:
    response = client.get("/api/todos", headers={"Origin": "http://ui.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
