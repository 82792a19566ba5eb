/** @jest-environment node */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson, startHttpBackend } from '@/test-support/http-backend';
import { guard } from '../serve.cjs';
import { serveApi } from './node-proxy';
import securityHeaders from './security-headers.json';

// The production server's front: serve.cjs's guard, the API fast path, and a stand-in for Next behind them.
async function startFrontServer() {
  const server = createServer(guard((_req, res) => sendJson(res, 404, { next: true }), serveApi));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('the production server front (serve.cjs + lib/node-proxy.ts)', () => {
  let backend: Awaited<ReturnType<typeof startHttpBackend>>;
  let front: Awaited<ReturnType<typeof startFrontServer>>;
  const saved = process.env.BACKEND_URL;
  beforeEach(async () => {
    backend = await startHttpBackend((req, res) => {
      if (req.url === '/api/todos/moved') return void res.writeHead(307, { location: `${backend.url}/api/todos/1` }).end();
      sendJson(res, 200, { path: req.url, method: req.method, ifMatch: req.headers['if-match'] ?? null });
    });
    process.env.BACKEND_URL = backend.url;
    front = await startFrontServer();
  });
  afterEach(async () => {
    process.env.BACKEND_URL = saved;
    await front.close();
    await backend.close();
  });

  it('answers the proxied routes itself, with the security headers, ids encoded as the route handlers do', async () => {
    const list = await fetch(`${front.url}/api/todos?limit=2`);
    expect(await list.json()).toEqual({ path: '/api/todos?limit=2', method: 'GET', ifMatch: null });
    for (const [key, value] of Object.entries(securityHeaders)) expect(list.headers.get(key)).toBe(value);
    const patch = await fetch(`${front.url}/api/todos/%2E%2E%2Fchat`, { method: 'PATCH', headers: { 'if-match': '"2"' }, body: '{}' });
    expect(await patch.json()).toEqual({ path: '/api/todos/..%2Fchat', method: 'PATCH', ifMatch: '"2"' });
    const chat = await fetch(`${front.url}/api/chat`, { method: 'POST', body: '{"message":"list"}' });
    expect((await chat.json()).path).toBe('/api/chat');
  });

  it('leaves every other path and method to Next.js', async () => {
    for (const [method, path] of [['GET', '/'], ['PUT', '/api/todos'], ['GET', '/api/todos/1/2'], ['GET', '/api/chat'], ['HEAD', '/api/todos']]) {
      const response = await fetch(`${front.url}${path}`, { method });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
    }
    expect(backend.requests).toHaveLength(0);
  });

  it('never names the backend in a redirect', async () => {
    const response = await fetch(`${front.url}/api/todos/moved`, { redirect: 'manual' });
    expect(response.status).toBe(307);
    expect(response.headers.get('location')).toBe('/api/todos/1');
  });

  it.each([
    ['TRACE', '/api/todos', 405],
    ['GET', '/api/todos/%ff', 400],
    ['PATCH', '/api/todos/%E0%A4%A', 400],
  ])('answers %s %s with %i, not a 5xx', async (method, path, status) => {
    const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${front.url}${path}`, { method }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(response.status).toBe(status);
    expect(JSON.parse(response.body).code).toMatch(/^(method_not_allowed|bad_path)$/);
  });

  it('answers a 50 MB chunked upload with 413 while the client is still sending, then closes without a reset', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    const result = await new Promise<{ status: number; sentAtResponse: number; connection?: string }>((resolve, reject) => {
      const req = httpRequest(`${front.url}/api/todos`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        resolve({ status: res.statusCode ?? 0, sentAtResponse: sent, connection: res.headers.connection });
        res.resume();
      });
      // The rest is drained, not reset: any socket error here is a failure.
      req.on('error', reject);
      const pump = () => {
        while (sent < 50 * 1024 * 1024) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(result.status).toBe(413);
    expect(result.connection).toBe('close');
    // What was written before the answer sits in socket buffers; far less than the 50 MB was read.
    expect(result.sentAtResponse).toBeLessThan(20 * 1024 * 1024);
    expect(backend.requests).toHaveLength(0);
  });
});
