"""CRUD endpoints for /api/todos."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Response
from sqlalchemy.orm import Session

from .. import todos
from ..db import get_session
from ..models import Todo
from ..schemas import TodoCreate, TodoOut, TodoPage, TodoUpdate

router = APIRouter(prefix="/api/todos", tags=["todos"])

SessionDep = Annotated[Session, Depends(get_session)]
# Postgres integer ids; larger values would fail in the driver with a 500.
TodoId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _found(session: Session, todo_id: int) -> Todo:
    todo = todos.get_todo(session, todo_id)
    if todo is None:
        raise HTTPException(status_code=404, detail=f"todo {todo_id} not found")
    return todo


@router.get("", response_model=TodoPage)
def list_todos(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
    completed: bool | None = None,
) -> TodoPage:
    items, total = todos.list_todos(session, limit=limit, offset=offset, completed=completed)
    return TodoPage(
        items=[TodoOut.model_validate(t) for t in items], total=total, limit=limit, offset=offset
    )


@router.post("", response_model=TodoOut, status_code=201)
def create_todo(body: TodoCreate, session: SessionDep) -> Todo:
    return todos.create_todo(session, title=body.title, description=body.description)


@router.get("/{todo_id}", response_model=TodoOut)
def get_todo(todo_id: TodoId, session: SessionDep) -> Todo:
    return _found(session, todo_id)


@router.patch("/{todo_id}", response_model=TodoOut)
def update_todo(todo_id: TodoId, body: TodoUpdate, session: SessionDep) -> Todo:
    changes = body.model_dump(exclude_unset=True)
    return todos.update_todo(session, _found(session, todo_id), changes)


@router.delete("/{todo_id}", status_code=204)
def delete_todo(todo_id: TodoId, session: SessionDep) -> Response:
    todos.delete_todo(session, _found(session, todo_id))
    return Response(status_code=204)
