"""`python -m todo_api.serve`: uvicorn with as many workers as the container may use.

The worker count follows the CPU limit of the container's cgroup (v2
`cpu.max`, v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`), which is what both a
compose `cpus:` and a Kubernetes `resources.limits.cpu` set; without a limit,
the CPUs this process may run on. It is capped so that every worker fits the
memory limit, and `WEB_CONCURRENCY` overrides it. The per-worker database pool
is sized from the same count, so the whole process group stays within
`DB_MAX_CONNECTIONS` unless `DB_POOL_SIZE` says otherwise.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from .config import ConfigError, load_http_limits

CGROUP_ROOT = Path("/sys/fs/cgroup")
# Measured RSS of one worker under load is ~60 MiB (apps/backend/README.md);
# the budget leaves room for the supervisor and for growth.
DEFAULT_WORKER_MEMORY_MIB = 96
DEFAULT_DB_MAX_CONNECTIONS = 40
MAX_WORKERS = 32


class ServeError(ValueError):
    pass


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None


def cpu_limit(root: Path = CGROUP_ROOT) -> float | None:
    """CPUs the cgroup may use, or None when unlimited or unknown."""
    v2 = _read(root / "cpu.max")
    if v2 is not None:
        quota, _, period = v2.partition(" ")
        if quota == "max" or not period:
            return None
        return int(quota) / int(period)
    for v1 in (root / "cpu,cpuacct", root / "cpu"):
        quota_text, period_text = _read(v1 / "cpu.cfs_quota_us"), _read(v1 / "cpu.cfs_period_us")
        if quota_text is not None and period_text is not None:
            quota, period = int(quota_text), int(period_text)
            return quota / period if quota > 0 and period > 0 else None
    return None


def memory_limit(root: Path = CGROUP_ROOT) -> int | None:
    """Bytes the cgroup may use, or None when unlimited or unknown."""
    v2 = _read(root / "memory.max")
    if v2 is not None:
        return None if v2 == "max" else int(v2)
    v1 = _read(root / "memory" / "memory.limit_in_bytes")
    # v1 reports "no limit" as a huge page-rounded number.
    if v1 is not None and int(v1) < 2**60:
        return int(v1)
    return None


def _env_int(env: dict[str, str], name: str, low: int, high: int) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
        raise ServeError(f"{name}: must be a whole number from {low} to {high}, got {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class Plan:
    workers: int
    pool_size: int
    reason: str


def plan(env: dict[str, str], root: Path = CGROUP_ROOT) -> Plan:
    workers = _env_int(env, "WEB_CONCURRENCY", 1, MAX_WORKERS)
    if workers is not None:
        reason = "WEB_CONCURRENCY"
    else:
        cpus = cpu_limit(root)
        if cpus is None:
            cpus = float(len(os.sched_getaffinity(0)))
            reason = f"{cpus:g} CPUs available, no cgroup CPU limit"
        else:
            reason = f"cgroup CPU limit {cpus:g}"
        workers = max(1, min(MAX_WORKERS, math.ceil(cpus - 0.001)))
        memory = memory_limit(root)
        per_worker = _env_int(env, "WORKER_MEMORY_MIB", 16, 4096) or DEFAULT_WORKER_MEMORY_MIB
        if memory is not None:
            fit = max(1, memory // (per_worker * 2**20) - 1)  # -1: the supervisor and headroom
            if fit < workers:
                workers, reason = fit, f"{reason}, capped by the memory limit"
    pool_size = _env_int(env, "DB_POOL_SIZE", 1, 100)
    if pool_size is None:
        budget = _env_int(env, "DB_MAX_CONNECTIONS", 1, 10000) or DEFAULT_DB_MAX_CONNECTIONS
        pool_size = max(2, min(10, budget // workers))
    return Plan(workers=workers, pool_size=pool_size, reason=reason)


def uvicorn_argv(p: Plan, env: dict[str, str], extra: list[str]) -> list[str]:
    """The uvicorn command line; `extra` (e.g. `--reload --reload-dir src`) goes last.

    Development (`--reload`: the compose dev override, `nx run backend:serve`) runs
    through here too, so it gets the same HTTP limits as the image; uvicorn's
    reloader runs one worker.
    """
    argv = [
        sys.executable,
        "-m",
        "uvicorn",
        "todo_api.main:app",
        "--host",
        env.get("HOST", "0.0.0.0"),  # noqa: S104 - a container's port is its interface
        "--port",
        env.get("PORT", "8000"),
        "--proxy-headers",
        "--loop",
        "uvloop",
        "--http",
        # httptools with a header limit, header and body timeouts and a connection cap.
        "todo_api.http_protocol:BoundedHttpToolsProtocol",
        "--no-server-header",
    ]
    if p.workers > 1 and "--reload" not in extra:
        argv += ["--workers", str(p.workers)]
    return argv + extra


def main(argv: list[str] | None = None) -> None:
    env = dict(os.environ)
    try:
        p = plan(env)
        load_http_limits()
    except (ServeError, ConfigError) as exc:
        print(f"serve: {exc}", file=sys.stderr)
        sys.exit(2)
    extra = list(sys.argv[1:] if argv is None else argv)
    if "--reload" in extra and p.workers > 1:
        p = Plan(workers=1, pool_size=p.pool_size, reason="--reload runs one worker")
    env["DB_POOL_SIZE"] = str(p.pool_size)
    print(
        f'{{"level": "INFO", "logger": "todo_api.serve", "message": "starting", '
        f'"workers": {p.workers}, "pool_size": {p.pool_size}, "reason": "{p.reason}"}}',
        flush=True,
    )
    args = uvicorn_argv(p, env, extra)
    os.execve(sys.executable, args, env)  # noqa: S606 - fixed program, list argv


if __name__ == "__main__":
    main()
