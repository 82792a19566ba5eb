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
    assert missing == {"reply": "Sorry, no todo with id 3.", "actions": [], "todos_changed": False}
    unknown = _chat(client, "make me a sandwich")
    assert unknown["todos_changed"] is False
    assert "add <title>" in unknown["reply"] and "done <id>" in unknown["reply"]
    assert _chat(client, "list")["reply"] == "You have no todos."


def test_empty_message_is_422(client: TestClient) -> None:
    response = client.post("/api/chat", json={"message": "  "})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "message"]
