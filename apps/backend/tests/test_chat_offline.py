"""The deterministic assistant used when no OpenAI key is configured."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _chat(client: TestClient, message: str) -> dict:
    response = client.post("/api/chat", json={"message": message})
    assert response.status_code == 200, response.text
    return response.json()


def test_add_list_done_delete(client: TestClient) -> None:
    added = _chat(client, "add buy milk")
    assert added["reply"] == "Added #1: buy milk"
    assert added["todos_changed"] is True
    assert added["actions"][0]["tool"] == "create_todo"
    assert added["actions"][0]["result"]["todo"]["title"] == "buy milk"
    _chat(client, "add call mum")

    listed = _chat(client, "list")
    assert listed["reply"] == "#1 [ ] buy milk\n#2 [ ] call mum"
    assert listed["todos_changed"] is False

    done = _chat(client, "done 1")
    assert done["reply"] == "Marked #1 as done: buy milk"
    assert client.get("/api/todos/1").json()["completed"] is True
    assert _chat(client, "list done")["reply"] == "#1 [x] buy milk"
    assert _chat(client, "list open")["reply"] == "#2 [ ] call mum"

    deleted = _chat(client, "delete 2")
    assert deleted["reply"] == "Deleted #2"
    assert deleted["todos_changed"] is True
    assert client.get("/api/todos/2").status_code == 404


def test_unknown_ids_and_commands_change_nothing(client: TestClient) -> None:
    missing = _chat(client, "done 3")
    assert missing == {
        "reply": "Sorry, no todo with id 3. Try 'add buy milk'.",
        "actions": [],
        "todos_changed": False,
    }
    unknown = _chat(client, "make me a sandwich")
    assert unknown["todos_changed"] is False
    assert "add <title>" in unknown["reply"] and "done <id or title>" in unknown["reply"]
    assert _chat(client, "list")["reply"] == "You have no todos."


def test_empty_message_is_422(client: TestClient) -> None:
    response = client.post("/api/chat", json={"message": "  "})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "message"]


def test_only_ascii_digits_are_ids(client: TestClient) -> None:
    for n in range(12):
        client.post("/api/todos", json={"title": f"item {n + 1}"})
    reply = _chat(client, "delete ١٢")
    assert reply["todos_changed"] is False
    assert client.get("/api/todos/12").status_code == 200
    assert "#12" not in reply["reply"] or "Try" in reply["reply"]


def test_todos_are_named_by_title_or_by_the_id_the_list_shows(client: TestClient) -> None:
    ids = [client.post("/api/todos", json={"title": t}).json()["id"] for t in ("a", "b", "c")]
    for todo_id in ids[:2]:
        client.delete(f"/api/todos/{todo_id}")
    milk = client.post("/api/todos", json={"title": "Buy milk"}).json()
    done = _chat(client, "done buy milk")
    assert done["reply"] == f"Marked #{milk['id']} as done: Buy milk"
    assert _chat(client, f"delete #{milk['id']}")["reply"] == f"Deleted #{milk['id']}"


def test_ambiguous_titles_ask_which_and_change_nothing(client: TestClient) -> None:
    first = client.post("/api/todos", json={"title": "call mum"}).json()
    second = client.post("/api/todos", json={"title": "call dad"}).json()
    reply = _chat(client, "delete call")
    assert reply["todos_changed"] is False
    assert f"#{first['id']}" in reply["reply"] and f"#{second['id']}" in reply["reply"]
    assert client.get("/api/todos").json()["total"] == 2


def test_the_hint_names_only_ids_that_exist(client: TestClient) -> None:
    for title in ("one", "two", "three"):
        client.post("/api/todos", json={"title": title})
    client.delete("/api/todos/1")
    client.delete("/api/todos/2")
    reply = _chat(client, "what can you do")["reply"]
    assert "'done 3'" in reply and "'done three'" in reply
    missing = _chat(client, "done 1")["reply"]
    assert missing == "Sorry, no todo with id 1. Try 'done 3' or 'done three'."
