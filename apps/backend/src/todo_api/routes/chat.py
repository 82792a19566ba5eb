"""POST /api/chat: the assistant endpoint."""

from __future__ import annotations

import asyncpg
from fastapi import APIRouter, Request, Response

from ..assistant import offline
from ..db import connection, transaction
from ..schemas import ChatRequest, ChatResponse
from .idempotency import IdempotencyKey, run_keyed

router = APIRouter(prefix="/api", tags=["chat"])


async def _answer(conn: asyncpg.Connection, body: ChatRequest, request: Request) -> ChatResponse:
    client = request.app.state.openai_client
    if client is None:
        return await offline.answer(conn, body.message)
    from ..assistant import llm  # loaded with the client, see main.py

    model = request.app.state.settings.openai_model
    return await llm.answer(conn, client, model, body.message)


# The whole exchange is one transaction: a provider failure after a tool call
# rolls that change back instead of leaving half-done work.
@router.post(
    "/chat",
    response_model=ChatResponse,
    responses={422: {"description": "invalid body, or an Idempotency-Key reused with another"}},
)
async def chat(
    body: ChatRequest, request: Request, idempotency_key: IdempotencyKey = None
) -> Response:
    if idempotency_key is None:
        async with connection(request) as conn, transaction(conn):
            answer = await _answer(conn, body, request)
        return Response(answer.model_dump_json(), media_type="application/json")

    # A chat can add or change todos, so a retried message must not act twice: the key is
    # stored with the answer in the exchange's transaction, as for POST /api/todos, under a
    # scope of its own, so a create's key never replays a chat answer.
    async def produce(conn: asyncpg.Connection) -> tuple[int, bytes]:
        answer = await _answer(conn, body, request)
        # The encoding FastAPI gives a ChatResponse, so a replay reads as the first answer did.
        return 200, answer.model_dump_json().encode()

    answer = await run_keyed(request, idempotency_key, body, produce, scope=b"chat\0")
    if isinstance(answer, Response):
        return answer
    status, content, replayed = answer
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return Response(content, status_code=status, headers=headers, media_type="application/json")
