"""Configuration errors stop the app and name the variable to fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from todo_api.config import ConfigError, load_settings

BACKEND = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "DATABASE_URL",
        "CORS_ORIGINS",
        "LOG_LEVEL",
        "OPENAI_API_KEY",
        "OPENAI_MODEL",
        "OPENAI_BASE_URL",
        "OPENAI_TIMEOUT_SECONDS",
        "OPENAI_MAX_RETRIES",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults_and_normalisation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db:5432/todo")
    settings = load_settings()
    assert settings.database_url == "postgresql+psycopg://u:p@db:5432/todo"
    assert settings.cors_origins == []
    assert settings.log_level == "INFO"
    assert settings.openai_api_key is None
    assert settings.openai_model == "gpt-4o-mini"
    assert settings.openai_base_url is None
    assert settings.openai_timeout_seconds == 20


def test_values_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/todo")
    monkeypatch.setenv("CORS_ORIGINS", "http://a.example, http://b.example,")
    monkeypatch.setenv("LOG_LEVEL", "warning")
    monkeypatch.setenv("OPENAI_API_KEY", "")
    monkeypatch.setenv("OPENAI_TIMEOUT_SECONDS", "3.5")
    settings = load_settings()
    assert settings.database_url == "postgresql+psycopg://u@db/todo"
    assert settings.cors_origins == ["http://a.example", "http://b.example"]
    assert settings.log_level == "WARNING"
    assert settings.openai_api_key is None
    assert settings.openai_timeout_seconds == 3.5


@pytest.mark.parametrize(
    ("env", "variable", "hint"),
    [
        ({}, "DATABASE_URL", "is required"),
        ({"DATABASE_URL": "mysql://u@db/todo"}, "DATABASE_URL", "postgresql://"),
        ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL", "DEBUG"),
        ({"OPENAI_TIMEOUT_SECONDS": "soon"}, "OPENAI_TIMEOUT_SECONDS", "number"),
        ({"OPENAI_TIMEOUT_SECONDS": "0"}, "OPENAI_TIMEOUT_SECONDS", "greater than 0"),
    ],
)
def test_invalid_values_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], variable: str, hint: str
) -> None:
    env = {"DATABASE_URL": "postgresql://u@db/todo", **env} if variable != "DATABASE_URL" else env
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert f"{variable}: " in str(caught.value)
    assert hint in str(caught.value)


def test_every_problem_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOG_LEVEL", "LOUD")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "DATABASE_URL: is required" in str(caught.value)
    assert "LOG_LEVEL: " in str(caught.value)


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    return {**env, "PYTHONPATH": str(BACKEND / "src"), **extra}


def test_server_refuses_to_start_without_database_url(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "uvicorn", "todo_api.main:app", "--port", "0"],
        cwd=tmp_path,
        env=_clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DATABASE_URL: is required but not set" in result.stdout + result.stderr


def test_migrate_refuses_bad_url_naming_the_variable(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "todo_api.migrate"],
        cwd=tmp_path,
        env=_clean_env(DATABASE_URL="sqlite:///x.db"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "DATABASE_URL: " in result.stderr
    assert "postgresql://" in result.stderr
