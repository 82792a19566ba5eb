"""What the bounded HTTP protocol (todo_api.http_protocol) costs per request.

Serves a trivial ASGI app with uvicorn's own httptools protocol and with the
bounded one, alternately, and drives each with autocannon (keep-alive, 32
connections) for a few seconds. Prints, per run, requests/s and the server's CPU
time per request (user + system, from /proc: far steadier than requests/s on a
busy machine), then the medians. The ratio is the protocol's share of a
request's cost with no database and no app work, so an upper bound of what it
costs the real API.

    apps/backend/.venv/bin/python bench/backend/protocol-overhead.py [--runs 5] [--seconds 5] [--rev REV]

`--rev REV` adds the bounded protocol as it was at git revision REV (e.g. HEAD~1), so
a change to it is measured against its predecessor in the same runs.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "apps/backend/src"))

SERVER = """
import sys, uvicorn
sys.dont_write_bytecode = True
sys.path.insert(0, {src!r})
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    await send({{"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}})
    await send({{"type": "http.response.body", "body": b'{{"items":[]}}'}})
if {bounded}:
    from todo_api.http_protocol import BoundedHttpToolsProtocol as P
else:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as P
uvicorn.run(app, host="127.0.0.1", port={port}, http=P, log_level="warning", access_log=False, lifespan="off")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def source_at(rev: str, into: Path) -> Path:
    """apps/backend/src as it was at `rev`, extracted under `into`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", rev, "apps/backend/src"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into)  # our own repository's archive
    return into / "apps/backend/src"


def run(src: Path | None, seconds: int) -> tuple[float, float]:
    """One load run: uvicorn's protocol when `src` is None, else the bounded one from `src`."""
    port = free_port()
    code = SERVER.format(
        src=str(src or ROOT / "apps/backend/src"), bounded=src is not None, port=port
    )
    server = subprocess.Popen([sys.executable, "-c", code])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        cpu_before = cpu_seconds(server.pid)
        out = subprocess.run(
            [
                str(ROOT / "node_modules/.bin/autocannon"),
                "-j",
                "-c",
                "32",
                "-d",
                str(seconds),
                f"http://127.0.0.1:{port}/api/todos",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        cpu = cpu_seconds(server.pid) - cpu_before
        result = json.loads(out)
        if result["non2xx"] or result["errors"]:
            raise SystemExit(
                f"bad answers: {result['non2xx']} non-2xx, {result['errors']} errors"
            )
        return result["requests"]["average"], cpu / result["requests"]["total"] * 1e6
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument(
        "--rev", help="also measure the bounded protocol at this git revision"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        variants: dict[str, Path | None] = {
            "uvicorn": None,
            "bounded": ROOT / "apps/backend/src",
        }
        if args.rev:
            variants[f"bounded@{args.rev}"] = source_at(args.rev, Path(tmp))
        names = list(variants)
        figures: dict[str, list[float]] = {n: [] for n in names}
        cpu: dict[str, list[float]] = {n: [] for n in names}
        for i in range(args.runs):
            # Rotate the order, so that a noisy moment of the machine hits each alike.
            for name in names[i % len(names) :] + names[: i % len(names)]:
                rps, us = run(variants[name], args.seconds)
                figures[name].append(rps)
                cpu[name].append(us)
                print(
                    f"run {i + 1} {name:16s} {rps:8.0f} req/s {us:6.1f} us CPU/request",
                    flush=True,
                )
    base = statistics.median(cpu["uvicorn"])
    for name in names:
        rps, us = statistics.median(figures[name]), statistics.median(cpu[name])
        print(
            f"median {name:16s} {rps:8.0f} req/s {us:6.1f} us CPU/request ({us / base:.2f}x uvicorn's CPU)"
        )


if __name__ == "__main__":
    main()
