"""Todo operations the assistant may perform, shared by both assistants."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg

from .. import todos
from ..limits import TITLE_MAX_LENGTH
from ..schemas import storable_text

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
            "description": "Mark the todo with this id (as the list shows it, e.g. #46) done.",
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
            "description": "Delete the todo with this id (as shown in the list, e.g. #46).",
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

    async def execute(
        self, conn: asyncpg.Connection, name: str, args: dict[str, Any]
    ) -> dict[str, Any]:
        handler = _HANDLERS.get(name)
        if handler is None:
            raise ToolError(f"unknown tool {name!r}")
        result, changed = await handler(conn, args)
        self.actions.append({"tool": name, "args": args, "result": result})
        self.changed = self.changed or changed
        return result


def todo_json(todo: todos.Todo) -> dict[str, Any]:
    return {
        **todo,
        "created_at": todo["created_at"].isoformat(),
        "updated_at": todo["updated_at"].isoformat(),
    }


def parse_id(value: object) -> int:
    """An id is an integer or a string of ASCII digits: '١٢' is not 12."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ToolError("id must be an integer")
    if isinstance(value, str):
        text = value.strip().removeprefix("#")
        if not (text.isascii() and text.isdigit()) or len(text) > 10:
            raise ToolError(f"id must be a number written with the digits 0-9, got {value[:20]!r}")
        value = int(text)
    if not 1 <= value < 2**31:
        raise ToolError(f"no todo with id {value}")
    return value


def _text(value: object, name: str) -> str:
    try:
        return storable_text(str(value))
    except ValueError as exc:
        raise ToolError(f"{name} {exc}") from None


async def _create(conn: asyncpg.Connection, args: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    title = _text(args.get("title") or "", "title").strip()
    if not title:
        raise ToolError("title must not be empty")
    if len(title) > TITLE_MAX_LENGTH:
        raise ToolError(f"title must be at most {TITLE_MAX_LENGTH} characters")
    description = args.get("description")
    todo = await todos.create_todo(
        conn,
        title=title,
        description=_text(description, "description") if description else None,
    )
    return {"todo": todo_json(todo)}, True


async def _list(conn: asyncpg.Connection, args: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    completed = args.get("completed")
    if completed is not None and not isinstance(completed, bool):
        raise ToolError("completed must be true or false")
    items, total = await todos.list_todos(conn, limit=LIST_LIMIT, offset=0, completed=completed)
    return {"todos": [todo_json(t) for t in items], "total": total}, False


async def _complete(conn: asyncpg.Connection, args: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    todo_id = parse_id(args.get("id"))
    todo = await todos.update_todo(conn, todo_id, {"completed": True})
    if todo is None:
        raise ToolError(f"no todo with id {todo_id}")
    return {"todo": todo_json(todo)}, True


async def _delete(conn: asyncpg.Connection, args: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    todo_id = parse_id(args.get("id"))
    if not await todos.delete_todo(conn, todo_id):
        raise ToolError(f"no todo with id {todo_id}")
    return {"deleted_id": todo_id}, True


_HANDLERS = {
    "create_todo": _create,
    "list_todos": _list,
    "complete_todo": _complete,
    "delete_todo": _delete,
}
