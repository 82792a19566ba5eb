"""OpenAI chat-completions loop that lets the model call the todo tools."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import asyncpg
import openai

from ..config import Settings
from ..schemas import ChatResponse
from .errors import ProviderError
from .tools import TOOL_SPECS, ToolError, ToolRun

MAX_ROUNDS = 5
SYSTEM_PROMPT = (
    "You manage the user's todo list. Use the tools to create, list, complete "
    "or delete todos; refer to todos by their numeric id. Answer briefly."
)

logger = logging.getLogger(__name__)


def make_client(settings: Settings) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(
        api_key=settings.openai_api_key,
        base_url=settings.openai_base_url,
        timeout=settings.openai_timeout_seconds,
        max_retries=settings.openai_max_retries,
    )


async def _complete(
    client: openai.AsyncOpenAI, model: str, messages: list[dict[str, Any]], timeout: float
) -> Any:
    try:
        response = await client.with_options(timeout=timeout).chat.completions.create(
            model=model, messages=messages, tools=TOOL_SPECS
        )
    except openai.APITimeoutError:
        raise ProviderError(f"AI provider did not answer within {timeout:.1f}s") from None
    except openai.APIConnectionError as exc:
        raise ProviderError(f"could not reach AI provider: {exc}") from None
    except openai.APIStatusError as exc:
        raise ProviderError(f"AI provider returned HTTP {exc.status_code}: {exc.message}") from None
    except openai.APIError as exc:
        raise ProviderError(f"AI provider sent an invalid response: {exc}") from None
    try:
        message = response.choices[0].message
        _ = message.content, message.tool_calls
    except (AttributeError, IndexError, TypeError) as exc:
        raise ProviderError(f"AI provider sent a malformed response: {exc}") from None
    return message


async def _run_tool(run: ToolRun, conn: asyncpg.Connection, call: Any) -> str:
    try:
        name = call.function.name
        args = json.loads(call.function.arguments or "{}")
    except (AttributeError, json.JSONDecodeError) as exc:
        raise ProviderError(f"AI provider sent a malformed tool call: {exc}") from None
    if not isinstance(args, dict):
        raise ProviderError("AI provider sent tool arguments that are not a JSON object")
    try:
        return json.dumps(await run.execute(conn, name, args))
    except ToolError as exc:
        # Told to the model so it can correct itself or explain to the user.
        return json.dumps({"error": str(exc)})


async def answer(
    conn: asyncpg.Connection, client: openai.AsyncOpenAI, model: str, user_message: str
) -> ChatResponse:
    messages: list[dict[str, Any]] = [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": user_message},
    ]
    run = ToolRun()
    # One budget for the whole exchange, so several slow rounds cannot add up
    # to minutes: each round may only use what the earlier ones left over.
    per_call = float(client.timeout)  # type: ignore[arg-type]
    deadline = time.monotonic() + per_call * (client.max_retries + 1)
    for _ in range(MAX_ROUNDS):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ProviderError("AI provider took too long over several tool rounds")
        message = await _complete(client, model, messages, min(per_call, remaining))
        if not message.tool_calls:
            if not isinstance(message.content, str) or not message.content.strip():
                raise ProviderError("AI provider answered with neither text nor tool calls")
            return ChatResponse(
                reply=message.content, actions=run.actions, todos_changed=run.changed
            )
        messages.append(message.model_dump(exclude_none=True))
        for call in message.tool_calls:
            messages.append(
                {
                    "role": "tool",
                    "tool_call_id": call.id,
                    "content": await _run_tool(run, conn, call),
                }
            )
    raise ProviderError(f"AI provider kept calling tools for {MAX_ROUNDS} rounds without answering")
