"""Hostile connections against the served app (`python -m todo_api.serve`, one worker):
huge or endless headers, silent and slow clients, too many connections. Memory stays
bounded, every refusal is a status (431, 408, 503 + Retry-After) or a quick close,
and other clients keep being served."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest

from live_server import live_server_process

MIB = 1024 * 1024
TIMEOUTS = {"HEADER_TIMEOUT_SECONDS": "1", "BODY_TIMEOUT_SECONDS": "1", "WEB_CONCURRENCY": "1"}


@pytest.fixture(scope="module")
def served(migrated: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    with live_server_process(migrated, **TIMEOUTS) as server:
        yield server


def _port(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


def _memory_kib(pid: int) -> dict[str, int]:
    """Current (VmRSS) and peak (VmHWM) resident memory of a process."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(value.split()[0])
    return values


def _status_or_closed(sock: socket.socket, timeout: float) -> tuple[int | None, float]:
    """The status line's code (None when closed without one) and the seconds it took."""
    started = time.monotonic()
    sock.settimeout(timeout)
    received = b""
    try:
        while b"\r\n" not in received:
            chunk = sock.recv(4096)
            if not chunk:
                break
            received += chunk
    except ConnectionResetError:
        pass
    elapsed = time.monotonic() - started
    if received.startswith(b"HTTP/1.1 "):
        return int(received[9:12]), elapsed
    assert not received, received[:100]
    return None, elapsed


def _huge_unfinished_header(port: int, size: int) -> tuple[int | None, float]:
    sock = socket.create_connection(("127.0.0.1", port))
    with sock:
        sock.sendall(b"GET /api/todos HTTP/1.1\r\nHost: x\r\nX-Big: ")
        chunk = b"a" * 65536
        try:
            for _ in range(size // len(chunk)):
                sock.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused and closed while still sending
        return _status_or_closed(sock, 10)


def test_huge_unfinished_headers_get_431_and_memory_stays_bounded(served) -> None:
    base, process = served
    before = _memory_kib(process.pid)
    latencies: list[float] = []
    stop = threading.Event()

    def others() -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            while not stop.is_set():
                started = time.monotonic()
                assert http.get("/api/todos").status_code == 200
                latencies.append(time.monotonic() - started)
                time.sleep(0.02)

    bystander = threading.Thread(target=others)
    bystander.start()
    try:
        with ThreadPoolExecutor(26) as pool:
            sizes = [16 * MIB] * 25 + [64 * MIB]
            results = list(pool.map(lambda size: _huge_unfinished_header(_port(base), size), sizes))
    finally:
        stop.set()
        bystander.join()
    after = _memory_kib(process.pid)
    growth_mib = (after["VmHWM"] - before["VmRSS"]) / 1024
    print(f"\nRSS {before['VmRSS'] // 1024} MiB before, peak {after['VmHWM'] // 1024} MiB")
    for status, elapsed in results:
        assert status in (431, None), results
        assert elapsed < 5, results
    assert [status for status, _ in results].count(431) >= 20, results
    assert growth_mib < 32, f"peak RSS grew by {growth_mib:.0f} MiB"
    assert latencies and max(latencies) < 1.0, max(latencies)
    assert process.poll() is None


def test_a_complete_header_over_the_limit_is_431_and_one_below_is_served(served) -> None:
    base, _ = served
    with httpx.Client(base_url=base, timeout=10) as http:
        assert http.get("/api/todos", headers={"x-pad": "p" * 20000}).status_code == 200
        too_big = http.get("/api/todos", headers={"x-pad": "p" * 40000})
        assert too_big.status_code == 431
        assert "larger than 32768 bytes" in too_big.json()["detail"]


def test_a_silent_connection_is_closed_after_the_header_timeout(served) -> None:
    base, _ = served
    with socket.create_connection(("127.0.0.1", _port(base))) as sock:
        status, elapsed = _status_or_closed(sock, 10)
    assert status is None
    assert 0.8 < elapsed < 3, elapsed


def test_a_trickling_header_gets_408_after_the_header_timeout(served) -> None:
    base, _ = served
    with socket.create_connection(("127.0.0.1", _port(base))) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /api/todos HTTP/1.1\r\n")
        try:
            for _ in range(50):
                sock.sendall(b"X")
                time.sleep(0.1)
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, _ = _status_or_closed(sock, 10)
    assert status in (408, None)
    assert time.monotonic() - started < 4


def test_a_stalled_body_gets_408_and_writes_nothing(served) -> None:
    base, _ = served
    with httpx.Client(base_url=base, timeout=10) as http:
        total = http.get("/api/todos").json()["total"]
    with socket.create_connection(("127.0.0.1", _port(base))) as sock:
        sock.sendall(
            b"POST /api/todos HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
            b"content-length: 100\r\n\r\n"
            b'{"title": "never fin'
        )
        status, elapsed = _status_or_closed(sock, 10)
    assert status == 408
    assert elapsed < 3
    with httpx.Client(base_url=base, timeout=10) as http:
        assert http.get("/api/todos").json()["total"] == total


def _read_response(sock: socket.socket) -> bytes:
    """One whole response (head and content-length body) from a keep-alive socket."""
    sock.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed after {data[:80]!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "closed inside a body"
        body += chunk
    return head


def test_a_kept_alive_connection_gets_a_whole_header_timeout_after_each_response(
    served,
) -> None:
    # Requests 0.6 s apart for 3 s on one connection with a 1 s header timeout: each
    # response restarts the wait, so none is cut; once idle, it closes after about 1 s.
    base, _ = served
    with socket.create_connection(("127.0.0.1", _port(base))) as sock:
        for _ in range(5):
            sock.sendall(b"GET /api/todos HTTP/1.1\r\nHost: x\r\n\r\n")
            assert _read_response(sock).startswith(b"HTTP/1.1 200 ")
            time.sleep(0.6)
        sock.sendall(b"GET /api/todos HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _read_response(sock).startswith(b"HTTP/1.1 200 ")
        status, elapsed = _status_or_closed(sock, 10)
    assert status is None
    assert 0.8 < elapsed < 3, elapsed


def test_a_pipelined_request_whose_body_stalls_gets_408_after_the_first_is_answered(
    served,
) -> None:
    base, _ = served
    with socket.create_connection(("127.0.0.1", _port(base))) as sock:
        started = time.monotonic()
        sock.sendall(
            b"GET /api/todos HTTP/1.1\r\nHost: x\r\n\r\n"
            b"POST /api/todos HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
            b"content-length: 100\r\n\r\n"
            b'{"title": "never fin'
        )
        assert _read_response(sock).startswith(b"HTTP/1.1 200 ")
        status, _ = _status_or_closed(sock, 10)
    assert status == 408
    assert 0.8 < time.monotonic() - started < 3


def test_many_connections_each_time_out_on_their_own_deadline(served) -> None:
    # Silent connections opened 0.3 s apart: each closes about 1 s after it opened, not
    # all at once when the first expires (the deadlines are kept in order of arrival).
    base, _ = served
    socks, opened = [], []
    try:
        for _ in range(4):
            socks.append(socket.create_connection(("127.0.0.1", _port(base))))
            opened.append(time.monotonic())
            time.sleep(0.3)
        for sock, at in zip(socks, opened, strict=True):
            status, _ = _status_or_closed(sock, 10)
            assert status is None
            lived = time.monotonic() - at
            assert 0.8 < lived < 2.0, lived
    finally:
        for sock in socks:
            sock.close()


def test_requests_are_served_quickly_during_100_slow_connections(served) -> None:
    base, _ = served
    slow = []
    try:
        for _ in range(100):
            sock = socket.create_connection(("127.0.0.1", _port(base)))
            sock.sendall(b"GET /api/todos HTTP/1.1\r\nHost: x\r\n")
            slow.append(sock)
        with httpx.Client(base_url=base, timeout=10) as http:
            for _ in range(10):
                started = time.monotonic()
                assert http.get("/api/todos").status_code == 200
                assert time.monotonic() - started < 0.5
                for sock in slow[:20]:
                    sock.sendall(b"X-Slow: 1\r\n")  # still sending, never finishing
        # And the header timeout then ends every one of them.
        time.sleep(1.5)
        closed = [_status_or_closed(sock, 3)[0] for sock in slow]
        assert set(closed) <= {408, None}, closed
    finally:
        for sock in slow:
            sock.close()


def test_requests_over_the_cap_get_503_with_retry_after_idle_connections_do_not_count(
    migrated: str,
) -> None:
    env = {**TIMEOUTS, "MAX_CONNECTIONS": "3", "DB_POOL_SIZE": "5"}
    env |= {"HEADER_TIMEOUT_SECONDS": "10", "DB_STATEMENT_TIMEOUT_SECONDS": "5"}
    with live_server_process(migrated, **env) as (base, _):
        idle = [socket.create_connection(("127.0.0.1", _port(base))) for _ in range(20)]
        try:
            with httpx.Client(base_url=base, timeout=10) as http:
                assert http.get("/api/todos").status_code == 200
            with psycopg.connect(migrated.replace("+psycopg", "")) as locker:
                # Every statement on todos now waits: three requests stay in progress.
                locker.execute("LOCK TABLE todos IN ACCESS EXCLUSIVE MODE")
                with ThreadPoolExecutor(3) as pool:
                    stuck = [pool.submit(httpx.get, f"{base}/api/todos", timeout=10) for _ in "abc"]
                    time.sleep(0.5)
                    started = time.monotonic()
                    refused = httpx.get(f"{base}/api/todos", timeout=10)
                    assert time.monotonic() - started < 0.5
                    assert refused.status_code == 503
                    assert refused.headers["retry-after"] == "1"
                    locker.rollback()
                    assert [f.result().status_code for f in stuck] == [200] * 3
            assert httpx.get(f"{base}/api/todos", timeout=10).status_code == 200
        finally:
            for sock in idle:
                sock.close()


def _still_open(sock: socket.socket) -> bool:
    sock.settimeout(0.2)
    try:
        return sock.recv(1) != b""
    except TimeoutError:
        return True
    except ConnectionResetError:
        return False


def test_when_waiting_connections_are_full_the_longest_waiting_is_closed(migrated: str) -> None:
    env = {**TIMEOUTS, "HEADER_TIMEOUT_SECONDS": "10", "MAX_WAITING_CONNECTIONS": "10"}
    with live_server_process(migrated, **env) as (base, _):
        port = _port(base)
        partial = [socket.create_connection(("127.0.0.1", port)) for _ in range(5)]
        for sock in partial:
            sock.sendall(b"GET /api/todos HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.1)
        idle = [socket.create_connection(("127.0.0.1", port)) for _ in range(5)]
        try:
            time.sleep(0.1)
            # Opened as the eleventh: the first partial head makes room and gets 503.
            with httpx.Client(base_url=base, timeout=10) as http:
                assert http.get("/api/todos").status_code == 200
            assert _status_or_closed(partial[0], 2)[0] == 503
            assert all(_still_open(sock) for sock in partial[1:] + idle)
            # 9 wait now; three more connections close the next two partial heads.
            late = [socket.create_connection(("127.0.0.1", port)) for _ in range(3)]
            assert [_status_or_closed(sock, 2)[0] for sock in partial[1:3]] == [503, 503]
            assert all(_still_open(sock) for sock in [*partial[3:], *idle, *late])
            for sock in late:
                sock.close()
        finally:
            for sock in partial + idle:
                sock.close()


def test_a_trickled_body_gives_way_to_a_complete_request_at_the_cap(migrated: str) -> None:
    with live_server_process(migrated, **TIMEOUTS, MAX_CONNECTIONS="3") as (base, _):
        total = httpx.get(f"{base}/api/todos", timeout=10).json()["total"]
        posts = [socket.create_connection(("127.0.0.1", _port(base))) for _ in range(3)]
        try:
            for sock in posts:
                sock.sendall(
                    b"POST /api/todos HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\n"
                    b'content-length: 100\r\n\r\n{"title": "slow'
                )
                time.sleep(0.05)
            with httpx.Client(base_url=base, timeout=10) as http:
                assert http.get("/api/todos").status_code == 200
            assert _status_or_closed(posts[0], 2)[0] == 503
            assert all(_still_open(sock) for sock in posts[1:])
            assert httpx.get(f"{base}/api/todos", timeout=10).json()["total"] == total
        finally:
            for sock in posts:
                sock.close()


def _exchange(port: int, head: bytes) -> tuple[int, dict[str, str], bytes, bool]:
    """Sends one request head; returns the status, headers, body and whether the server closed."""
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.settimeout(5)
        sock.sendall(head)
        received = b""
        while b"\r\n\r\n" not in received:
            chunk = sock.recv(4096)
            assert chunk, received
            received += chunk
        head_part, _, body = received.partition(b"\r\n\r\n")
        status_line, *lines = head_part.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
        while len(body) < int(headers.get("content-length", "0")):
            chunk = sock.recv(4096)
            assert chunk, body
            body += chunk
        try:
            closed = sock.recv(1) == b""
        except (TimeoutError, ConnectionResetError):
            closed = False
        return int(status_line[9:12]), headers, body, closed


BAD_TARGET = b'{"detail":"The request target must be a path such as /api/todos."}'


@pytest.mark.parametrize(
    "request_line",
    [
        b"OPTIONS * HTTP/1.1",
        b"GET * HTTP/1.1",
        b"DELETE * HTTP/1.1",
        b"CONNECT evil.example:443 HTTP/1.1",
        b"GET garbage HTTP/1.1",
        b"GET api/todos HTTP/1.1",
        b"GET ftp://evil.example/api/todos HTTP/1.1",
    ],
)
def test_a_request_target_that_is_not_a_path_is_400_as_the_frontend_answers(
    served, request_line: bytes
) -> None:
    # apps/frontend/serve.cjs answers the same status and detail (`originForm`).
    base, _ = served
    status, headers, body, closed = _exchange(
        _port(base), request_line + b"\r\nHost: evil.example\r\n\r\n"
    )
    assert (status, body) == (400, BAD_TARGET), (status, body)
    assert headers["content-type"] == "application/json"
    assert closed


def test_an_absolute_form_target_is_served_as_its_path_never_redirected(served) -> None:
    # RFC 9112 3.2.2: the authority is ignored; this server serves only itself.
    base, _ = served
    port = _port(base)
    status, headers, body, _ = _exchange(
        port, b"GET HTTP://evil.example/api/todos?limit=1 HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    assert status == 200 and b'"limit":1' in body, (status, body)
    for target in (b"http://evil.example/api/todos/", b"http://evil.example", b"https://e:1/x"):
        status, headers, _, _ = _exchange(port, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        assert status == 404, (target, status)
        assert "location" not in headers


class _Slowloris:
    """`count` slow connections (half trickle headers, half a declared body, as
    bench/stack/slow-clients.mjs does); each one the server closes is opened again."""

    def __init__(self, port: int, count: int, every: float = 0.5) -> None:
        self.port, self.count, self.every = port, count, every
        self.opened = 0
        self.loop = asyncio.new_event_loop()
        self.stopping = asyncio.Event()
        self.thread = threading.Thread(target=self.loop.run_until_complete, args=(self._main(),))

    async def _one(self, i: int) -> None:
        body = i % 2 == 1
        while not self.stopping.is_set():
            self.opened += 1
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            try:
                writer.write(
                    b"POST /api/todos HTTP/1.1\r\nHost: slow\r\ncontent-type: application/json\r\n"
                    b'content-length: 100000\r\n\r\n{"title":"'
                    if body
                    else b"GET /api/todos HTTP/1.1\r\nHost: slow\r\n"
                )
                while not self.stopping.is_set():
                    try:
                        if not await asyncio.wait_for(reader.read(4096), self.every):
                            break  # closed by the server
                        continue  # an answer (408, 413, 503): wait for the close
                    except TimeoutError:
                        pass
                    writer.write(b"aaaa" if body else f"X-Slow-{self.opened}: 1\r\n".encode())
            except OSError:
                pass
            finally:
                writer.close()
            await asyncio.sleep(0.05)

    async def _main(self) -> None:
        tasks = [asyncio.create_task(self._one(i)) for i in range(self.count)]
        await self.stopping.wait()
        await asyncio.gather(*tasks, return_exceptions=True)

    def __enter__(self) -> _Slowloris:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.loop.call_soon_threadsafe(self.stopping.set)
        self.thread.join(timeout=10)


def _ordinary_gets(base: str, seconds: float) -> list[tuple[int, float]]:
    """GET /api/todos for `seconds` from two clients, one keeping its connection, one
    connecting afresh each time; (status, seconds) of each."""
    results: list[tuple[int, float]] = []
    deadline = time.monotonic() + seconds

    def run(keep: bool) -> None:
        with httpx.Client(base_url=base, timeout=10) as kept:
            while time.monotonic() < deadline:
                started = time.monotonic()
                try:
                    if keep:
                        status = kept.get("/api/todos").status_code
                    else:
                        status = httpx.get(f"{base}/api/todos", timeout=10).status_code
                except httpx.TransportError:
                    status = 0
                results.append((status, time.monotonic() - started))
                time.sleep(0.01)

    threads = [threading.Thread(target=run, args=(keep,)) for keep in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def test_300_slow_connections_do_not_lock_out_ordinary_requests(migrated: str) -> None:
    # The default limits and timeouts: the slow connections stay open as long as allowed.
    with live_server_process(migrated, WEB_CONCURRENCY="1") as (base, process):
        quiet = _ordinary_gets(base, 3)
        before = _memory_kib(process.pid)
        with _Slowloris(_port(base), 300) as slow:
            time.sleep(1.5)  # let them all connect and start trickling
            during = _ordinary_gets(base, 6)
            opened = slow.opened
        after = _memory_kib(process.pid)
        assert process.poll() is None
    quiet_p99, during_p99 = _p99([s for _, s in quiet]), _p99([s for _, s in during])
    print(
        f"\nGET /api/todos p99 {quiet_p99 * 1000:.0f} ms quiet, {during_p99 * 1000:.0f} ms with"
        f" 300 slow connections ({len(during)} requests, {opened} slow connections opened);"
        f" RSS {before['VmRSS'] // 1024} -> peak {after['VmHWM'] // 1024} MiB"
    )
    statuses = [status for status, _ in during]
    assert statuses.count(200) == len(statuses), {s: statuses.count(s) for s in set(statuses)}
    assert max(seconds for _, seconds in during) < 2.0
    assert (after["VmHWM"] - before["VmRSS"]) / 1024 < 48


def test_a_client_that_closes_with_pipelined_requests_unanswered_logs_no_error(
    clean_db: str, tmp_path
) -> None:
    # uvicorn marks only the newest parsed request as disconnected when the connection is
    # lost; the one being answered (started from the pipeline) went on writing to the
    # closed transport: uvloop raised RuntimeError, logged as "unhandled error" plus
    # "ASGI callable returned without completing response", two ERROR lines per client.
    with psycopg.connect(clean_db.replace("+psycopg", "")) as db:
        db.execute(
            "INSERT INTO todos (title, description) "
            "SELECT 'big ' || n, repeat('d', 2000) FROM generate_series(1, 100) AS n"
        )
    log_path = tmp_path / "server.log"
    with live_server_process(clean_db, log_path, **TIMEOUTS) as (base, _):
        request = b"GET /api/todos?limit=100 HTTP/1.1\r\nHost: x\r\n\r\n"
        for _ in range(10):
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", _port(base)))
            sock.sendall(request * 20)
            time.sleep(1.0)  # the first answers fill the socket; the next waits to write
            sock.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
            sock.close()  # a reset, unread answers and all
        time.sleep(0.5)
        assert httpx.get(f"{base}/api/todos?limit=1").status_code == 200
        log = log_path.read_text()
        errors = [line for line in log.splitlines() if '"ERROR"' in line]
        assert errors == [], log[-2000:]
