/** @jest-environment node */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closedPort, sendJson, startHttpBackend } from '@/test-support/http-backend';
import { MAX_BODY_BYTES, proxyToBackend } from './proxy';

const todo = { id: 7, title: 'buy milk', description: null, completed: false, created_at: 'x', updated_at: 'x' };

describe('proxyToBackend against a real HTTP server', () => {
  let backend: Awaited<ReturnType<typeof startHttpBackend>>;
  beforeEach(async () => {
    backend = await startHttpBackend((req, res) => {
      if (req.url.startsWith('/api/todos?')) return sendJson(res, 200, { items: [todo], total: 1, limit: 5, offset: 0 });
      if (req.method === 'POST' && req.url === '/api/todos') {
        const body = JSON.parse(req.body);
        if (!body.title) return sendJson(res, 422, { detail: [{ loc: ['body', 'title'], msg: 'Field required' }] });
        return sendJson(res, 201, { ...todo, title: body.title });
      }
      if (req.method === 'DELETE') return sendJson(res, 204);
      if (req.url === '/slow') return void setTimeout(() => sendJson(res, 200, {}), 2000);
      return sendJson(res, 404, { detail: 'Todo not found' });
    });
  });
  afterEach(() => backend.close());

  const env = () => ({ BACKEND_URL: backend.url, BACKEND_TIMEOUT_MS: '500' });

  it('forwards the query string and passes status and JSON through', async () => {
    const response = await proxyToBackend(new Request('http://fe/api/todos?limit=5&completed=false'), '/api/todos', { env: env() });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ items: [todo], total: 1, limit: 5, offset: 0 });
    expect(backend.requests[0].url).toBe('/api/todos?limit=5&completed=false');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('forwards method, JSON body and content type; passes 201 through', async () => {
    const request = new Request('http://fe/api/todos', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'buy bread' }),
    });
    const response = await proxyToBackend(request, '/api/todos', { env: env() });
    expect(response.status).toBe(201);
    expect((await response.json()).title).toBe('buy bread');
    expect(backend.requests[0]).toMatchObject({ method: 'POST', body: '{"title":"buy bread"}' });
    expect(backend.requests[0].headers['content-type']).toBe('application/json');
  });

  it('passes FastAPI validation errors (422) and 404 through unchanged', async () => {
    const bad = new Request('http://fe/api/todos', { method: 'POST', body: '{}' });
    const invalid = await proxyToBackend(bad, '/api/todos', { env: env() });
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toEqual({ detail: [{ loc: ['body', 'title'], msg: 'Field required' }] });

    const missing = await proxyToBackend(new Request('http://fe/api/todos/99'), '/api/todos/99', { env: env() });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: 'Todo not found' });
  });

  it('refuses an oversized body with 413 before calling the backend', async () => {
    const request = new Request('http://fe/api/chat', { method: 'POST', body: 'x'.repeat(MAX_BODY_BYTES + 1) });
    const response = await proxyToBackend(request, '/api/chat', { env: env() });
    expect(response.status).toBe(413);
    expect((await response.json()).detail).toMatch(/larger than 262144 bytes/);
    expect(backend.requests).toHaveLength(0);
  });

  it('passes 204 through with an empty body', async () => {
    const response = await proxyToBackend(new Request('http://fe/api/todos/7', { method: 'DELETE' }), '/api/todos/7', { env: env() });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe('');
  });

  it('answers a backend that does not answer in time with 503 + Retry-After for a GET (a retry is harmless), 504 for a plain POST', async () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = await proxyToBackend(new Request('http://fe/slow'), '/slow', { env: env() });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(await response.json()).toEqual({ code: 'backend_timeout', detail: 'The todo service did not answer within 500 ms.' });
    const post = await proxyToBackend(new Request('http://fe/slow', { method: 'POST', body: '{}' }), '/slow', { env: env() });
    expect(post.status).toBe(504);
    expect(post.headers.get('retry-after')).toBeNull();
    spy.mockRestore();
  });
});

describe('proxyToBackend without a backend', () => {
  it('answers 503 JSON when nothing listens on the backend port, logging the address server-side only', async () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const port = await closedPort();
    const response = await proxyToBackend(new Request('http://fe/api/todos'), '/api/todos', {
      env: { BACKEND_URL: `http://127.0.0.1:${port}` },
    });
    expect(response.status).toBe(503);
    const body = await response.json();
    expect(body).toEqual({ code: 'backend_unavailable', detail: 'The todo service is unavailable (ECONNREFUSED).' });
    expect(spy.mock.calls[0][0]).toContain(`127.0.0.1:${port}/api/todos`);
    spy.mockRestore();
  });

  it('answers 500 JSON naming BACKEND_URL when it is misconfigured', async () => {
    const response = await proxyToBackend(new Request('http://fe/api/todos'), '/api/todos', { env: { BACKEND_URL: 'backend:8000' } });
    expect(response.status).toBe(500);
    const body = await response.json();
    expect(body.code).toBe('frontend_misconfigured');
    expect(body.detail).toMatch(/^BACKEND_URL: /);
  });
});

describe('proxyToBackend: bodies, headers and redirects', () => {
  let backend: Awaited<ReturnType<typeof startHttpBackend>>;
  afterEach(() => backend.close());

  it('stops reading a chunked body without Content-Length at the cap: 413 after ~256 KB of a 50 MB stream', async () => {
    backend = await startHttpBackend((_req, res) => sendJson(res, 201, {}));
    const chunk = new Uint8Array(64 * 1024);
    let pulled = 0;
    const fifty = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= 50 * 1024 * 1024) return controller.close();
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const request = new Request('http://fe/api/todos', { method: 'POST', body: fifty, duplex: 'half' } as RequestInit);
    expect(request.headers.get('content-length')).toBeNull();
    const response = await proxyToBackend(request, '/api/todos', { env: { BACKEND_URL: backend.url } });
    expect(response.status).toBe(413);
    expect(pulled).toBeLessThan(MAX_BODY_BYTES + 4 * chunk.byteLength);
    expect(backend.requests).toHaveLength(0);
  });

  it('forwards If-Match to the backend and ETag and a 412 back', async () => {
    backend = await startHttpBackend((req, res) => {
      if (req.headers['if-match'] === '"3"') return sendJson(res, 200, todo);
      res.writeHead(412, { 'content-type': 'application/json', etag: '"4"' }).end('{"detail":"stale"}');
    });
    const patch = (etag: string) =>
      proxyToBackend(new Request('http://fe/api/todos/7', { method: 'PATCH', headers: { 'if-match': etag }, body: '{}' }), '/api/todos/7', {
        env: { BACKEND_URL: backend.url },
      });
    expect((await patch('"3"')).status).toBe(200);
    const stale = await patch('"2"');
    expect(stale.status).toBe(412);
    expect(stale.headers.get('etag')).toBe('"4"');
    expect(backend.requests.map((r) => r.headers['if-match'])).toEqual(['"3"', '"2"']);
  });

  it('rewrites a redirect to the backend into a path on this server, so the internal host never leaks', async () => {
    backend = await startHttpBackend((req, res) => {
      const location = req.url === '/prefix/api/todos/x/' ? `${backend.url}/prefix/api/todos/x` : 'https://example.org/elsewhere';
      res.writeHead(307, { location }).end();
    });
    const env = { BACKEND_URL: `${backend.url}/prefix` };
    const internal = await proxyToBackend(new Request('http://fe/api/todos/x/'), '/api/todos/x/', { env });
    expect(internal.status).toBe(307);
    expect(internal.headers.get('location')).toBe('/api/todos/x');
    const external = await proxyToBackend(new Request('http://fe/api/todos/y'), '/api/todos/y', { env });
    expect(external.headers.get('location')).toBe('https://example.org/elsewhere');
  });
});

describe('proxyToBackend: a pooled socket the backend has closed', () => {
  // The backend answers the first request on a connection, keeps it open, and drops the
  // connection without answering when a second request arrives on it: a dead pooled socket.
  async function droppingBackend() {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const socket = req.socket as typeof req.socket & { served?: number };
        socket.served = (socket.served ?? 0) + 1;
        seen.push(`${req.method} #${socket.served}`);
        if (socket.served > 1) return void socket.destroy();
        sendJson(res, 200, { ok: true });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, seen, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
  }

  // The pool frees a connection a tick after the body ends; a request sent sooner opens another one.
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('retries an idempotent request once on a fresh connection', async () => {
    const backend = await droppingBackend();
    const env = { BACKEND_URL: backend.url };
    try {
      expect((await proxyToBackend(new Request('http://fe/api/todos/1'), '/api/todos/1', { env })).status).toBe(200);
      await settle();
      expect((await proxyToBackend(new Request('http://fe/api/todos/1'), '/api/todos/1', { env })).status).toBe(200);
      expect(backend.seen).toEqual(['GET #1', 'GET #2', 'GET #1']);
    } finally {
      await backend.close();
    }
  });

  it('never sends a POST twice: without an Idempotency-Key 502 and no Retry-After (it may have been applied), with one 503 and Retry-After', async () => {
    const backend = await droppingBackend();
    const env = { BACKEND_URL: backend.url };
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const post = async (headers: Record<string, string>) => {
      expect((await proxyToBackend(new Request('http://fe/api/todos/1'), '/api/todos/1', { env })).status).toBe(200);
      await settle();
      return proxyToBackend(new Request('http://fe/api/todos', { method: 'POST', headers, body: '{"title":"x"}' }), '/api/todos', { env });
    };
    try {
      const unkeyed = await post({});
      expect(unkeyed.status).toBe(502);
      expect(unkeyed.headers.get('retry-after')).toBeNull();
      expect((await unkeyed.json()).detail).toMatch(/may or may not have been saved/);
      const keyed = await post({ 'idempotency-key': 'k-1' });
      expect(keyed.status).toBe(503);
      expect(keyed.headers.get('retry-after')).toBe('2');
      expect(backend.seen).toEqual(['GET #1', 'POST #2', 'GET #1', 'POST #2']);
    } finally {
      spy.mockRestore();
      await backend.close();
    }
  });
});
