"""A real `python -m todo_api.serve` process on a free port, for tests that need
true parallel requests (several connections, several workers)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

import pg_throwaway

BACKEND = Path(__file__).resolve().parents[1]


@contextmanager
def live_server(database_url: str, log_path: Path | None = None, **env: str) -> Iterator[str]:
    """Yields the base URL; the server's output goes to `log_path` when given."""
    with live_server_process(database_url, log_path, **env) as (base, _):
        yield base


@contextmanager
def live_server_process(
    database_url: str, log_path: Path | None = None, **env: str
) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """Like live_server, also yielding the process (with one worker, the worker itself)."""
    port = pg_throwaway._free_port()
    full_env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "PYTHONPATH": str(BACKEND / "src"),
        "LOG_LEVEL": "WARNING",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        **env,
    }
    full_env.pop("OPENAI_API_KEY", None)
    log_file = open(log_path, "w+") if log_path else tempfile.TemporaryFile(mode="w+")  # noqa: SIM115
    with log_file as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "todo_api.serve"],
            env=full_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise AssertionError(f"server did not become ready:\n{log.read()[-3000:]}")
                time.sleep(0.1)
            yield base, process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
