"""Worker count and pool size from the container's cgroup limits (v1 and v2)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from todo_api.serve import Plan, ServeError, cpu_limit, main, memory_limit, plan, uvicorn_argv


def _v2(root: Path, cpu: str, memory: str = "max") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "cpu.max").write_text(cpu + "\n")
    (root / "memory.max").write_text(memory + "\n")
    return root


def _v1(root: Path, quota: int, period: int = 100000, memory: int = 2**63 - 4096) -> Path:
    for sub in ("cpu,cpuacct", "memory"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    (root / "cpu,cpuacct" / "cpu.cfs_quota_us").write_text(f"{quota}\n")
    (root / "cpu,cpuacct" / "cpu.cfs_period_us").write_text(f"{period}\n")
    (root / "memory" / "memory.limit_in_bytes").write_text(f"{memory}\n")
    return root


def test_cgroup_v2_limits(tmp_path: Path) -> None:
    root = _v2(tmp_path, "150000 100000", str(512 * 2**20))
    assert cpu_limit(root) == 1.5
    assert memory_limit(root) == 512 * 2**20
    assert plan({}, root) == Plan(workers=2, pool_size=10, reason="cgroup CPU limit 1.5")
    assert cpu_limit(_v2(tmp_path / "free", "max 100000")) is None


def test_cgroup_v1_limits(tmp_path: Path) -> None:
    root = _v1(tmp_path, 100000)
    assert cpu_limit(root) == 1.0 and memory_limit(root) is None
    assert plan({}, root).workers == 1
    assert cpu_limit(_v1(tmp_path / "free", -1)) is None


def test_no_limit_uses_the_cpus_this_process_may_run_on(tmp_path: Path) -> None:
    assert plan({}, tmp_path).workers == len(os.sched_getaffinity(0))


def test_memory_limit_caps_workers_and_env_overrides(tmp_path: Path) -> None:
    root = _v2(tmp_path, "800000 100000", str(384 * 2**20))
    capped = plan({}, root)
    assert capped.workers == 3  # 384 MiB / 96 MiB - 1 for the supervisor
    assert "memory" in capped.reason
    assert capped.pool_size == 10  # 40 // 3 capped at 10
    assert plan({"WEB_CONCURRENCY": "6"}, root).pool_size == 6
    assert plan({"WEB_CONCURRENCY": "6", "DB_POOL_SIZE": "3"}, root).pool_size == 3


@pytest.mark.parametrize("value", ["0", "-1", "two", "\u0661", "99"])
def test_bad_worker_count_names_the_variable(tmp_path: Path, value: str) -> None:
    with pytest.raises(ServeError, match="WEB_CONCURRENCY: must be a whole number from 1 to 32"):
        plan({"WEB_CONCURRENCY": value}, tmp_path)


def test_one_worker_runs_without_a_supervisor() -> None:
    single = uvicorn_argv(Plan(1, 10, ""), {}, [])
    assert "--workers" not in single
    protocol = "todo_api.http_protocol:BoundedHttpToolsProtocol"
    assert {"uvloop", protocol, "--proxy-headers"} <= set(single)
    assert uvicorn_argv(Plan(3, 10, ""), {}, [])[-2:] == ["--workers", "3"]


def test_reload_keeps_the_limits_and_runs_one_worker() -> None:
    # The dev override and `nx run backend:serve` run `python -m todo_api.serve --reload`.
    argv = uvicorn_argv(Plan(3, 10, ""), {}, ["--reload", "--reload-dir", "src"])
    assert "--workers" not in argv
    assert "todo_api.http_protocol:BoundedHttpToolsProtocol" in argv
    assert argv[-3:] == ["--reload", "--reload-dir", "src"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MAX_HEADER_BYTES", "10"),
        ("MAX_CONNECTIONS", "0"),
        ("MAX_WAITING_CONNECTIONS", "0"),
        ("HEADER_TIMEOUT_SECONDS", "soon"),
    ],
)
def test_bad_http_limits_stop_serve_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str
) -> None:
    def must_not_start(*_: object) -> None:
        raise AssertionError("serve started uvicorn despite a bad setting")

    monkeypatch.setattr(os, "execve", must_not_start)
    monkeypatch.setenv("WEB_CONCURRENCY", "1")
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exited:
        main([])
    assert exited.value.code == 2
    assert f"{name}: " in capsys.readouterr().err
