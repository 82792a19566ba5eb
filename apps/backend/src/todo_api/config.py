"""Runtime configuration, read from the environment and validated once."""

from __future__ import annotations

import logging
import re
from typing import Annotated, TypeVar

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")
_PSYCOPG_SCHEME = "postgresql+psycopg://"
_ACCEPTED_SCHEMES = ("postgresql://", "postgres://", _PSYCOPG_SCHEME)


_S = TypeVar("_S", bound=BaseSettings)


class ConfigError(Exception):
    """Raised with one line per invalid variable, each naming the variable."""


class HttpLimits(BaseSettings):
    """What one request and one worker may hold; read by the HTTP protocol (http_protocol.py)."""

    # Field names map to upper-case environment variables (case-insensitive).
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    # Request line plus headers; larger gets 431. Above what the frontend proxy
    # forwards (Node's 16 KiB plus its X-Forwarded-* headers).
    max_header_bytes: int = Field(default=32768, ge=1024, le=1024 * 1024)
    # From connect (or the previous response) to the end of the headers; then 408.
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    # From the end of the headers to the end of a declared body; then 408.
    body_timeout_seconds: float = Field(default=15.0, gt=0, le=600)
    # Requests in progress per worker (headers received, response not yet sent);
    # more get 503 + Retry-After, unless one of them is still trickling its body,
    # which is then closed instead.
    max_connections: int = Field(default=256, ge=1, le=100_000)
    # Connections per worker waiting for a request (idle, or headers incomplete);
    # beyond this the one waiting longest is closed to admit the new one.
    max_waiting_connections: int = Field(default=256, ge=1, le=100_000)


class DocsSettings(BaseSettings):
    """Whether /docs, /redoc and /openapi.json are served; read when the app is built."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    # The deployment's name, e.g. local, minikube, production. Only "local" turns
    # the API docs on by default; unset counts as not local.
    app_env: str | None = None
    # true/false overrides APP_ENV for the API docs.
    api_docs: bool | None = None

    @field_validator("app_env", mode="before")
    @classmethod
    def _check_env(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower() or None
            if value is not None and not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,62}", value):
                raise ValueError("must be a name such as local or production")
        return value

    @field_validator("api_docs", mode="before")
    @classmethod
    def _empty_docs_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def docs_enabled(self) -> bool:
        return self.api_docs if self.api_docs is not None else self.app_env == "local"


class Settings(HttpLimits, DocsSettings):
    database_url: str = Field(
        description="postgresql:// or postgresql+psycopg:// URL of the database"
    )
    # NoDecode: a comma-separated string, not JSON, is what operators write.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    log_level: str = "INFO"
    openai_api_key: str | None = None
    openai_model: str = "gpt-4o-mini"
    openai_base_url: str | None = None
    openai_timeout_seconds: float = Field(default=20.0, gt=0, le=600)
    openai_max_retries: int = Field(default=2, ge=0, le=10)
    # Per worker process. Workers x pool size must stay below the server's
    # max_connections (100 by default); serve.py sizes it from the worker count.
    db_pool_size: int = Field(default=10, ge=1, le=100)
    # How long a request waits for a free connection before a 503.
    db_pool_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    db_statement_timeout_seconds: float = Field(default=5.0, gt=0, le=300)
    db_connect_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    # /health fails (so the orchestrator restarts the process) once the pool has
    # served nothing for this long while the database itself answers.
    db_pool_stuck_seconds: float = Field(default=30.0, gt=0, le=3600)
    # And the process exits by itself (code 70) once /health would fail: compose
    # restarts a container that exits, never one that is merely unhealthy.
    db_pool_stuck_exit: bool = True
    # How long POST /api/todos remembers an Idempotency-Key and its first answer.
    idempotency_ttl_seconds: int = Field(default=86400, ge=60, le=30 * 86400)
    # The largest accepted request body; a todo or chat message is far smaller.
    max_body_bytes: int = Field(default=65536, ge=1024, le=16 * 1024 * 1024)

    @field_validator("database_url")
    @classmethod
    def _normalise_database_url(cls, value: str) -> str:
        value = value.strip()
        for scheme in _ACCEPTED_SCHEMES:
            if value.startswith(scheme):
                # SQLAlchemy would otherwise pick psycopg2, which is not installed.
                return _PSYCOPG_SCHEME + value[len(scheme) :]
        raise ValueError(
            "must start with postgresql:// or postgresql+psycopg://, "
            "e.g. postgresql://todo:secret@localhost:5432/todo"
        )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("log_level")
    @classmethod
    def _check_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in _LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(_LOG_LEVELS)}")
        return level

    @field_validator("openai_api_key", "openai_base_url")
    @classmethod
    def _empty_is_unset(cls, value: str | None) -> str | None:
        # Compose and Kubernetes often pass an empty string for "not set".
        return value.strip() or None if value is not None else None

    @property
    def log_level_number(self) -> int:
        return logging.getLevelNamesMapping()[self.log_level]


def load_settings(**overrides: object) -> Settings:
    """Read the environment; raise ConfigError naming every bad variable."""
    return _load(Settings, overrides)


def load_http_limits(**overrides: object) -> HttpLimits:
    return _load(HttpLimits, overrides)


def docs_enabled_from_environment() -> bool:
    """For building the app before its settings load; a bad value means off (startup then stops)."""
    try:
        return _load(DocsSettings, {}).docs_enabled
    except ConfigError:
        return False


def _load(cls: type[_S], overrides: dict[str, object]) -> _S:
    try:
        return cls(**overrides)
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            variable = str(error["loc"][0]).upper() if error["loc"] else "?"
            reason = "is required but not set" if error["type"] == "missing" else error["msg"]
            lines.append(f"{variable}: {reason}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines)) from None
