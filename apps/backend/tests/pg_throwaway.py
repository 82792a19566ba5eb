"""A disposable PostgreSQL server for tests and benchmarks.

PostgreSQL refuses to run as root, and CI runs as root, so when we are root
the cluster is created and run as the `postgres` user (created if missing).

CLI (used by bench/api/run.sh):
    python pg_throwaway.py start   -> prints `<url> <dir>`; server keeps running
    python pg_throwaway.py stop DIR
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
RUN_AS = "postgres"


def available() -> bool:
    return (PG_BIN / "initdb").is_file() and (PG_BIN / "pg_ctl").is_file()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _service_user() -> pwd.struct_passwd | None:
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(RUN_AS)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", RUN_AS],
            check=True,
        )
        return pwd.getpwnam(RUN_AS)


class ThrowawayPostgres:
    def __init__(self, base_dir: str | None = None, *, durable_commits: bool = False) -> None:
        if not available():
            raise RuntimeError(
                f"PostgreSQL server binaries not found in {PG_BIN}: "
                "apt-get install postgresql-15, or set PG_BIN / DATABASE_URL"
            )
        self.user = _service_user()
        self.dir = Path(base_dir or tempfile.mkdtemp(prefix="todo-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        # synchronous_commit=off is faster, but a crash (pg_ctl stop -m immediate)
        # then loses commits that were already acknowledged.
        self.durable_commits = durable_commits

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        kwargs: dict = {}
        if self.user is not None:
            kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        result = subprocess.run(
            [str(PG_BIN / args[0]), *args[1:]],
            capture_output=True,
            text=True,
            cwd=self.dir,
            env={**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"},
            **kwargs,
        )
        if result.returncode != 0:
            output = result.stderr + result.stdout
            raise RuntimeError(f"{args[0]} failed ({result.returncode}):\n{output}")

    def init(self) -> ThrowawayPostgres:
        if self.user is not None:
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)
        os.chmod(self.dir, 0o700)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        return self

    def start(self) -> ThrowawayPostgres:
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off "
            f"-c synchronous_commit={'on' if self.durable_commits else 'off'}"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.dir / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "30",
            "start",
        )
        return self

    def stop(self, mode: str = "fast") -> None:
        """`mode` is pg_ctl's: smart, fast (disconnect clients) or immediate (no clean shutdown)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["start"]:
        server = ThrowawayPostgres().init().start()
        print(server.url, server.dir)
        return 0
    if len(argv) == 2 and argv[0] == "stop":
        server = ThrowawayPostgres.__new__(ThrowawayPostgres)
        server.user, server.dir = _service_user(), Path(argv[1])
        server.data = server.dir / "data"
        server.destroy()
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
