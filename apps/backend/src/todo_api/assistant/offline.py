"""Deterministic command parser used when no OpenAI key is configured.

It acts on what the user sees: a todo is named by the id the list shows
(`done 46`, `done #46`) or by its title (`done buy milk`). Only the ASCII
digits 0-9 make an id, so `delete ١٢` looks for a title, never for #12.
"""

from __future__ import annotations

import re

import asyncpg

from .. import todos
from ..schemas import ChatResponse
from .tools import ToolError, ToolRun

COMMANDS_HELP = (
    "I understand: 'add <title>', 'list', 'list open', 'list done', "
    "'done <id or title>' and 'delete <id or title>'."
)

_COMMANDS = [
    (re.compile(r"^(?:add|create|new)\s+(?P<title>.+)$", re.I | re.S), "create_todo"),
    (
        re.compile(r"^(?:list|ls|show)(?:\s+(?P<which>all|open|done|completed))?$", re.I),
        "list_todos",
    ),
    (
        re.compile(r"^(?:done|complete|finish|check)\s+(?P<target>.+)$", re.I | re.S),
        "complete_todo",
    ),
    (re.compile(r"^(?:delete|remove|rm)\s+(?P<target>.+)$", re.I | re.S), "delete_todo"),
]
# re.ASCII: \d would also match Arabic-Indic and other Unicode digits.
_ID = re.compile(r"#?([0-9]{1,10})", re.ASCII)


class _Unresolved(Exception):
    pass


async def _resolve(conn: asyncpg.Connection, target: str) -> int:
    """The id of the todo the user means: a shown id, else a (unique) title match."""
    target = target.strip()
    if _ID.fullmatch(target):
        return int(target.lstrip("#"))
    matches = await todos.find_by_title(conn, target)
    if not matches:
        raise _Unresolved(f"Sorry, no todo has the id or title {target[:60]!r}. {await hint(conn)}")
    exact = [t for t in matches if t["title"].lower() == target.lower()]
    candidates = exact or matches
    if len(candidates) > 1:
        names = ", ".join(f"#{t['id']} {t['title']}" for t in candidates)
        raise _Unresolved(f"Several todos match {target[:60]!r}: {names}. Which one? Use its id.")
    return candidates[0]["id"]


async def hint(conn: asyncpg.Connection) -> str:
    """An example built from a todo that exists, so it never names a missing id."""
    items, _ = await todos.list_todos(conn, limit=1, offset=0, completed=False)
    if not items:
        items, _ = await todos.list_todos(conn, limit=1, offset=0)
    if not items:
        return "Try 'add buy milk'."
    todo = items[0]
    return f"Try 'done {todo['id']}' or 'done {todo['title'][:40]}'."


def _reply(tool: str, result: dict) -> str:
    if tool == "create_todo":
        todo = result["todo"]
        return f"Added #{todo['id']}: {todo['title']}"
    if tool == "complete_todo":
        todo = result["todo"]
        return f"Marked #{todo['id']} as done: {todo['title']}"
    if tool == "delete_todo":
        return f"Deleted #{result['deleted_id']}"
    if not result["todos"]:
        return "You have no todos."
    lines = [f"#{t['id']} [{'x' if t['completed'] else ' '}] {t['title']}" for t in result["todos"]]
    return "\n".join(lines)


async def answer(conn: asyncpg.Connection, message: str) -> ChatResponse:
    text = message.strip()
    for pattern, tool in _COMMANDS:
        match = pattern.match(text)
        if not match:
            continue
        run = ToolRun()
        try:
            if tool == "create_todo":
                args: dict[str, object] = {"title": match["title"].strip()}
            elif tool == "list_todos":
                which = (match["which"] or "all").lower()
                args = {} if which == "all" else {"completed": which != "open"}
            else:
                args = {"id": await _resolve(conn, match["target"])}
            result = await run.execute(conn, tool, args)
        except _Unresolved as exc:
            return ChatResponse(reply=str(exc), actions=[], todos_changed=False)
        except ToolError as exc:
            return ChatResponse(
                reply=f"Sorry, {exc}. {await hint(conn)}", actions=[], todos_changed=False
            )
        return ChatResponse(
            reply=_reply(tool, result), actions=run.actions, todos_changed=run.changed
        )
    return ChatResponse(
        reply=f"Sorry, I did not understand that. {COMMANDS_HELP} {await hint(conn)}",
        actions=[],
        todos_changed=False,
    )
