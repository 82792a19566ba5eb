"""POST /api/todos with Idempotency-Key: a retry answers the first result and creates nothing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from live_server import live_server


def _post(client: TestClient, key: str | None, body: object) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/api/todos", json=body, headers=headers)


def test_a_retry_with_the_same_key_answers_the_first_result(client: TestClient) -> None:
    first = _post(client, "order-7f3a", {"title": "buy milk", "description": "2 l"})
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    again = _post(client, "order-7f3a", {"description": "2 l", "title": "buy milk"})
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"] == '"1"'
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert client.get("/api/todos").json()["total"] == 1
    # Still the first answer after the todo changed: the retry reports what the create did.
    todo_id = first.json()["id"]
    assert client.patch(f"/api/todos/{todo_id}", json={"completed": True}).status_code == 200
    assert _post(client, "order-7f3a", {"title": "buy milk", "description": "2 l"}).content == (
        first.content
    )


def test_the_same_key_with_another_body_is_422_and_changes_nothing(client: TestClient) -> None:
    assert _post(client, "k-1", {"title": "first"}).status_code == 201
    reused = _post(client, "k-1", {"title": "second"})
    assert reused.status_code == 422
    assert "different request body" in reused.json()["detail"]
    assert _post(client, "k-1", {"title": "first", "description": "x"}).status_code == 422
    titles = [item["title"] for item in client.get("/api/todos").json()["items"]]
    assert titles == ["first"]


def test_without_a_key_or_with_other_keys_every_post_creates(client: TestClient) -> None:
    assert _post(client, None, {"title": "same"}).status_code == 201
    assert _post(client, None, {"title": "same"}).status_code == 201
    assert _post(client, "a", {"title": "same"}).status_code == 201
    assert _post(client, "b", {"title": "same"}).status_code == 201
    assert client.get("/api/todos").json()["total"] == 4


@pytest.mark.parametrize("key", ["", "x" * 256, "with space", "caf\u00e9"])
def test_malformed_keys_are_422(client: TestClient, key: str) -> None:
    response = client.post(
        "/api/todos", json={"title": "t"}, headers={"Idempotency-Key": key.encode()}
    )
    assert response.status_code == 422, response.text
    assert client.get("/api/todos").json()["total"] == 0


def test_an_invalid_body_stores_no_key(client: TestClient) -> None:
    assert _post(client, "k-2", {"title": ""}).status_code == 422
    assert _post(client, "k-2", {"title": "valid now"}).status_code == 201


def test_an_expired_key_creates_again_and_expired_keys_are_removed(
    client: TestClient, clean_db: str
) -> None:
    first = _post(client, "old", {"title": "t"})
    _post(client, "older", {"title": "u"})
    engine = create_engine(clean_db)
    with engine.begin() as conn:
        conn.execute(text("UPDATE idempotency_keys SET expires_at = now() - interval '1 second'"))
    later = _post(client, "old", {"title": "t"})
    assert later.status_code == 201
    assert later.json()["id"] != first.json()["id"]
    assert "idempotent-replayed" not in later.headers
    with engine.begin() as conn:
        keys = conn.execute(text("SELECT key FROM idempotency_keys")).scalars().all()
    engine.dispose()
    assert keys == ["old"]


def test_concurrent_retries_of_one_key_create_one_todo(clean_db: str) -> None:
    with live_server(clean_db, WEB_CONCURRENCY="2") as base:

        def post(i: int) -> httpx.Response:
            key = f"burst-{i % 3}"
            with httpx.Client(base_url=base, timeout=20) as http:
                return http.post(
                    "/api/todos", json={"title": key}, headers={"Idempotency-Key": key}
                )

        with ThreadPoolExecutor(30) as pool:
            responses = list(pool.map(post, range(60)))
        with httpx.Client(base_url=base, timeout=20) as http:
            stored = http.get("/api/todos").json()
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    for n in range(3):
        bodies = {r.content for r in responses if r.json()["title"] == f"burst-{n}"}
        assert len(bodies) == 1, bodies
    assert sum("idempotent-replayed" not in r.headers for r in responses) == 3
    assert sorted(item["title"] for item in stored["items"]) == ["burst-0", "burst-1", "burst-2"]


def _chat(client: TestClient, key: str | None, message: str) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/api/chat", json={"message": message}, headers=headers)


def test_a_retried_chat_with_the_same_key_acts_once_and_answers_the_first_reply(
    client: TestClient,
) -> None:
    first = _chat(client, "chat-1", "add buy milk")
    assert first.status_code == 200, first.text
    assert first.json()["reply"] == "Added #1: buy milk"
    assert "idempotent-replayed" not in first.headers
    again = _chat(client, "chat-1", "add buy milk")
    assert again.status_code == 200
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert [t["title"] for t in client.get("/api/todos").json()["items"]] == ["buy milk"]
    # Another message under the same key is refused and acts on nothing.
    other = _chat(client, "chat-1", "add call mum")
    assert other.status_code == 422
    assert "different request body" in other.json()["detail"]
    assert client.get("/api/todos").json()["total"] == 1
    # Without a key every message acts, and the answer reads as a keyed one does.
    plain = _chat(client, None, "add buy milk")
    assert plain.status_code == 200
    assert plain.json()["reply"] == "Added #2: buy milk"
    assert set(plain.json()) == set(first.json())
    assert client.get("/api/todos").json()["total"] == 2


def test_a_key_used_for_a_create_does_not_replay_into_the_chat(client: TestClient) -> None:
    assert _post(client, "shared", {"title": "add x"}).status_code == 201
    reused = _chat(client, "shared", "add x")
    assert reused.status_code == 422
    assert client.get("/api/todos").json()["total"] == 1


def test_a_chat_that_fails_stores_no_key(client: TestClient) -> None:
    # Refused by validation: nothing ran, so the key is still free for the real message.
    assert _chat(client, "chat-2", "").status_code == 422
    assert _chat(client, "chat-2", "add later").status_code == 200
    assert client.get("/api/todos").json()["total"] == 1
