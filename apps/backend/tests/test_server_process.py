"""The real uvicorn process: JSON access logs, proxy headers, graceful SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

import pg_throwaway

BACKEND = Path(__file__).resolve().parents[1]


def test_uvicorn_logs_json_and_stops_on_sigterm(clean_db: str, tmp_path: Path) -> None:
    port = pg_throwaway._free_port()
    env = {
        **os.environ,
        "DATABASE_URL": clean_db,
        "PYTHONPATH": str(BACKEND / "src"),
        "LOG_LEVEL": "INFO",
    }
    env.pop("OPENAI_API_KEY", None)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "todo_api.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--proxy-headers",
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/health", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "uvicorn did not start"
                time.sleep(0.2)
        created = httpx.post(f"{base}/api/todos", json={"title": "from a real server"})
        assert created.status_code == 201
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    # uvicorn re-raises the captured SIGTERM after a clean shutdown, so the
    # exit status reports the signal; the "stopped" record proves the lifespan
    # shutdown (engine disposal) ran first.
    assert process.returncode in (0, -signal.SIGTERM), output
    records = [json.loads(line) for line in output.splitlines() if line.strip()]
    access = [r for r in records if r["logger"] == "todo_api.access"]
    post = next(r for r in access if r["method"] == "POST")
    assert post["path"] == "/api/todos"
    assert post["status"] == 201
    assert isinstance(post["duration_ms"], float)
    messages = [r["message"] for r in records]
    assert "stopped" in messages
    assert messages.index("stopped") > messages.index("Shutting down")
