"""Hostile input never yields a 5xx, a large echo, a leaked host, or user text in error logs."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

BAD_JSON_NUMBERS = ["NaN", "Infinity", "-Infinity", "1e999"]


@pytest.mark.parametrize("number", BAD_JSON_NUMBERS)
@pytest.mark.parametrize(
    ("method", "path", "template"),
    [
        ("POST", "/api/todos", '{"title": %s}'),
        ("POST", "/api/todos", '{"title": "ok", "extra": %s}'),
        ("PATCH", "/api/todos/1", '{"completed": %s}'),
        ("POST", "/api/chat", '{"message": %s}'),
    ],
)
def test_non_finite_json_numbers_are_422(
    client: TestClient, method: str, path: str, template: str, number: str
) -> None:
    client.post("/api/todos", json={"title": "target"})
    response = client.request(
        method, path, content=template % number, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        '{"title": "a\\u0000b"}',
        '{"title": "ok", "description": "\\u0000"}',
        '{"title": "\\ud800"}',
        '{"title": "ok", "description": "x\\udfff"}',
    ],
)
def test_text_postgres_cannot_store_is_422_and_stays_out_of_error_logs(
    client: TestClient, body: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        response = client.post(
            "/api/todos", content=body, headers={"content-type": "application/json"}
        )
        chat = client.post(
            "/api/chat",
            content='{"message": "add \\u0000 secret"}',
            headers={"content-type": "application/json"},
        )
    assert response.status_code == 422, response.text
    assert chat.status_code == 422, chat.text
    assert client.get("/api/todos").json()["total"] == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_offset_and_limit_are_bounded(client: TestClient) -> None:
    for params in ({"offset": 2**63}, {"offset": -1}, {"limit": 101}, {"limit": 2**64}):
        assert client.get("/api/todos", params=params).status_code == 422
    assert client.get("/api/todos", params={"offset": 2**31 - 1}).json()["items"] == []


def test_bodies_over_the_limit_are_413_whether_declared_or_streamed(client: TestClient) -> None:
    huge = "x" * (10 * 1024 * 1024)
    declared = client.post("/api/todos", json={"title": huge})
    assert declared.status_code == 413
    assert len(declared.content) < 200

    def chunks():
        for _ in range(200):
            yield b'{"title": "' + b"y" * 65536
        yield b'"}'

    streamed = client.post(
        "/api/todos", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert client.get("/api/todos").json()["total"] == 0


def test_a_422_echoes_only_a_short_prefix(client: TestClient) -> None:
    response = client.post("/api/todos", json={"title": "t" * 5000})
    assert response.status_code == 422
    assert len(response.content) < 500
    echoed = response.json()["detail"][0]["input"]
    assert echoed.startswith("ttt") and len(echoed) <= 41


def test_no_redirect_names_the_backend_host(client: TestClient) -> None:
    for path in ("/api/todos/", "/api/todos/%2e%2e%2f", "/api/todos/%2e%2e/", "/api/chat/"):
        response = client.get(path, follow_redirects=False, headers={"host": "backend:8000"})
        assert response.status_code < 500
        assert "location" not in response.headers, (path, response.headers)


@pytest.mark.parametrize("path", ["/api/todos/%ff", "/api/todos/%00", "/api/todos/1e999"])
def test_odd_ids_are_4xx(client: TestClient, path: str) -> None:
    for method in ("GET", "PATCH", "DELETE"):
        assert 400 <= client.request(method, path, json={}).status_code < 500
    assert client.request("TRACE", "/api/todos").status_code == 405
