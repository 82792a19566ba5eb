"""Generated requests against every route: never a 5xx, and a rejected request changes nothing."""

from __future__ import annotations

import json
from urllib.parse import quote

import psycopg
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ODD_IDS = [
    "%ff",
    "%2e%2e%2f",
    "%2e%2e",
    "%00",
    "1e999",
    "\u0661\u0662",
    "NaN",
    "-1",
    "0",
    str(2**63),
    "",
]
ODD_TEXT = [
    "\u0000",
    "\ud800",
    "\udfff",
    "x" * 300,
    "NaN",
    "\u0661\u0662",
    "' OR 1=1 --",
    "%s",
    "$1",
]

ids = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(ODD_IDS),
    st.text(max_size=20).map(lambda s: quote(s.encode("utf-8", "surrogatepass"), safe="")),
)
paths = st.one_of(
    st.sampled_from(["/api/todos", "/api/todos/", "/api/chat", "/health", "/ready", "/api"]),
    ids.map(lambda i: f"/api/todos/{i}"),
    ids.map(lambda i: f"/api/todos/{i}/"),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**80), 2**80),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=50),
    st.sampled_from(ODD_TEXT),
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=10,
)
todo_fields = st.fixed_dictionaries(
    {},
    optional={
        "title": scalars,
        "description": scalars,
        "completed": scalars,
        "message": scalars,
        "id": scalars,
    },
)


def _encode(value: object) -> bytes:
    # allow_nan emits NaN/Infinity tokens; surrogatepass keeps lone surrogates.
    return json.dumps(value, allow_nan=True, ensure_ascii=False).encode("utf-8", "surrogatepass")


bodies = st.one_of(
    st.none(),
    todo_fields.map(_encode),
    json_values.map(_encode),
    st.binary(max_size=300),
)
query_values = st.one_of(
    st.integers(-(2**70), 2**70).map(str), st.text(max_size=12), st.sampled_from(ODD_TEXT)
)
queries = st.dictionaries(
    st.sampled_from(["limit", "offset", "completed", "q", "id"]), query_values, max_size=3
)
methods = st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS", "TRACE"])
if_match = st.one_of(st.none(), st.sampled_from(['"1"', '"999"', "*", 'W/"1"', "junk", '"\u0665"']))


@pytest.fixture
def seeded(client: TestClient, clean_db: str) -> tuple[TestClient, str]:
    for title in ("first", "second"):
        client.post("/api/todos", json={"title": title})
    return client, clean_db.replace("postgresql+psycopg://", "postgresql://")


def _snapshot(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT * FROM todos ORDER BY id").fetchall()


@settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(method=methods, path=paths, query=queries, body=bodies, tag=if_match)
def test_no_5xx_and_rejections_change_nothing(
    seeded: tuple[TestClient, str],
    method: str,
    path: str,
    query: dict[str, str],
    body: bytes | None,
    tag: str | None,
) -> None:
    client, url = seeded
    before = _snapshot(url)
    headers: dict[str, str | bytes] = {"content-type": "application/json"}
    if tag is not None:
        headers["if-match"] = tag.encode()  # type: ignore[assignment]
    safe_query = {
        k: v.encode("utf-8", "surrogatepass").decode("utf-8", "replace") for k, v in query.items()
    }
    response = client.request(
        method, path, params=safe_query, content=body, headers=headers, follow_redirects=False
    )
    assert response.status_code < 500, (method, path, query, body, response.text[:300])
    assert "location" not in response.headers or response.headers["location"].startswith("/")
    if response.status_code >= 400:
        assert _snapshot(url) == before, (method, path, body, response.status_code)
