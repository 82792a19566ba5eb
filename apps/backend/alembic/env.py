"""Alembic environment: online migrations against DATABASE_URL."""

from __future__ import annotations

import sys
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy import create_engine, pool

# Also importable when alembic is run without the ini's prepend_sys_path.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from todo_api.config import load_settings
from todo_api.models import Base

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _database_url() -> str:
    # An explicit URL (set by tests or callers) wins over the environment.
    explicit = config.get_main_option("sqlalchemy.url")
    if explicit:
        return explicit
    return load_settings().database_url


def run_migrations_online() -> None:
    engine = create_engine(_database_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported; run against a database")
run_migrations_online()
