/** @jest-environment node */
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

  it('answers 504 JSON when the backend does not answer in time', async () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const response = await proxyToBackend(new Request('http://fe/slow'), '/slow', { env: env() });
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ code: 'backend_timeout', detail: 'The todo service did not answer within 500 ms.' });
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
