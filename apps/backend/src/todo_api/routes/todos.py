"""CRUD endpoints for /api/todos, with optimistic concurrency.

Contract: every single-todo response carries `ETag: "<version>"` and the body
field `version`. PATCH and DELETE honour `If-Match` (one or more such tags,
`W/` accepted, or `*`); a stale tag gets 412 with the current todo as
`{"detail": ..., "current": {...}}`. Without If-Match, writes apply in arrival
order, each as one statement. POST honours `Idempotency-Key` (see create_todo).
"""

from __future__ import annotations

from typing import Annotated

import asyncpg
import orjson
from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, Response

from .. import todos
from ..db import connection
from ..schemas import TodoCreate, TodoOut, TodoPage, TodoUpdate
from ..web import FastJSONResponse
from .idempotency import IdempotencyKey, run_keyed

router = APIRouter(prefix="/api/todos", tags=["todos"])

# Postgres integer ids and bigint offsets; larger values would fail in the driver.
MAX_ID = 2**31 - 1
TodoId = Annotated[int, Path(ge=1, le=MAX_ID)]
IfMatch = Annotated[
    str | None,
    Header(
        max_length=512,
        description='Entity tags from ETag, e.g. "3"; the write is refused with 412 when stale',
    ),
]


def _etag(todo: todos.Todo) -> str:
    return f'"{todo["version"]}"'


def _one(todo: todos.Todo, status_code: int = 200) -> FastJSONResponse:
    headers = {"ETag": _etag(todo)}
    if status_code == 201:
        # Relative, so it never names the internal host the proxy reached.
        headers["Location"] = f"/api/todos/{todo['id']}"
    return FastJSONResponse(todo, status_code=status_code, headers=headers)


def _versions(if_match: str | None) -> list[int] | None:
    """None when any version will do; otherwise the versions If-Match accepts."""
    if if_match is None or if_match.strip() == "*":
        return None
    versions = []
    for tag in if_match.split(","):
        tag = tag.strip().removeprefix("W/")
        inner = tag[1:-1] if len(tag) >= 2 and tag[0] == tag[-1] == '"' else tag
        # ASCII digits only, and bounded: anything else can never match.
        if inner.isascii() and inner.isdigit() and len(inner) <= 9:
            versions.append(int(inner))
    return versions


def _not_found(todo_id: int) -> HTTPException:
    return HTTPException(status_code=404, detail=f"todo {todo_id} not found")


def _stale(exc: todos.StaleVersion) -> FastJSONResponse:
    return FastJSONResponse(
        {
            "detail": "the todo was changed by someone else; reload it and retry",
            "current": exc.current,
        },
        status_code=412,
        headers={"ETag": _etag(exc.current)},
    )


@router.get("", response_model=TodoPage)
async def list_todos(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    completed: bool | None = None,
) -> Response:
    async with connection(request) as conn:
        items, total = await todos.list_todos(conn, limit=limit, offset=offset, completed=completed)
    return FastJSONResponse({"items": items, "total": total, "limit": limit, "offset": offset})


@router.post(
    "",
    response_model=TodoOut,
    status_code=201,
    responses={422: {"description": "invalid body, or an Idempotency-Key reused with another"}},
)
async def create_todo(
    body: TodoCreate, request: Request, idempotency_key: IdempotencyKey = None
) -> Response:
    if idempotency_key is None:
        async with connection(request) as conn:
            todo = await todos.create_todo(conn, title=body.title, description=body.description)
        return _one(todo, status_code=201)

    async def create(conn: asyncpg.Connection) -> tuple[int, bytes]:
        todo = await todos.create_todo(conn, title=body.title, description=body.description)
        return 201, orjson.dumps(todo)

    answer = await run_keyed(request, idempotency_key, body, create)
    if isinstance(answer, Response):
        return answer
    status, content, replayed = answer
    todo = orjson.loads(content)
    headers = {"ETag": _etag(todo), "Location": f"/api/todos/{todo['id']}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(content, status_code=status, headers=headers, media_type="application/json")


@router.get("/{todo_id}", response_model=TodoOut)
async def get_todo(todo_id: TodoId, request: Request) -> Response:
    async with connection(request) as conn:
        todo = await todos.get_todo(conn, todo_id)
    if todo is None:
        raise _not_found(todo_id)
    return _one(todo)


@router.patch("/{todo_id}", response_model=TodoOut, responses={412: {}})
async def update_todo(
    todo_id: TodoId, body: TodoUpdate, request: Request, if_match: IfMatch = None
) -> Response:
    changes = body.model_dump(exclude_unset=True)
    try:
        async with connection(request) as conn:
            todo = await todos.update_todo(conn, todo_id, changes, if_versions=_versions(if_match))
    except todos.StaleVersion as exc:
        return _stale(exc)
    if todo is None:
        raise _not_found(todo_id)
    return _one(todo)


@router.delete("/{todo_id}", status_code=204, responses={412: {}})
async def delete_todo(todo_id: TodoId, request: Request, if_match: IfMatch = None) -> Response:
    try:
        async with connection(request) as conn:
            deleted = await todos.delete_todo(conn, todo_id, if_versions=_versions(if_match))
    except todos.StaleVersion as exc:
        return _stale(exc)
    if not deleted:
        raise _not_found(todo_id)
    return Response(status_code=204)
