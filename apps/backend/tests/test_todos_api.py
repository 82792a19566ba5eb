"""CRUD behaviour of /api/todos against the real database."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _create(client: TestClient, title: str, **extra: object) -> dict:
    response = client.post("/api/todos", json={"title": title, **extra})
    assert response.status_code == 201, response.text
    return response.json()


def test_create_returns_the_stored_todo(client: TestClient) -> None:
    todo = _create(client, "  buy milk  ", description="2 litres")
    assert todo["title"] == "buy milk"
    assert todo["description"] == "2 litres"
    assert todo["completed"] is False
    assert set(todo) == {
        "id",
        "title",
        "description",
        "completed",
        "created_at",
        "updated_at",
        "version",
    }
    assert client.get(f"/api/todos/{todo['id']}").json() == todo


def test_patch_changes_only_given_fields_and_bumps_updated_at(client: TestClient) -> None:
    todo = _create(client, "write report", description="draft")
    response = client.patch(f"/api/todos/{todo['id']}", json={"completed": True})
    assert response.status_code == 200
    patched = response.json()
    assert patched["completed"] is True
    assert patched["title"] == "write report"
    assert patched["description"] == "draft"
    assert patched["updated_at"] > todo["updated_at"]
    renamed = client.patch(
        f"/api/todos/{todo['id']}", json={"title": "final report", "description": None}
    ).json()
    assert renamed["title"] == "final report"
    assert renamed["description"] is None
    assert renamed["completed"] is True


def test_delete_removes_the_todo(client: TestClient) -> None:
    todo = _create(client, "temporary")
    response = client.delete(f"/api/todos/{todo['id']}")
    assert response.status_code == 204
    assert response.content == b""
    assert client.get(f"/api/todos/{todo['id']}").status_code == 404
    assert client.delete(f"/api/todos/{todo['id']}").status_code == 404


def test_list_pages_in_id_order_and_filters(client: TestClient) -> None:
    ids = [_create(client, f"item {n}")["id"] for n in range(7)]
    for todo_id in ids[:3]:
        client.patch(f"/api/todos/{todo_id}", json={"completed": True})

    page = client.get("/api/todos", params={"limit": 3, "offset": 2}).json()
    assert [t["id"] for t in page["items"]] == ids[2:5]
    assert (page["total"], page["limit"], page["offset"]) == (7, 3, 2)

    tail = client.get("/api/todos", params={"limit": 3, "offset": 6}).json()
    assert [t["id"] for t in tail["items"]] == ids[6:]

    done = client.get("/api/todos", params={"completed": "true"}).json()
    assert [t["id"] for t in done["items"]] == ids[:3]
    assert done["total"] == 3
    open_ = client.get("/api/todos", params={"completed": "false", "limit": 2}).json()
    assert [t["id"] for t in open_["items"]] == ids[3:5]
    assert open_["total"] == 4


def test_list_defaults(client: TestClient) -> None:
    body = client.get("/api/todos").json()
    assert body == {"items": [], "total": 0, "limit": 20, "offset": 0}


def test_unknown_id_is_404_for_every_verb(client: TestClient) -> None:
    assert client.get("/api/todos/4242").status_code == 404
    assert client.patch("/api/todos/4242", json={"completed": True}).status_code == 404
    response = client.delete("/api/todos/4242")
    assert response.status_code == 404
    assert response.json() == {"detail": "todo 4242 not found"}


def _error_fields(response) -> list[tuple]:
    assert response.status_code == 422, response.text
    return [tuple(err["loc"]) for err in response.json()["detail"]]


def test_invalid_create_bodies_are_422_naming_the_field(client: TestClient) -> None:
    assert _error_fields(client.post("/api/todos", json={})) == [("body", "title")]
    assert _error_fields(client.post("/api/todos", json={"title": "   "})) == [("body", "title")]
    assert _error_fields(client.post("/api/todos", json={"title": "x" * 201})) == [
        ("body", "title")
    ]
    assert _error_fields(
        client.post("/api/todos", json={"title": "ok", "description": "d" * 2001})
    ) == [("body", "description")]
    assert _error_fields(client.post("/api/todos", json={"title": "ok", "done": True})) == [
        ("body", "done")
    ]
    assert client.get("/api/todos").json()["total"] == 0


def test_invalid_patch_and_query_are_422(client: TestClient) -> None:
    todo = _create(client, "keep me")
    assert _error_fields(client.patch(f"/api/todos/{todo['id']}", json={"title": None})) == [
        ("body", "title")
    ]
    assert _error_fields(client.patch(f"/api/todos/{todo['id']}", json={"completed": "maybe"})) == [
        ("body", "completed")
    ]
    assert _error_fields(client.get("/api/todos", params={"limit": 0})) == [("query", "limit")]
    assert _error_fields(client.get("/api/todos", params={"limit": 101})) == [("query", "limit")]
    assert _error_fields(client.get("/api/todos", params={"offset": -1})) == [("query", "offset")]
    assert _error_fields(client.get("/api/todos/abc")) == [("path", "todo_id")]
    assert _error_fields(client.get(f"/api/todos/{2**31}")) == [("path", "todo_id")]
    assert client.get(f"/api/todos/{todo['id']}").json()["title"] == "keep me"
