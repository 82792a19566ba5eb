"""POST /api/chat: the assistant endpoint."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ..assistant import offline
from ..db import connection
from ..schemas import ChatRequest, ChatResponse

router = APIRouter(prefix="/api", tags=["chat"])


# The whole exchange is one transaction: a provider failure after a tool call
# rolls that change back instead of leaving half-done work.
@router.post("/chat", response_model=ChatResponse)
async def chat(body: ChatRequest, request: Request) -> ChatResponse:
    client = request.app.state.openai_client
    async with connection(request) as conn, conn.transaction():
        if client is None:
            return await offline.answer(conn, body.message)
        from ..assistant import llm  # loaded with the client, see main.py

        model = request.app.state.settings.openai_model
        return await llm.answer(conn, client, model, body.message)
