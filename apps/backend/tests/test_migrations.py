"""The alembic history applies, reverts and re-applies cleanly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from todo_api.migrate import alembic_config
from todo_api.models import Base

BACKEND = Path(__file__).resolve().parents[1]


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _run_migrate(database_url: str, src: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`python -m todo_api.migrate` as the deployment runs it, without ALEMBIC_CONFIG."""
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(src)}
    env.pop("ALEMBIC_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-m", "todo_api.migrate"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_upgrade_downgrade_upgrade(migrated: str) -> None:
    config = alembic_config(migrated)
    command.downgrade(config, "base")
    assert not {"todos", "idempotency_keys"} & _tables(migrated)
    command.upgrade(config, "head")
    assert {"todos", "idempotency_keys", "alembic_version"} <= _tables(migrated)
    engine = create_engine(migrated)
    with engine.begin() as conn:
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == "0003"
        conn.execute(text("INSERT INTO todos (title) VALUES ('after re-upgrade')"))
        row = conn.execute(text("SELECT completed, created_at, version FROM todos")).one()
        conn.execute(text("TRUNCATE todos RESTART IDENTITY"))
    engine.dispose()
    assert row.completed is False and row.created_at is not None and row.version == 1


def test_migrate_module_runs_from_another_directory(migrated: str, tmp_path: Path) -> None:
    # The image runs it from /app; here from an unrelated cwd to prove the ini
    # and script location are found relative to the package, not the cwd.
    result = _run_migrate(migrated, BACKEND / "src", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "latest revision" in result.stderr


def test_importing_the_app_does_not_migrate(migrated: str) -> None:
    command.downgrade(alembic_config(migrated), "base")
    try:
        env = {**os.environ, "DATABASE_URL": migrated, "PYTHONPATH": str(BACKEND / "src")}
        subprocess.run(
            [sys.executable, "-c", "import todo_api.main"],
            env=env,
            check=True,
            timeout=60,
            capture_output=True,
        )
        assert "todos" not in _tables(migrated)
    finally:
        command.upgrade(alembic_config(migrated), "head")


def test_migrate_works_in_the_image_layout(migrated: str, tmp_path: Path) -> None:
    # The image's WORKDIR /app holds alembic.ini, alembic/ and src/ side by side.
    app_dir = tmp_path / "app"
    shutil.copytree(BACKEND / "alembic", app_dir / "alembic")
    shutil.copytree(BACKEND / "src", app_dir / "src")
    shutil.copy(BACKEND / "alembic.ini", app_dir / "alembic.ini")
    command.downgrade(alembic_config(migrated), "base")
    result = _run_migrate(migrated, app_dir / "src", app_dir)
    assert result.returncode == 0, result.stderr
    assert "Running upgrade  -> 0001" in result.stderr
    assert "todos" in _tables(migrated)


def test_models_match_the_migrations(migrated: str) -> None:
    engine = create_engine(migrated)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations differ; add a migration: {diff}"
