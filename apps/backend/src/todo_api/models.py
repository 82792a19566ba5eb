"""ORM table definitions; the schema itself is owned by the alembic migrations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Index, Integer, String, Text, func, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .limits import DESCRIPTION_MAX_LENGTH, TITLE_MAX_LENGTH

__all__ = ["DESCRIPTION_MAX_LENGTH", "TITLE_MAX_LENGTH", "Base", "IdempotencyKey", "Todo"]


class Base(DeclarativeBase):
    pass


class Todo(Base):
    __tablename__ = "todos"
    # Mirrors migration 0001, so autogenerate sees no drift.
    __table_args__ = (Index("ix_todos_completed_id", "completed", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH), nullable=False)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    completed: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now(), onupdate=func.now()
    )
    # Bumped by every write (migration 0002); the API's ETag.
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"))


class IdempotencyKey(Base):
    """The first answer to a POST /api/todos with an Idempotency-Key (migration 0003)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (Index("ix_idempotency_keys_expires_at", "expires_at"),)

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    status: Mapped[int] = mapped_column(Integer, nullable=False)
    response: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
