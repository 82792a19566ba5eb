"""/docs, /redoc and /openapi.json exist only where enabled: APP_ENV=local, or API_DOCS."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from conftest import settings_for
from todo_api.config import ConfigError, load_settings
from todo_api.main import create_app

DOC_PATHS = ("/docs", "/redoc", "/openapi.json")


def _statuses(database_url: str, **extra: object) -> list[int]:
    with TestClient(create_app(settings_for(database_url, **extra))) as client:
        return [client.get(path).status_code for path in DOC_PATHS]


@pytest.mark.parametrize(
    ("extra", "served"),
    [
        ({}, False),
        ({"app_env": "production"}, False),
        ({"app_env": "minikube"}, False),
        ({"app_env": "local"}, True),
        ({"app_env": " Local "}, True),
        ({"app_env": "production", "api_docs": True}, True),
        ({"app_env": "local", "api_docs": False}, False),
    ],
)
def test_docs_follow_the_environment_and_the_switch(
    clean_db: str, extra: dict[str, object], served: bool
) -> None:
    assert _statuses(clean_db, **extra) == ([200] * 3 if served else [404] * 3)


def test_the_app_built_from_the_environment_reads_the_same_settings(
    clean_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", clean_db)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("API_DOCS", raising=False)
    monkeypatch.setenv("APP_ENV", "local")
    with TestClient(create_app()) as client:
        assert client.get("/openapi.json").status_code == 200
    monkeypatch.setenv("APP_ENV", "production")
    with TestClient(create_app()) as client:
        assert client.get("/openapi.json").status_code == 404
        assert client.get("/docs").status_code == 404


@pytest.mark.parametrize(("name", "value"), [("APP_ENV", "prod uction"), ("API_DOCS", "perhaps")])
def test_bad_values_name_the_variable(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=f"{name}: "):
        load_settings(database_url="postgresql://x@localhost/db", **{name.lower(): value})
