"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from .limits import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH


def storable_text(value: str) -> str:
    """Reject what PostgreSQL text cannot hold, as a 422 instead of a driver error."""
    if "\x00" in value:
        raise ValueError("must not contain NUL (\\u0000) characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(
            "must be valid Unicode: lone surrogates such as \\ud800 are not text"
        ) from None
    return value


Storable = AfterValidator(storable_text)
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX_LENGTH),
    Storable,
]
Description = Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX_LENGTH), Storable]


class TodoCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description | None = None


class TodoUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    completed: bool | None = None

    @field_validator("title", "completed")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Omitting a field leaves it unchanged; an explicit null is a mistake.
        if value is None:
            raise ValueError("may not be null; omit the field to leave it unchanged")
        return value


class TodoOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str | None
    completed: bool
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Bumped by every write; sent as the ETag")


class TodoPage(BaseModel):
    items: list[TodoOut]
    total: int
    limit: int
    offset: int


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000), Storable
    ] = Field(description="What the user typed, e.g. 'add buy milk'")


class ChatResponse(BaseModel):
    reply: str
    actions: list[dict[str, Any]]
    todos_changed: bool
