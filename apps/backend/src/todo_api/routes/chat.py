"""POST /api/chat: the assistant endpoint."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ..assistant import llm, offline
from ..routes.todos import SessionDep
from ..schemas import ChatRequest, ChatResponse

router = APIRouter(prefix="/api", tags=["chat"])


# A sync handler runs in the thread pool, so a slow provider never blocks the
# event loop. The whole exchange is one transaction: a provider failure after
# a tool call rolls that change back instead of leaving half-done work.
@router.post("/chat", response_model=ChatResponse)
def chat(body: ChatRequest, request: Request, session: SessionDep) -> ChatResponse:
    client = request.app.state.openai_client
    if client is None:
        return offline.answer(session, body.message)
    return llm.answer(session, client, request.app.state.settings.openai_model, body.message)
