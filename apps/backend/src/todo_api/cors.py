"""CORS whose allowed origins are only known once settings load in the lifespan."""

from __future__ import annotations

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send


class LateCorsMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._cors: CORSMiddleware | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origins = scope["app"].state.cors_origins if scope["type"] == "http" else []
        if not origins:
            # No origins configured: same-origin only, no CORS headers at all.
            await self.app(scope, receive, send)
            return
        if self._cors is None:
            self._cors = CORSMiddleware(
                self.app,
                allow_origins=origins,
                allow_methods=["GET", "POST", "PATCH", "DELETE"],
                allow_headers=["content-type"],
            )
        await self._cors(scope, receive, send)
