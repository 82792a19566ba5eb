#!/usr/bin/env python3
"""Stand-in for an application image whose code this machine does not have.

It does not run the application. It keeps the one contract a stack's wiring test needs: it
listens where the application would listen, and it says whether it reaches the peers the
service's configuration names.

  reach-probe [ARGS...]   (the image's ENTRYPOINT) serves. ARGS are the command the compose
                          file or the spec gives the application (`gunicorn ...`, `rq worker
                          ...`): they are not run, only read for ports and peer URLs, and
                          logged. It listens on every port in REACH_PROBE_PORTS (comma list),
                          PORT, and `--bind/-b HOST:PORT` or `--port/-p N` in ARGS; on none when
                          none is given (a worker listens nowhere). Each port answers
                          GET /reach (the JSON below) and any other GET with 200 "OK".
  reach-check [HOST:PORT...]
                          checks the peers now and prints the JSON, exit 0 when every peer
                          answers; with HOST:PORT arguments, those instead of the derived ones
                          (loopback included: a check of the container's own listener).

Peers come from the environment (and ARGS of PID 1; not KUBERNETES_*): every URL (`redis://redis:6379/0`,
`postgres://postgres:5432/db`; a scheme's usual port when the URL names none), every
FOO_HOST with a FOO_PORT beside it, and REACH_PROBE_PEERS (comma list of HOST:PORT). Loopback and
wildcard hosts are left out. Each peer gets a TCP connection (3 s); a redis peer (scheme redis or
port 6379) must answer PING, a postgres peer (scheme postgres or port 5432) an SSLRequest.

  {"service": HOSTNAME, "peers": [{"host", "port", "from": [...], "tcp": "connected"|"refused"|
   "timeout"|"unresolved"|..., "answer": "PONG"|..., "ok": bool}], "ok": bool}
"""
import http.server
import json
import os
import re
import socket
import socketserver
import struct
import sys
import threading

SCHEME_PORTS = {"redis": 6379, "rediss": 6379, "postgres": 5432, "postgresql": 5432, "mysql": 3306, "mariadb": 3306,
                "amqp": 5672, "mongodb": 27017, "memcached": 11211, "http": 80, "https": 443}
URL = re.compile(r"([a-z][a-z0-9+.-]*)://(?:[^@/\s]*@)?(\[[^\]]+\]|[A-Za-z0-9_.-]+)(?::(\d+))?")
LOCAL = {"localhost", "127.0.0.1", "0.0.0.0", "::", "::1", "[::1]", "[::]"}
TIMEOUT = float(os.environ.get("REACH_PROBE_TIMEOUT", "3"))


def pid1_args():
    """The command the container was started with (for reach-check, which runs beside it)."""
    try:
        with open("/proc/1/cmdline", "rb") as f:
            return [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def derive_peers(env, args, keep_local=False):
    peers = {}

    def add(host, port, source, scheme=None):
        host = host.strip("[]")
        if not host or (host in LOCAL and not keep_local):
            return
        key = (host, int(port))
        p = peers.setdefault(key, {"host": host, "port": int(port), "from": [], "scheme": scheme})
        if source not in p["from"]:
            p["from"].append(source)
        p["scheme"] = p["scheme"] or scheme

    for name, value in sorted(env.items()):
        # KUBERNETES_*: the API server's Service, which the kubelet names in every container.
        if name.startswith("REACH_PROBE_") or name.startswith("KUBERNETES_"):
            continue
        for m in URL.finditer(value):
            scheme, host, port = m.group(1), m.group(2), m.group(3)
            port = int(port) if port else SCHEME_PORTS.get(scheme)
            if port:
                add(host, port, name, scheme)
        if name.endswith("_HOST") and re.fullmatch(r"\d+", env.get(name[:-5] + "_PORT", "")):
            add(value, env[name[:-5] + "_PORT"], f"{name}+{name[:-5]}_PORT")
    for i, arg in enumerate(args):
        for m in URL.finditer(arg):
            scheme, host, port = m.group(1), m.group(2), m.group(3)
            port = int(port) if port else SCHEME_PORTS.get(scheme)
            if port:
                add(host, port, f"args[{i}]", scheme)
    for item in filter(None, (x.strip() for x in env.get("REACH_PROBE_PEERS", "").split(","))):
        host, _, port = item.rpartition(":")
        add(host, port, "REACH_PROBE_PEERS")
    return sorted(peers.values(), key=lambda p: (p["host"], p["port"]))


def listen_ports(env, args):
    ports = []
    for item in (env.get("REACH_PROBE_PORTS", "") + "," + env.get("PORT", "")).split(","):
        if item.strip().isdigit():
            ports.append(int(item))
    for i, arg in enumerate(args):
        value = None
        if arg in ("--bind", "-b", "--port", "-p") and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--bind=") or arg.startswith("--port="):
            value = arg.split("=", 1)[1]
        if value:
            port = value.rpartition(":")[2]
            if port.isdigit():
                ports.append(int(port))
    return sorted(set(ports))


def check(peer):
    result = {k: peer[k] for k in ("host", "port", "from")}
    try:
        addr = socket.getaddrinfo(peer["host"], peer["port"], type=socket.SOCK_STREAM)[0][4]
    except OSError as e:
        return {**result, "tcp": "unresolved", "error": str(e), "ok": False}
    s = socket.socket(socket.AF_INET6 if ":" in addr[0] else socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    try:
        s.connect(addr)
    except socket.timeout:
        return {**result, "tcp": "timeout", "ok": False}
    except ConnectionRefusedError:
        return {**result, "tcp": "refused", "ok": False}
    except OSError as e:
        return {**result, "tcp": "error", "error": str(e), "ok": False}
    result["tcp"] = "connected"
    scheme = peer.get("scheme")
    try:
        if scheme in ("redis", "rediss") or (scheme is None and peer["port"] == 6379):
            s.sendall(b"PING\r\n")
            answer = s.recv(256).decode(errors="replace").strip()
            result["answer"] = answer.lstrip("+")
            result["ok"] = answer == "+PONG"
        elif scheme in ("postgres", "postgresql") or (scheme is None and peer["port"] == 5432):
            # SSLRequest: a postgres server answers one byte, S or N, before any authentication.
            s.sendall(struct.pack("!ii", 8, 80877103))
            answer = s.recv(1)
            result["answer"] = f"SSLRequest -> {answer.decode(errors='replace') or 'closed'}"
            result["ok"] = answer in (b"S", b"N")
        else:
            result["ok"] = True
    except OSError as e:
        result["answer"] = f"error: {e}"
        result["ok"] = False
    finally:
        s.close()
    return result


def report(peers):
    results = [check(p) for p in peers]
    return {"service": socket.gethostname(), "peers": results, "ok": all(r["ok"] for r in results)}


class Handler(http.server.BaseHTTPRequestHandler):
    peers = []

    def do_GET(self):
        body, ctype = b"OK\n", "text/plain"
        if self.path.split("?")[0] == "/reach":
            body, ctype = json.dumps(report(self.peers)).encode(), "application/json"
        self.send_response(200)
        self.send_header("content-type", ctype)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        sys.stderr.write("reach-probe: %s\n" % (fmt % args))


class Server4(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Server6(Server4):
    """Both families on one socket, where the network namespace has IPv6."""
    address_family = socket.AF_INET6

    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        super().server_bind()


def serve(args):
    env = dict(os.environ)
    Handler.peers = derive_peers(env, args)
    ports = listen_ports(env, args)
    print(f"reach-probe: stands in for the application; not running {json.dumps(args)}", flush=True)
    named = ["%s:%d" % (p["host"], p["port"]) for p in Handler.peers]
    print(f"reach-probe: peers {json.dumps(named)}; listening on {ports or 'no port'}", flush=True)
    servers = []
    for port in ports:
        try:
            server = Server6(("::", port), Handler)
        except OSError:  # no IPv6 in this network namespace
            server = Server4(("0.0.0.0", port), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
    stop = threading.Event()
    import signal
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()


def main():
    name = os.path.basename(sys.argv[0])
    args = sys.argv[1:]
    if name == "reach-check":
        env = dict(os.environ)
        if args:
            peers = derive_peers({"REACH_PROBE_PEERS": ",".join(args)}, [], keep_local=True)
        else:
            cmd = pid1_args()
            # PID 1 is `python3 /usr/local/bin/reach-probe ARGS...` (the ENTRYPOINT through its shebang).
            at = next((i for i, a in enumerate(cmd) if os.path.basename(a) == "reach-probe"), len(cmd) - 1)
            peers = derive_peers(env, cmd[at + 1:])
        out = report(peers)
        print(json.dumps(out, indent=2))
        sys.exit(0 if out["ok"] else 1)
    serve(args)


if __name__ == "__main__":
    main()
