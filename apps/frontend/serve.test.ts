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
