"""`python -m todo_api.migrate`: bring the database schema to the latest revision."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from .config import ConfigError, load_settings


def find_alembic_ini() -> Path:
    """ALEMBIC_CONFIG, else ./alembic.ini, else the one beside src/ (repo or /app)."""
    candidates = [
        os.environ.get("ALEMBIC_CONFIG"),
        Path.cwd() / "alembic.ini",
        Path(__file__).resolve().parents[2] / "alembic.ini",
    ]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FileNotFoundError(
        "alembic.ini not found: set ALEMBIC_CONFIG or run from the directory holding it"
    )


def alembic_config(database_url: str) -> Config:
    config = Config(str(find_alembic_ini()))
    # '%' is ConfigParser interpolation syntax; URL-encoded passwords contain it.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def main(argv: list[str] | None = None) -> int:
    del argv
    try:
        settings = load_settings()
        config = alembic_config(settings.database_url)
    except (ConfigError, FileNotFoundError) as exc:
        print(f"migrate: {exc}", file=sys.stderr)
        return 2
    command.upgrade(config, "head")
    print("migrate: database is at the latest revision", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
