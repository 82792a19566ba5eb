"""Todo operations the assistant may perform, shared by both assistants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from .. import todos
from ..models import TITLE_MAX_LENGTH
from ..schemas import TodoOut

LIST_LIMIT = 50

TOOL_SPECS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "create_todo",
            "description": "Create a new todo item.",
            "parameters": {
                "type": "object",
                "properties": {
                    "title": {"type": "string", "maxLength": TITLE_MAX_LENGTH},
                    "description": {"type": "string"},
                },
                "required": ["title"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "list_todos",
            "description": "List todo items, optionally only open or only completed ones.",
            "parameters": {
                "type": "object",
                "properties": {"completed": {"type": "boolean"}},
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "complete_todo",
            "description": "Mark the todo with this id as completed.",
            "parameters": {
                "type": "object",
                "properties": {"id": {"type": "integer"}},
                "required": ["id"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "delete_todo",
            "description": "Delete the todo with this id.",
            "parameters": {
                "type": "object",
                "properties": {"id": {"type": "integer"}},
                "required": ["id"],
            },
        },
    },
]


class ToolError(ValueError):
    """A tool call the model or user got wrong; reported back, not raised to HTTP."""


@dataclass
class ToolRun:
    actions: list[dict[str, Any]] = field(default_factory=list)
    changed: bool = False

    def execute(self, session: Session, name: str, args: dict[str, Any]) -> dict[str, Any]:
        handler = _HANDLERS.get(name)
        if handler is None:
            raise ToolError(f"unknown tool {name!r}")
        result, changed = handler(session, args)
        self.actions.append({"tool": name, "args": args, "result": result})
        self.changed = self.changed or changed
        return result


def _todo_json(todo: Any) -> dict[str, Any]:
    return TodoOut.model_validate(todo).model_dump(mode="json")


def _int_id(args: dict[str, Any]) -> int:
    value = args.get("id")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ToolError("id must be an integer")
    try:
        todo_id = int(value)
    except ValueError:
        raise ToolError(f"id must be an integer, got {value!r}") from None
    if not 1 <= todo_id < 2**31:
        raise ToolError(f"no todo with id {todo_id}")
    return todo_id


def _create(session: Session, args: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    title = str(args.get("title") or "").strip()
    if not title:
        raise ToolError("title must not be empty")
    if len(title) > TITLE_MAX_LENGTH:
        raise ToolError(f"title must be at most {TITLE_MAX_LENGTH} characters")
    description = args.get("description")
    todo = todos.create_todo(
        session, title=title, description=str(description) if description else None
    )
    return {"todo": _todo_json(todo)}, True


def _list(session: Session, args: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    completed = args.get("completed")
    if completed is not None and not isinstance(completed, bool):
        raise ToolError("completed must be true or false")
    items, total = todos.list_todos(session, limit=LIST_LIMIT, offset=0, completed=completed)
    return {"todos": [_todo_json(t) for t in items], "total": total}, False


def _complete(session: Session, args: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    todo_id = _int_id(args)
    todo = todos.get_todo(session, todo_id)
    if todo is None:
        raise ToolError(f"no todo with id {todo_id}")
    todo = todos.update_todo(session, todo, {"completed": True})
    return {"todo": _todo_json(todo)}, True


def _delete(session: Session, args: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    todo_id = _int_id(args)
    todo = todos.get_todo(session, todo_id)
    if todo is None:
        raise ToolError(f"no todo with id {todo_id}")
    todos.delete_todo(session, todo)
    return {"deleted_id": todo_id}, True


_HANDLERS = {
    "create_todo": _create,
    "list_todos": _list,
    "complete_todo": _complete,
    "delete_todo": _delete,
}
