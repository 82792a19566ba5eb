"""The OpenAI assistant, driven by the real openai client against a fake server."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from conftest import settings_for
from fake_openai import FakeOpenAI, completion, tool_call
from todo_api.main import create_app


def _client(db: str, fake: FakeOpenAI, **extra: object) -> TestClient:
    settings = settings_for(
        db,
        openai_api_key="test-key",
        openai_base_url=fake.base_url,
        openai_model="fake-model",
        openai_timeout_seconds=extra.pop("timeout", 5),
        openai_max_retries=extra.pop("retries", 0),
    )
    return TestClient(create_app(settings))


@pytest.fixture
def ai(clean_db: str, fake_openai: FakeOpenAI) -> Iterator[TestClient]:
    with _client(clean_db, fake_openai) as client:
        yield client


def test_tool_call_round_trip(ai: TestClient, fake_openai: FakeOpenAI) -> None:
    fake_openai.script = [
        ("json", completion(tool_calls=[tool_call("call_1", "create_todo", {"title": "milk"})])),
        ("json", completion("I added 'buy milk' as #1.")),
    ]
    response = ai.post("/api/chat", json={"message": "remind me to buy milk"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["reply"] == "I added 'buy milk' as #1."
    assert body["todos_changed"] is True
    assert [a["tool"] for a in body["actions"]] == ["create_todo"]
    assert ai.get("/api/todos/1").json()["title"] == "milk"

    first, second = (r["body"] for r in fake_openai.requests)
    assert fake_openai.requests[0]["path"] == "/v1/chat/completions"
    assert fake_openai.requests[0]["headers"]["Authorization"] == "Bearer test-key"
    assert first["model"] == "fake-model"
    assert {t["function"]["name"] for t in first["tools"]} == {
        "create_todo",
        "list_todos",
        "complete_todo",
        "delete_todo",
    }
    assert first["messages"][-1] == {"role": "user", "content": "remind me to buy milk"}
    tool_message = second["messages"][-1]
    assert tool_message["role"] == "tool"
    assert tool_message["tool_call_id"] == "call_1"
    assert '"title": "milk"' in tool_message["content"]
    assert second["messages"][-2]["tool_calls"][0]["id"] == "call_1"


def test_tool_errors_go_back_to_the_model(ai: TestClient, fake_openai: FakeOpenAI) -> None:
    fake_openai.script = [
        ("json", completion(tool_calls=[tool_call("c1", "complete_todo", {"id": 99})])),
        ("json", completion("There is no todo #99.")),
    ]
    body = ai.post("/api/chat", json={"message": "finish 99"}).json()
    assert body == {"reply": "There is no todo #99.", "actions": [], "todos_changed": False}
    assert "no todo with id 99" in fake_openai.requests[1]["body"]["messages"][-1]["content"]


def test_endless_tool_calls_are_cut_off(ai: TestClient, fake_openai: FakeOpenAI) -> None:
    fake_openai.script = [
        ("json", completion(tool_calls=[tool_call(f"c{n}", "list_todos", {})])) for n in range(10)
    ]
    response = ai.post("/api/chat", json={"message": "loop"})
    assert response.status_code == 502
    assert "5 rounds" in response.json()["detail"]
    assert len(fake_openai.requests) == 5


def test_server_error_is_502_after_bounded_retries(clean_db: str, fake_openai: FakeOpenAI) -> None:
    fake_openai.script = [("status", 500), ("status", 500), ("status", 500)]
    with _client(clean_db, fake_openai, retries=1) as client:
        response = client.post("/api/chat", json={"message": "hi"})
    assert response.status_code == 502
    assert "HTTP 500" in response.json()["detail"]
    assert len(fake_openai.requests) == 2


def test_client_error_is_502(ai: TestClient, fake_openai: FakeOpenAI) -> None:
    fake_openai.script = [("status", 401)]
    response = ai.post("/api/chat", json={"message": "hi"})
    assert response.status_code == 502
    assert "HTTP 401" in response.json()["detail"]


def test_hanging_provider_is_502_within_the_timeout(clean_db: str, fake_openai: FakeOpenAI) -> None:
    fake_openai.script = [("hang", 30), ("hang", 30)]
    with _client(clean_db, fake_openai, timeout=1, retries=1) as client:
        started = time.monotonic()
        response = client.post("/api/chat", json={"message": "hi"})
        elapsed = time.monotonic() - started
    assert response.status_code == 502
    assert "did not answer within" in response.json()["detail"]
    assert len(fake_openai.requests) == 2
    assert elapsed < 10


@pytest.mark.parametrize(
    "step",
    [
        ("json", {"unexpected": True}),
        ("json", {"choices": []}),
        ("raw", "<html>oops</html>"),
        (
            "json",
            completion(
                tool_calls=[
                    {
                        "id": "c",
                        "type": "function",
                        "function": {"name": "create_todo", "arguments": "{no"},
                    }
                ]
            ),
        ),
    ],
    ids=["no-choices", "empty-choices", "not-json", "bad-tool-arguments"],
)
def test_malformed_responses_are_502(ai: TestClient, fake_openai: FakeOpenAI, step: tuple) -> None:
    fake_openai.script = [step]
    response = ai.post("/api/chat", json={"message": "hi"})
    assert response.status_code == 502, response.text
    assert "AI provider" in response.json()["detail"]


def test_unreachable_provider_is_502(clean_db: str) -> None:
    import pg_throwaway

    settings = settings_for(
        clean_db,
        openai_api_key="k",
        openai_max_retries=0,
        openai_base_url=f"http://127.0.0.1:{pg_throwaway._free_port()}/v1",
    )
    with TestClient(create_app(settings)) as client:
        response = client.post("/api/chat", json={"message": "hi"})
    assert response.status_code == 502
    assert "could not reach AI provider" in response.json()["detail"]


def test_failure_after_a_tool_call_rolls_the_change_back(
    ai: TestClient, fake_openai: FakeOpenAI
) -> None:
    fake_openai.script = [
        ("json", completion(tool_calls=[tool_call("c1", "create_todo", {"title": "half done"})])),
        ("status", 500),
    ]
    assert ai.post("/api/chat", json={"message": "add"}).status_code == 502
    assert ai.get("/api/todos").json()["total"] == 0


def test_slow_rounds_share_one_time_budget(clean_db: str, fake_openai: FakeOpenAI) -> None:
    # Each answer alone is within the 1 s timeout, but three of them are not.
    listing = completion(tool_calls=[tool_call("c", "list_todos", {})])
    fake_openai.script = [("slow", (0.6, listing))] * 3 + [("json", completion("done"))]
    with _client(clean_db, fake_openai, timeout=1, retries=0) as client:
        started = time.monotonic()
        response = client.post("/api/chat", json={"message": "hi"})
        elapsed = time.monotonic() - started
    assert response.status_code == 502
    assert elapsed < 3
    assert len(fake_openai.requests) == 2
