"""Todo persistence, shared by the REST routes and the assistant tools."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .models import Todo


def list_todos(
    session: Session, *, limit: int, offset: int, completed: bool | None = None
) -> tuple[list[Todo], int]:
    query = select(Todo)
    count = select(func.count()).select_from(Todo)
    if completed is not None:
        query = query.where(Todo.completed == completed)
        count = count.where(Todo.completed == completed)
    items = session.scalars(query.order_by(Todo.id).limit(limit).offset(offset)).all()
    return list(items), session.scalar(count) or 0


def create_todo(session: Session, *, title: str, description: str | None = None) -> Todo:
    todo = Todo(title=title, description=description, completed=False)
    session.add(todo)
    # Flush + refresh so id and server-side timestamps are in the response.
    session.flush()
    session.refresh(todo)
    return todo


def get_todo(session: Session, todo_id: int) -> Todo | None:
    return session.get(Todo, todo_id)


def update_todo(session: Session, todo: Todo, changes: dict[str, object]) -> Todo:
    for field, value in changes.items():
        setattr(todo, field, value)
    session.flush()
    session.refresh(todo)
    return todo


def delete_todo(session: Session, todo: Todo) -> None:
    session.delete(todo)
    session.flush()
