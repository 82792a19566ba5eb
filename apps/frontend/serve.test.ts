/** @jest-environment node */
// The production entry point run for real: `node serve.cjs` as a process on a loopback port, in
// front of a real HTTP server standing in for the backend, spoken to with raw bytes where a
// well-behaved client library would not send what a hostile client can.
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { closedPort, sendJson, startHttpBackend } from '@/test-support/http-backend';
import { lastJson, rawExchange, removeServeDir, startServe, type ServeProcess } from '@/test-support/serve-process';

jest.setTimeout(30_000);

let backend: Awaited<ReturnType<typeof startHttpBackend>>;
let front: ServeProcess;

beforeAll(async () => {
  backend = await startHttpBackend((req, res) =>
    sendJson(res, req.method === 'POST' ? 201 : 200, { method: req.method, url: req.url, bytes: req.body.length, key: req.headers['idempotency-key'] ?? null }),
  );
  front = await startServe({ BACKEND_URL: backend.url });
});
afterAll(async () => {
  await front?.stop();
  await backend?.close();
  removeServeDir();
});
beforeEach(() => backend.requests.splice(0));

const CRLF = '\r\n';
const request = (lines: string[], body = '') => lines.join(CRLF) + CRLF + CRLF + body;

describe('serve.cjs: request lines and framing a browser never sends', () => {
  it('passes a body sent after `Expect: 100-continue` (curl does this above 1 KB) to the backend', async () => {
    const body = JSON.stringify({ title: 'x'.repeat(2000) });
    const { text, statuses } = await new Promise<{ text: string; statuses: number[] }>((resolve, reject) => {
      const socket = connect(front.port, '127.0.0.1', () =>
        socket.write(request(['POST /api/todos HTTP/1.1', 'Host: fe', 'Content-Type: application/json', `Content-Length: ${body.length}`, 'Expect: 100-continue'])),
      );
      let received = '';
      let sent = false;
      socket.on('data', (d) => {
        received += d.toString('latin1');
        // The body goes only after the interim answer, as curl sends it.
        if (received.startsWith('HTTP/1.1 100 Continue') && !sent) sent = socket.write(body) || true;
        if (/\r\n\r\n\{.*\}$/s.test(received)) {
          socket.destroy();
          resolve({ text: received, statuses: [...received.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((m) => Number(m[1])) });
        }
      });
      socket.on('error', reject);
    });
    expect(statuses).toEqual([100, 201]);
    expect(lastJson(text)).toMatchObject({ method: 'POST', url: '/api/todos', bytes: body.length });
  });

  it.each([
    ['OPTIONS *', 'asterisk-form'],
    ['GET ftp://fe/ ', 'a scheme other than http(s)'],
    ['GET http://[::1 ', 'an unparsable absolute URL'],
  ])('answers %s (%s) with 400 JSON and does not hand it on', async (line) => {
    const { statuses, text } = await rawExchange(front.port, request([`${line.trim()} HTTP/1.1`, 'Host: fe', 'Connection: close']));
    expect(statuses).toEqual([400]);
    expect(lastJson(text)).toMatchObject({ code: 'bad_request_target' });
    expect(text).not.toContain('"next":true');
  });

  it('serves an absolute-form request line as its path and never redirects to the host it names', async () => {
    const api = await rawExchange(front.port, request(['GET http://evil.example/api/todos?limit=1 HTTP/1.1', 'Host: fe', 'Connection: close']));
    expect(api.statuses).toEqual([200]);
    expect(lastJson(api.text)).toMatchObject({ method: 'GET', url: '/api/todos?limit=1' });
    const page = await rawExchange(front.port, request(['GET http://evil.example/ HTTP/1.1', 'Host: fe', 'Connection: close']));
    expect(page.statuses).toEqual([200]);
    expect(lastJson(page.text)).toEqual({ next: true, method: 'GET', url: '/', bytes: 0 });
    expect(api.text + page.text).not.toMatch(/evil\.example/);
  });

  it('closes an HTTP/1.0 connection that used chunked framing after answering, as the backend does (RFC 9112 6.1)', async () => {
    const exchange = await rawExchange(
      front.port,
      request(['POST /api/todos HTTP/1.0', 'Host: fe', 'Connection: keep-alive', 'Transfer-Encoding: chunked', 'Content-Type: application/json'], '5\r\n{"a":\r\n4\r\n"b"}\r\n0\r\n\r\n') +
        request(['GET /api/todos HTTP/1.0', 'Host: fe', 'Connection: keep-alive']),
      2_000,
    );
    expect(exchange.statuses).toEqual([201]);
    expect(exchange.text).toMatch(/^connection: close\r$/im);
    expect(exchange.closed).toBe(true);
    expect(backend.requests.map((r) => `${r.method} ${r.body}`)).toEqual(['POST {"a":"b"}']);
  });

  it('forwards the Idempotency-Key of a create to the backend', async () => {
    const response = await fetch(`${front.url}/api/todos`, { method: 'POST', headers: { 'idempotency-key': 'k-42' }, body: '{"title":"x"}' });
    expect(await response.json()).toMatchObject({ method: 'POST', key: 'k-42' });
  });

  it('logs a client that goes away mid-body as one line, without a stack trace', async () => {
    const before = front.log().length;
    await rawExchange(front.port, request(['POST /api/todos HTTP/1.1', 'Host: fe', 'Content-Type: application/json', 'Content-Length: 1000'], '{"title":"ab'), 300);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const logged = front.log().slice(before);
    expect(logged).toMatch(/^client went away: POST \/api\/todos after 12 of 1000 body bytes\n$/);
    expect(backend.requests).toHaveLength(0);
  });
});

describe('serve.cjs: a backend that cannot be reached', () => {
  const call = async (base: string, method: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}/api/todos`, { method, headers, body: method === 'POST' ? '{"title":"x"}' : undefined });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), code: (await response.json()).code };
  };
  const retry = { status: 503, retryAfter: '2', code: 'backend_unavailable' };

  it.each([
    ['a stopped container whose name no longer resolves', async () => 'http://backend.invalid:8000'],
    ['a port nothing listens on', async () => `http://127.0.0.1:${await closedPort()}`],
  ])('answers 503 with Retry-After for %s, POST included: nothing was sent', async (_what, backendUrl) => {
    const down = await startServe({ BACKEND_URL: await backendUrl() });
    try {
      expect(await call(down.url, 'GET')).toEqual(retry);
      expect(await call(down.url, 'POST')).toEqual(retry);
    } finally {
      await down.stop();
    }
  });

  it('answers a connection broken after the request was sent with 503 + Retry-After only where a retry cannot apply a write twice', async () => {
    // Reads the whole request, then drops the connection without an answer: its fate is unknown to the client.
    const seen: string[] = [];
    const dropping = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        seen.push(`${req.method} ${req.headers['idempotency-key'] ?? '-'}`);
        res.socket?.destroy();
      });
    });
    await new Promise<void>((resolve) => dropping.listen(0, '127.0.0.1', resolve));
    const broken = await startServe({ BACKEND_URL: `http://127.0.0.1:${(dropping.address() as AddressInfo).port}` });
    try {
      expect(await call(broken.url, 'GET')).toEqual(retry);
      expect(await call(broken.url, 'POST', { 'idempotency-key': 'b0b0c0de-0000-4000-8000-000000000001' })).toEqual(retry);
      expect(await call(broken.url, 'POST')).toEqual({ status: 502, retryAfter: null, code: 'backend_unreachable' });
      // The proxy retries the GET once on a fresh connection; a POST is sent once, keyed or not.
      expect(seen).toEqual(['GET -', 'GET -', 'POST b0b0c0de-0000-4000-8000-000000000001', 'POST -']);
    } finally {
      await broken.stop();
      dropping.closeAllConnections();
      dropping.close();
    }
  });
});

describe('serve.cjs: a backend that does not answer in time', () => {
  it('answers 503 with Retry-After where a retry cannot apply a write twice (GET, DELETE, keyed POST), 504 for a plain POST', async () => {
    // A frozen backend (a paused container, a hung process): the connection is made and the request sent, no answer comes.
    const silent = createServer((req) => void req.resume());
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const slow = await startServe({ BACKEND_URL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, BACKEND_TIMEOUT_MS: '300' });
    const call = async (method: string, path: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${slow.url}${path}`, { method, headers, body: method === 'POST' ? '{"title":"x"}' : undefined });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), code: (await response.json()).code };
    };
    const retry = { status: 503, retryAfter: '2', code: 'backend_timeout' };
    try {
      expect(await call('GET', '/api/todos')).toEqual(retry);
      expect(await call('DELETE', '/api/todos/7')).toEqual(retry);
      expect(await call('POST', '/api/todos', { 'idempotency-key': 'b0b0c0de-0000-4000-8000-000000000002' })).toEqual(retry);
      // The backend may still apply it: a blind retry could create the todo twice.
      expect(await call('POST', '/api/todos')).toEqual({ status: 504, retryAfter: null, code: 'backend_timeout' });
    } finally {
      await slow.stop();
      silent.closeAllConnections();
      silent.close();
    }
  });
});

/** Opens a connection, sends `head` and `bodyBytes` of body, and reports the first answer, if any comes. */
function holdBody(port: number, head: string, bodyBytes: number) {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  let received = '';
  const answered = new Promise<string>((resolve) => {
    socket.on('data', (d) => {
      received += d.toString('latin1');
      if (received.includes('\r\n\r\n')) resolve(received);
    });
  });
  socket.write(head);
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  const pump = () => {
    while (sent < bodyBytes && !socket.destroyed) {
      const piece = chunk.subarray(0, Math.min(chunk.length, bodyBytes - sent));
      sent += piece.length;
      if (!socket.write(piece)) return void socket.once('drain', pump);
    }
  };
  pump();
  return { socket, answered, status: () => Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0), received: () => received };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const MiB = 1024 * 1024;

async function settleWhile(condition: () => boolean, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (condition() && Date.now() < end) await sleep(50);
}

describe('serve.cjs: memory and time a client can make it hold', () => {
  it('holds request bodies only up to REQUEST_BODY_BUDGET_BYTES in all; past it 503 with Retry-After, and RSS stays bounded', async () => {
    const budget = 8 * MiB;
    const server = await startServe({ BACKEND_URL: backend.url, REQUEST_BODY_BUDGET_BYTES: String(budget) });
    const clients: ReturnType<typeof holdBody>[] = [];
    try {
      expect((await fetch(`${server.url}/api/todos`)).status).toBe(200);
      const rssBefore = server.rss();
      // 800 connections, each declaring 255 KB and sending 250 KB of it, none finishing: 200 MB if all were held.
      const CONNECTIONS = 800;
      const declared = 255 * 1024;
      const head = request(['POST /api/todos HTTP/1.1', 'Host: fe', 'Content-Type: application/json', `Content-Length: ${declared}`]);
      for (let i = 0; i < CONNECTIONS; i += 1) clients.push(holdBody(server.port, head, 250 * 1024));
      const admitted = Math.floor(budget / declared);
      await settleWhile(() => clients.filter((c) => c.status() !== 0).length < CONNECTIONS - admitted, 20_000);
      await sleep(500);
      const rssHeld = server.rss();
      const statuses = clients.map((c) => c.status());
      expect(statuses.filter((s) => s === 0)).toHaveLength(admitted);
      expect(statuses.filter((s) => s === 503)).toHaveLength(CONNECTIONS - admitted);
      const refused = clients.find((c) => c.status() === 503)!;
      expect(refused.received()).toMatch(/^retry-after: 2\r$/im);
      expect(lastJson(refused.received())).toMatchObject({ code: 'frontend_busy' });
      expect(backend.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
      // The budget, ~30 KB per open connection, and refused bodies read and dropped that the GC has not
      // yet freed: +58 MiB here, where holding every body grew it by 206 MiB (the 195 MiB sent, and more).
      expect(rssHeld - rssBefore).toBeLessThan(96 * MiB);
      console.log(`RSS ${Math.round(rssBefore / MiB)} MiB before, ${Math.round(rssHeld / MiB)} MiB with ${CONNECTIONS} unfinished bodies (budget ${budget / MiB} MiB)`);

      // The held bytes come back when those clients leave: a full body fits again.
      for (const client of clients) client.socket.destroy();
      await sleep(300);
      const full = await fetch(`${server.url}/api/todos`, { method: 'POST', body: JSON.stringify({ title: 'x'.repeat(250 * 1024) }) });
      expect(full.status).toBe(201);
    } finally {
      for (const client of clients) client.socket.destroy();
      await server.stop();
    }
  });

  it('holds a chunked body (no Content-Length) against the budget as it arrives', async () => {
    const server = await startServe({ BACKEND_URL: backend.url, REQUEST_BODY_BUDGET_BYTES: String(1 * MiB) });
    const clients: ReturnType<typeof holdBody>[] = [];
    try {
      const head = request(['POST /api/chat HTTP/1.1', 'Host: fe', 'Content-Type: application/json', 'Transfer-Encoding: chunked']);
      const chunk = (bytes: number) => `${bytes.toString(16)}\r\n${'a'.repeat(bytes)}\r\n`;
      // Each sends 200 KB in chunks and stops: five fit in 1 MiB, the rest are refused once they pass it.
      for (let i = 0; i < 12; i += 1) {
        const client = holdBody(server.port, head, 0);
        for (let k = 0; k < 10; k += 1) client.socket.write(chunk(20 * 1024));
        clients.push(client);
      }
      await settleWhile(() => clients.filter((c) => c.status() === 503).length < 7, 5_000);
      await sleep(300);
      expect(clients.map((c) => c.status()).sort()).toEqual([...Array(5).fill(0), ...Array(7).fill(503)]);
    } finally {
      for (const client of clients) client.socket.destroy();
      await server.stop();
    }
  });

  it('refuses a body sent to a page with 413 at once (Next would read up to 10 MB of it into memory)', async () => {
    const server = await startServe({ BACKEND_URL: backend.url });
    const clients: ReturnType<typeof holdBody>[] = [];
    try {
      const rssBefore = server.rss();
      const head = request(['POST / HTTP/1.1', 'Host: fe', 'Content-Type: text/plain', `Content-Length: ${9 * MiB}`]);
      for (let i = 0; i < 40; i += 1) clients.push(holdBody(server.port, head, 4 * MiB));
      await settleWhile(() => clients.some((c) => c.status() === 0), 10_000);
      expect(clients.map((c) => c.status())).toEqual(Array(40).fill(413));
      expect(lastJson(clients[0].received())).toMatchObject({ code: 'payload_too_large' });
      expect(server.rss() - rssBefore).toBeLessThan(48 * MiB);
      const chunked = await rawExchange(server.port, request(['POST /about HTTP/1.1', 'Host: fe', 'Transfer-Encoding: chunked'], '1\r\na\r\n0\r\n\r\n'));
      expect(chunked.statuses).toEqual([413]);
      // No body, or an /api/ path Next answers itself, still goes to Next.
      const empty = await fetch(`${server.url}/`, { method: 'POST' });
      expect(await empty.json()).toMatchObject({ next: true, method: 'POST', url: '/' });
      const health = await fetch(`${server.url}/api/health`, { method: 'POST', body: 'x' });
      expect(await health.json()).toMatchObject({ next: true, url: '/api/health' });
    } finally {
      for (const client of clients) client.socket.destroy();
      await server.stop();
    }
  });

  it('closes a connection whose headers or body stall (CLIENT_HEADERS_TIMEOUT_MS, CLIENT_REQUEST_TIMEOUT_MS), but waits for a slow backend', async () => {
    const slow = await startHttpBackend((_req, res) => void setTimeout(() => sendJson(res, 200, { slow: true }), 1_500));
    const server = await startServe({ BACKEND_URL: slow.url, CLIENT_HEADERS_TIMEOUT_MS: '500', CLIENT_REQUEST_TIMEOUT_MS: '1000' });
    try {
      const [headers, body, answer] = await Promise.all([
        rawExchange(server.port, 'GET / HTTP/1.1\r\nHost: fe\r\n', 4_000),
        rawExchange(server.port, request(['POST /api/todos HTTP/1.1', 'Host: fe', 'Content-Length: 100'], '{"title":'), 4_000),
        fetch(`${server.url}/api/todos`).then(async (r) => ({ status: r.status, body: await r.json() })),
      ]);
      expect(headers).toMatchObject({ closed: true, statuses: [408] });
      expect(body.closed).toBe(true);
      expect(answer).toEqual({ status: 200, body: { slow: true } });
    } finally {
      await server.stop();
      await slow.close();
    }
  });

  it('holds at most MAX_REQUESTS_IN_FLIGHT bodiless requests in progress; past it 503 with Retry-After, the health check still answers, and a slot comes back when its answer ends or its client leaves', async () => {
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const slow = await startHttpBackend(async (_req, res) => {
      await held;
      sendJson(res, 200, { slow: true });
    });
    const server = await startServe({ BACKEND_URL: slow.url, MAX_REQUESTS_IN_FLIGHT: '4' });
    try {
      // Four requests wait on the backend and fill the slots; a page request is refused like an API one.
      const waiting = Array.from({ length: 4 }, () => fetch(`${server.url}/api/todos`).then((r) => r.status));
      await settleWhile(() => slow.requests.length < 4, 5_000);
      const refused = await fetch(`${server.url}/api/todos`);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('2');
      expect(await refused.json()).toMatchObject({ code: 'frontend_busy' });
      expect((await fetch(`${server.url}/`)).status).toBe(503);
      expect(slow.requests).toHaveLength(4);
      const health = await fetch(`${server.url}/api/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ next: true });
      // A request with a body is the body budget's to bound, not the slots': it goes on to the backend.
      const post = fetch(`${server.url}/api/todos`, { method: 'POST', body: '{"title":"a"}' }).then((r) => r.status);
      await settleWhile(() => slow.requests.length < 5, 5_000);
      expect(slow.requests[4]).toMatchObject({ method: 'POST' });

      // Released answers give their slots back.
      release();
      expect(await Promise.all([...waiting, post])).toEqual([200, 200, 200, 200, 200]);
      expect((await fetch(`${server.url}/`)).status).toBe(200);
    } finally {
      release();
      await server.stop();
      await slow.close();
    }
  });

  it('gives back the slots of pipelined requests whose client leaves before their answers were sent', async () => {
    // Node queues the answers to requests pipelined on one connection; when the client hangs up, the
    // queued ones never get a socket and never emit 'close'. Their slots were lost for good: after a few
    // such clients every page and GET got 503 frontend_busy for ever, while the health check said 200.
    const slow = await startHttpBackend((_req, res) => void setTimeout(() => sendJson(res, 200, { ok: true }), 200));
    const server = await startServe({ BACKEND_URL: slow.url, MAX_REQUESTS_IN_FLIGHT: '4' });
    try {
      const port = Number(new URL(server.url).port);
      for (let round = 0; round < 3; round += 1) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
        socket.write(request(['GET /api/todos HTTP/1.1', 'Host: x']).repeat(4) + request(['GET /api/health HTTP/1.1', 'Host: x']).repeat(200));
        await settleWhile(() => slow.requests.length < round + 1, 5_000);
        socket.destroy();
        await sleep(300);
      }
      const statuses = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await fetch(`${server.url}/api/todos`)).status);
      expect(statuses).toEqual([200, 200, 200, 200]);
    } finally {
      await server.stop();
      await slow.close();
    }
  });

  it('lets bodiless requests through while many clients trickle small bodies (those are bound by the body budget and the request timeout), and gives a slot back when its client leaves', async () => {
    const stuck = await startHttpBackend((req, res) => {
      if (req.url.startsWith('/api/todos?never')) return; // never answered
      sendJson(res, 200, { ok: true });
    });
    const server = await startServe({ BACKEND_URL: stuck.url, MAX_REQUESTS_IN_FLIGHT: '2', BACKEND_TIMEOUT_MS: '60000' });
    const clients: ReturnType<typeof holdBody>[] = [];
    try {
      const head = request(['POST /api/todos HTTP/1.1', 'Host: fe', 'Content-Type: application/json', 'Content-Length: 100']);
      for (let i = 0; i < 10; i += 1) clients.push(holdBody(server.port, head, 10));
      await sleep(300);
      expect(clients.map((c) => c.status())).toEqual(Array(10).fill(0));
      expect((await fetch(`${server.url}/api/todos`)).status).toBe(200);
      expect((await fetch(`${server.url}/`)).status).toBe(200);

      // Two GETs the backend never answers fill the slots; their clients leave, and the slots come back.
      const gone = Array.from({ length: 2 }, () => {
        const socket = connect(server.port, '127.0.0.1');
        socket.on('error', () => undefined);
        socket.write(request(['GET /api/todos?never HTTP/1.1', 'Host: fe']));
        return socket;
      });
      await settleWhile(() => stuck.requests.filter((r) => r.url.includes('never')).length < 2, 5_000);
      expect((await fetch(`${server.url}/`)).status).toBe(503);
      for (const socket of gone) socket.destroy();
      await sleep(300);
      expect((await fetch(`${server.url}/`)).status).toBe(200);
    } finally {
      for (const client of clients) client.socket.destroy();
      await server.stop();
      await stuck.close();
    }
  });

  it('refuses to start with a setting that is not a positive whole number, naming it', async () => {
    const startFailure = async (env: Record<string, string>) => {
      const started = await startServe(env).then(
        (server) => server,
        (error: Error) => error,
      );
      if (started instanceof Error) return started.message;
      await started.stop();
      return 'started';
    };
    expect(await startFailure({ REQUEST_BODY_BUDGET_BYTES: '32MB' })).toMatch(
      /exited with 1:\nfrontend: REQUEST_BODY_BUDGET_BYTES: "32MB" is not a positive whole number of bytes; e\.g\. REQUEST_BODY_BUDGET_BYTES=33554432\n$/,
    );
    expect(await startFailure({ MAX_REQUESTS_IN_FLIGHT: '0' })).toMatch(/MAX_REQUESTS_IN_FLIGHT: "0" is not a positive whole number of requests; e\.g\. MAX_REQUESTS_IN_FLIGHT=256/);
    expect(await startFailure({ CLIENT_HEADERS_TIMEOUT_MS: '60000' })).toMatch(/CLIENT_HEADERS_TIMEOUT_MS \(60000\) must not exceed CLIENT_REQUEST_TIMEOUT_MS \(30000\)/);
  });
});
