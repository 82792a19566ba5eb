"""Optimistic concurrency (ETag / If-Match), atomic PATCH, and 503 instead of 500 under load."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
from fastapi.testclient import TestClient

from live_server import live_server


def _create(client: TestClient, title: str = "shared") -> dict:
    response = client.post("/api/todos", json={"title": title})
    assert response.status_code == 201, response.text
    return response.json()


def test_every_single_todo_response_carries_its_version_as_etag(client: TestClient) -> None:
    created = client.post("/api/todos", json={"title": "tagged"})
    todo = created.json()
    assert todo["version"] == 1
    assert created.headers["etag"] == '"1"'
    assert created.headers["location"] == f"/api/todos/{todo['id']}"
    assert client.get(f"/api/todos/{todo['id']}").headers["etag"] == '"1"'
    patched = client.patch(f"/api/todos/{todo['id']}", json={"completed": True})
    assert patched.json()["version"] == 2
    assert patched.headers["etag"] == '"2"'


def test_if_match_refuses_a_stale_write_with_412_and_the_current_todo(client: TestClient) -> None:
    todo = _create(client)
    url = f"/api/todos/{todo['id']}"
    assert (
        client.patch(url, json={"title": "first"}, headers={"If-Match": '"1"'}).status_code == 200
    )
    stale = client.patch(url, json={"title": "second"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    body = stale.json()
    assert body["current"]["title"] == "first" and body["current"]["version"] == 2
    assert stale.headers["etag"] == '"2"'
    assert client.get(url).json()["title"] == "first"
    # Weak tags, lists and * are accepted; junk never matches.
    assert client.patch(url, json={"title": "w"}, headers={"If-Match": 'W/"2"'}).status_code == 200
    assert (
        client.patch(url, json={"title": "l"}, headers={"If-Match": '"1", "3"'}).status_code == 200
    )
    assert client.patch(url, json={"title": "s"}, headers={"If-Match": "*"}).status_code == 200
    arabic_five = '"\u0665"'.encode()
    assert (
        client.patch(url, json={"title": "j"}, headers={"If-Match": arabic_five}).status_code == 412
    )
    assert client.patch(url, json={}, headers={"If-Match": '"1"'}).status_code == 412
    assert client.delete(url, headers={"If-Match": '"1"'}).status_code == 412
    assert client.get(url).status_code == 200
    assert client.delete(url, headers={"If-Match": '"5"'}).status_code == 204
    assert client.patch(url, json={"title": "x"}, headers={"If-Match": '"5"'}).status_code == 404


def _parallel_patches(base: str, todo_id: int, if_match: str | None) -> list[httpx.Response]:
    writes = [
        {"title": f"writer {n}", "description": f"written by {n}", "completed": n % 2 == 0}
        for n in range(50)
    ]
    barrier = threading.Barrier(50)
    headers = {"If-Match": if_match} if if_match else {}

    def send(body: dict) -> httpx.Response:
        with httpx.Client(base_url=base, timeout=30) as http:
            barrier.wait()
            return http.patch(f"/api/todos/{todo_id}", json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=50) as pool:
        return list(pool.map(send, writes))


def _fields(todo: dict) -> tuple:
    return (todo["title"], todo["description"], todo["completed"])


def test_fifty_parallel_patches_leave_one_requests_full_write(clean_db: str) -> None:
    with live_server(clean_db, WEB_CONCURRENCY="2", DB_POOL_SIZE="5") as base:
        todo_id = httpx.post(f"{base}/api/todos", json={"title": "contended"}).json()["id"]

        # Without If-Match: every write applies whole, in some order.
        responses = _parallel_patches(base, todo_id, None)
        assert {r.status_code for r in responses} == {200}
        sent = {(f"writer {n}", f"written by {n}", n % 2 == 0) for n in range(50)}
        # Each response reports exactly one request's write, never a mix.
        assert {_fields(r.json()) for r in responses} == sent
        final = httpx.get(f"{base}/api/todos/{todo_id}").json()
        assert _fields(final) in sent
        assert final["version"] == 51
        # The last version handed out is the row that stayed.
        last = max(responses, key=lambda r: r.json()["version"])
        assert _fields(last.json()) == _fields(final)

        # With If-Match: exactly one writer wins, the others get 412.
        responses = _parallel_patches(base, todo_id, '"51"')
        codes = sorted(r.status_code for r in responses)
        assert codes == [200] + [412] * 49
        winner = next(r for r in responses if r.status_code == 200).json()
        final = httpx.get(f"{base}/api/todos/{todo_id}").json()
        assert _fields(final) == _fields(winner) and final["version"] == 52


def test_exhausted_pool_and_slow_database_are_503_with_retry_after(clean_db: str) -> None:
    env = {
        "WEB_CONCURRENCY": "1",
        "DB_POOL_SIZE": "1",
        "DB_POOL_TIMEOUT_SECONDS": "0.3",
        "DB_STATEMENT_TIMEOUT_SECONDS": "1",
    }
    with live_server(clean_db, **env) as base:
        plain_url = clean_db.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain_url) as locker:
            # Every statement on todos now waits: a stuck database, as seen by the API.
            locker.execute("LOCK TABLE todos IN ACCESS EXCLUSIVE MODE")

            def get(_: int) -> httpx.Response:
                return httpx.get(f"{base}/api/todos", timeout=10)

            with ThreadPoolExecutor(max_workers=6) as pool:
                responses = list(pool.map(get, range(6)))
                # Readiness has its own connection: it answers while the pool is stuck.
                assert httpx.get(f"{base}/ready", timeout=5).status_code == 200
            assert {r.status_code for r in responses} == {503}
            assert all(r.headers.get("retry-after") for r in responses)
            locker.rollback()
        assert httpx.get(f"{base}/api/todos", timeout=5).status_code == 200
