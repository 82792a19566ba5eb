"""The development commands get the image's HTTP limits.

`nx run backend:serve` (project.json) and the compose dev override
(docker/docker-compose.dev.yml, from the todo spec's `dev.command`) ran uvicorn
directly, without the header limit, timeouts and connection cap of
todo_api.http_protocol: a 40 KB header was served there and 431 in the image.
Each command is started here as written (with a free port and this checkout's
source), and must answer 431 to it.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import pg_throwaway

BACKEND = Path(__file__).resolve().parents[1]
REPO = BACKEND.parents[1]


def _nx_serve() -> tuple[list[str], dict[str, str]]:
    options = json.loads((BACKEND / "project.json").read_text())["targets"]["serve"]["options"]
    assert options["cwd"] == "apps/backend"
    return options["command"].split(), dict(options.get("env", {}))


def _compose_dev() -> tuple[list[str], dict[str, str]]:
    # The generated file, read as text: a YAML list of plain scalars under backend.command.
    text = (REPO / "docker" / "docker-compose.dev.yml").read_text()
    block = re.search(r"^  backend:\n    command:\n((?:      - .*\n)+)", text, re.MULTILINE)
    assert block, "docker-compose.dev.yml has no backend command"
    return [line.strip()[2:].strip('"') for line in block.group(1).splitlines()], {}


def _runnable(argv: list[str], port: int) -> list[str]:
    """The command as written, run here: this venv, loopback, a free port, this source."""
    program = argv[0].removeprefix(".venv/bin/")
    out = [sys.executable if program == "python" else str(Path(sys.executable).parent / program)]
    for previous, arg in itertools.pairwise(argv):
        if previous == "--port":
            arg = str(port)
        elif previous == "--host":
            arg = "127.0.0.1"
        elif arg == "/app/src":  # where the dev override mounts apps/backend/src
            arg = str(BACKEND / "src")
        out.append(arg)
    return out


@pytest.mark.parametrize("command", [_nx_serve, _compose_dev], ids=["nx serve", "compose dev"])
def test_dev_command_has_the_header_limit(command, clean_db: str) -> None:  # type: ignore[no-untyped-def]
    written, env = command()
    port = pg_throwaway._free_port()
    argv = _runnable(written, port)
    full_env = {
        **os.environ,
        **env,
        "DATABASE_URL": clean_db,
        "PYTHONPATH": str(BACKEND / "src"),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "WARNING",
    }
    full_env.pop("OPENAI_API_KEY", None)
    process = subprocess.Popen(
        argv,
        cwd=BACKEND,
        env=full_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the reloader and its worker are stopped together
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, process.stdout.read() if process.stdout else ""
            assert time.monotonic() < deadline, "the dev server did not start"
            time.sleep(0.2)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 40_000 + b"\r\n\r\n")
            answer = s.recv(4096)
        assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
