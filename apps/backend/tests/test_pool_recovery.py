"""Broken pooled connections free their slot; /ready and /health see a pool that cannot serve.

The restart storm itself is tests/test_db_chaos.py; these tests put the pool in the
states that storm produces, deterministically, on a real database.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import asyncpg
import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from conftest import settings_for
from live_server import live_server_process
from todo_api.db import DatabaseUnavailable, connection
from todo_api.main import create_app


@pytest.fixture
def small_pool(clean_db: str) -> Iterator[TestClient]:
    settings = settings_for(
        clean_db, db_pool_size=2, db_pool_timeout_seconds=0.3, db_pool_stuck_seconds=1
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _request(client: TestClient) -> SimpleNamespace:
    # connection() reads request.app.state, and the method and headers of a failed request.
    return SimpleNamespace(app=client.app, method="GET", headers={})


def test_a_connection_aborted_by_a_protocol_error_frees_its_slot(small_pool: TestClient) -> None:
    request = _request(small_pool)

    async def abort_like_a_restart() -> None:
        async with connection(request) as conn:  # type: ignore[arg-type]
            # What asyncpg does on a critical protocol error while the server goes
            # away: the transport is aborted, but the pool is not told.
            conn._con._protocol.abort()
            raise asyncpg.exceptions.InternalClientError(
                "cannot switch to state 12; another operation (2) is in progress"
            )

    async def select_one() -> int:
        async with connection(request) as conn:  # type: ignore[arg-type]
            return await conn.fetchval("SELECT 1")

    for _ in range(5):  # more than the pool holds
        with pytest.raises(DatabaseUnavailable):
            small_pool.portal.call(abort_like_a_restart)
    assert small_pool.portal.call(select_one) == 1
    assert small_pool.app.state.pool_health.in_use == 0
    assert small_pool.get("/api/todos").status_code == 200


def test_internal_client_errors_are_503_with_retry_after(small_pool: TestClient) -> None:
    request = _request(small_pool)

    async def fail() -> None:
        async with connection(request):  # type: ignore[arg-type]
            raise asyncpg.exceptions.InternalClientError("cannot switch to state 12")

    with pytest.raises(DatabaseUnavailable) as caught:
        small_pool.portal.call(fail)
    assert caught.value.retry_after >= 1


def test_ready_and_health_fail_while_lost_slots_keep_the_pool_from_serving(
    small_pool: TestClient,
) -> None:
    pool = small_pool.app.state.pool
    # Connections held outside any request: what leaked slots look like.
    held = [small_pool.portal.call(pool.acquire) for _ in range(2)]
    try:
        listing = small_pool.get("/api/todos")
        assert listing.status_code == 503
        assert listing.headers["retry-after"] == "1"
        ready = small_pool.get("/ready")
        assert ready.status_code == 503
        assert "request pool" in ready.json()["reason"]
        assert ready.headers["retry-after"]
        # Not yet DB_POOL_STUCK_SECONDS: liveness still passes.
        assert small_pool.get("/health").status_code == 200
        time.sleep(1.1)
        stuck = small_pool.get("/health")
        assert stuck.status_code == 503, stuck.text
        assert "the database answers" in stuck.json()["reason"]
    finally:
        for conn in held:
            small_pool.portal.call(pool.release, conn)
    assert small_pool.get("/ready").status_code == 200
    assert small_pool.get("/health").status_code == 200
    assert small_pool.get("/api/todos").status_code == 200


def test_health_finds_a_stuck_pool_without_readiness_polls(small_pool: TestClient) -> None:
    pool = small_pool.app.state.pool
    held = [small_pool.portal.call(pool.acquire) for _ in range(2)]
    try:
        assert small_pool.get("/api/todos").status_code == 503
        time.sleep(1.1)
        deadline = time.monotonic() + 5
        statuses = []
        while time.monotonic() < deadline and 503 not in statuses:
            started = time.monotonic()
            statuses.append(small_pool.get("/health").status_code)
            assert time.monotonic() - started < 0.5, "/health waited on the database"
            time.sleep(0.2)
        assert statuses[-1] == 503, statuses
    finally:
        for conn in held:
            small_pool.portal.call(pool.release, conn)
    assert small_pool.get("/ready").status_code == 200
    assert small_pool.get("/health").status_code == 200


def test_a_busy_pool_is_ready_and_alive(small_pool: TestClient) -> None:
    request = _request(small_pool)
    holders = [small_pool.portal.wrap_async_context_manager(connection(request)) for _ in range(2)]  # type: ignore[arg-type]
    for holder in holders:
        holder.__enter__()
    try:
        assert small_pool.get("/api/todos").status_code == 503  # shed: every slot is in use
        time.sleep(1.1)
        assert small_pool.get("/ready").status_code == 200
        assert small_pool.get("/health").status_code == 200
    finally:
        for holder in holders:
            holder.__exit__(None, None, None)
    assert small_pool.get("/api/todos").status_code == 200


def test_a_database_outage_alone_does_not_fail_liveness(clean_db: str) -> None:
    settings = settings_for(
        "postgresql://nobody@127.0.0.1:1/nothing",
        db_pool_timeout_seconds=0.3,
        db_pool_stuck_seconds=0.5,
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/todos").status_code == 503
        time.sleep(0.6)
        assert client.get("/ready").status_code == 503
        assert client.get("/health").status_code == 200


@contextmanager
def _connections_refused(url: str, *application_names: str) -> Iterator[None]:
    """The database refuses new sessions, and those of `application_names` are ended;
    as it was again on exit (from another database: one cannot lock out its own)."""
    dbname = url.rsplit("/", 1)[1].split("?", 1)[0]
    with psycopg.connect(_admin_url(url), autocommit=True) as admin:
        try:
            admin.execute(f'ALTER DATABASE "{dbname}" ALLOW_CONNECTIONS false')
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE application_name = ANY(%s)",
                (list(application_names),),
            )
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{dbname}" ALLOW_CONNECTIONS true')


def _admin_url(url: str) -> str:
    """The same server from another database: one cannot lock out its own."""
    head, _, tail = url.replace("+psycopg", "").rpartition("/")
    _, _, query = tail.partition("?")
    return f"{head}/template1" + (f"?{query}" if query else "")


def test_a_served_process_whose_pool_stays_stuck_exits_so_it_is_restarted(
    migrated: str, tmp_path: Path
) -> None:
    # Compose restarts a container whose process exits, never one that is only
    # unhealthy. The database keeps answering on /ready's own connection, but the
    # request pool can open none: the "stuck" state /health fails on. The process
    # must then stop by itself, with code 70, soon after DB_POOL_STUCK_SECONDS.
    log = tmp_path / "server.log"
    env = {
        "WEB_CONCURRENCY": "1",
        "DB_POOL_SIZE": "1",
        "DB_POOL_TIMEOUT_SECONDS": "0.3",
        "DB_CONNECT_TIMEOUT_SECONDS": "0.5",
        "DB_POOL_STUCK_SECONDS": "2",
    }
    with (
        live_server_process(migrated, log, **env) as (base, process),
        _connections_refused(migrated, "todo-api"),
    ):
        started = time.monotonic()
        statuses = []
        while process.poll() is None and time.monotonic() - started < 20:
            try:
                statuses.append(httpx.get(f"{base}/api/todos", timeout=2).status_code)
            except httpx.TransportError:
                statuses.append(0)  # stopping
            time.sleep(0.2)
        code = process.wait(timeout=25)
        lived = time.monotonic() - started
    text = log.read_text()
    assert code == 70, text[-2000:]
    assert 2 <= lived < 12, lived
    assert "request pool stuck: exiting" in text
    assert set(statuses) <= {503, 0}, statuses  # never a 500 on the way down


def test_a_database_outage_does_not_make_a_served_process_exit(
    migrated: str, tmp_path: Path
) -> None:
    # The database itself refusing connections (here: to every session, /ready's
    # included) is "database down", not stuck: restarting the API would not help.
    env = {
        "WEB_CONCURRENCY": "1",
        "DB_POOL_SIZE": "1",
        "DB_POOL_TIMEOUT_SECONDS": "0.3",
        "DB_POOL_STUCK_SECONDS": "1",
    }
    with live_server_process(migrated, tmp_path / "server.log", **env) as (base, process):
        with _connections_refused(migrated, "todo-api", "todo-api-ready"):
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline:
                assert httpx.get(f"{base}/api/todos", timeout=2).status_code == 503
                httpx.get(f"{base}/ready", timeout=3)
                time.sleep(0.2)
            assert process.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
        deadline = time.monotonic() + 10
        while httpx.get(f"{base}/api/todos", timeout=2).status_code != 200:
            assert time.monotonic() < deadline, "the API did not serve again"
            time.sleep(0.2)


class _FreezableProxy:
    """A TCP proxy to PostgreSQL that can stop passing bytes while keeping every socket open:
    what a frozen database (`docker pause`) or a network partition looks like to the client."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.frozen = threading.Event()
        self.stopped = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        while not self.stopped.is_set():
            if self.frozen.is_set():
                time.sleep(0.02)
                continue
            ready, _, _ = select.select([src], [], [], 0.02)
            if not ready:
                continue
            try:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
            except OSError:
                break
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()
        for s in self.sockets:
            with contextlib.suppress(OSError):
                s.close()


@pytest.fixture
def frozen_db_proxy(clean_db: str) -> Iterator[tuple[_FreezableProxy, str]]:
    url = make_url(clean_db)
    proxy = _FreezableProxy(url.host or "127.0.0.1", url.port or 5432)
    try:
        yield (
            proxy,
            url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False),
        )
    finally:
        proxy.close()


FREEZE_SECONDS = 8.0


@pytest.mark.parametrize(
    ("path", "body"),
    [("/api/todos", {"title": "frozen"}), ("/api/chat", {"message": "add frozen"})],
    ids=["create", "chat"],
)
@pytest.mark.parametrize("keyed", [True, False], ids=["with key", "without key"])
def test_a_frozen_database_mid_transaction_is_503_within_the_statement_timeout(
    frozen_db_proxy: tuple[_FreezableProxy, str], path: str, body: dict, keyed: bool
) -> None:
    # A statement that times out leaves asyncpg waiting for the server to confirm the
    # cancel; the transaction's ROLLBACK waited on that for as long as the database stayed
    # frozen (15 s under `docker pause`, for ever behind a partition), past the frontend's
    # BACKEND_TIMEOUT_MS (504). The connection is terminated instead, which rolls back.
    proxy, url = frozen_db_proxy
    settings = settings_for(url, db_statement_timeout_seconds=1, db_pool_timeout_seconds=1)
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/todos").status_code == 200  # a pooled connection is open
        proxy.frozen.set()
        thaw = threading.Timer(FREEZE_SECONDS, proxy.frozen.clear)
        thaw.start()
        try:
            headers = {"Idempotency-Key": f"frozen-{path}-{keyed}"} if keyed else {}
            started = time.monotonic()
            answer = client.post(path, json=body, headers=headers)
            took = time.monotonic() - started
        finally:
            thaw.cancel()
            proxy.frozen.clear()
        assert answer.status_code == 503, answer.text
        if keyed:
            assert answer.headers["retry-after"]
        else:
            # Its INSERT (or COMMIT) reached the frozen database and may be applied on thaw:
            # a Retry-After would make a client that obeys it create the todo twice.
            assert "retry-after" not in answer.headers
            assert answer.json()["code"] == "outcome_unknown"
        assert took < 3.0, f"answered after {took:.1f} s: it waited for the database to thaw"
        # And the pool serves again once the database answers.
        deadline = time.monotonic() + 10
        while client.get("/api/todos").status_code != 200:
            assert time.monotonic() < deadline, "the pool did not recover"
            time.sleep(0.2)
