"""Deterministic command parser used when no OpenAI key is configured."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from ..schemas import ChatResponse
from .tools import ToolError, ToolRun

HELP = (
    "I understand: 'add <title>', 'list', 'list open', 'list done', 'done <id>' and 'delete <id>'."
)

_COMMANDS = [
    (re.compile(r"^(?:add|create|new)\s+(?P<title>.+)$", re.I | re.S), "create_todo"),
    (
        re.compile(r"^(?:list|ls|show)(?:\s+(?P<which>all|open|done|completed))?$", re.I),
        "list_todos",
    ),
    (re.compile(r"^(?:done|complete|finish)\s+#?(?P<id>\d+)$", re.I), "complete_todo"),
    (re.compile(r"^(?:delete|remove|rm)\s+#?(?P<id>\d+)$", re.I), "delete_todo"),
]


def _args(tool: str, match: re.Match[str]) -> dict[str, object]:
    if tool == "create_todo":
        return {"title": match["title"].strip()}
    if tool == "list_todos":
        which = (match["which"] or "all").lower()
        return {} if which == "all" else {"completed": which != "open"}
    return {"id": int(match["id"])}


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


def answer(session: Session, message: str) -> ChatResponse:
    text = message.strip()
    for pattern, tool in _COMMANDS:
        match = pattern.match(text)
        if match:
            run = ToolRun()
            try:
                result = run.execute(session, tool, _args(tool, match))
            except ToolError as exc:
                return ChatResponse(reply=f"Sorry, {exc}.", actions=[], todos_changed=False)
            return ChatResponse(
                reply=_reply(tool, result), actions=run.actions, todos_changed=run.changed
            )
    return ChatResponse(
        reply=f"Sorry, I did not understand that. {HELP}", actions=[], todos_changed=False
    )
