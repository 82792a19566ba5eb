/** @jest-environment node */
import { sendJson, startHttpBackend } from '@/test-support/http-backend';
import * as chat from './chat/route';
import * as health from './health/route';
import * as todo from './todos/[id]/route';
import * as todos from './todos/route';

describe('API route handlers', () => {
  let backend: Awaited<ReturnType<typeof startHttpBackend>>;
  const saved = process.env.BACKEND_URL;

  beforeEach(async () => {
    backend = await startHttpBackend((req, res) => sendJson(res, 200, { path: req.url, method: req.method }));
    // Set after import: the handlers must read the environment per request, not at load time.
    process.env.BACKEND_URL = backend.url;
  });
  afterEach(async () => {
    process.env.BACKEND_URL = saved;
    await backend.close();
  });

  it('are all dynamic so no backend answer is baked in at build time', () => {
    for (const route of [chat, health, todo, todos]) expect(route.dynamic).toBe('force-dynamic');
  });

  it('health answers ok without calling the backend', async () => {
    const response = health.GET();
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(backend.requests).toHaveLength(0);
  });

  it('todos list forwards to /api/todos with the query', async () => {
    const response = await todos.GET(new Request('http://fe/api/todos?completed=true'));
    expect(await response.json()).toEqual({ path: '/api/todos?completed=true', method: 'GET' });
  });

  it.each([
    ['GET', todo.GET],
    ['PATCH', todo.PATCH],
    ['DELETE', todo.DELETE],
  ])('%s /api/todos/[id] forwards to the same id', async (method, handler) => {
    const init = method === 'PATCH' ? { method, body: '{"completed":true}' } : { method };
    const response = await handler(new Request('http://fe/api/todos/12', init), { params: Promise.resolve({ id: '12' }) });
    expect(await response.json()).toEqual({ path: '/api/todos/12', method });
  });

  it('encodes the id so it cannot climb to another backend path', async () => {
    await todo.GET(new Request('http://fe/x'), { params: Promise.resolve({ id: '../chat' }) });
    expect(backend.requests[0].url).toBe('/api/todos/..%2Fchat');
  });

  it('chat forwards the message body', async () => {
    await chat.POST(new Request('http://fe/api/chat', { method: 'POST', body: '{"message":"list"}' }));
    expect(backend.requests[0]).toMatchObject({ method: 'POST', url: '/api/chat', body: '{"message":"list"}' });
  });
});
