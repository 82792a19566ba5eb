/** @jest-environment node */
import { sendJson, startHttpBackend } from '@/test-support/http-backend';
import { createApiClient, newIdempotencyKey, PAGE_SIZE, todoPath, todosPath } from './api-client';
import { ApiError, UNAVAILABLE_MESSAGE } from './errors';

describe('same-origin paths', () => {
  it('builds list paths with only the given parameters', () => {
    expect(todosPath()).toBe('/api/todos');
    expect(todosPath({ limit: 10, offset: 20, completed: false })).toBe('/api/todos?limit=10&offset=20&completed=false');
    expect(todosPath({ completed: true })).toBe('/api/todos?completed=true');
  });

  it('builds item paths', () => {
    expect(todoPath(42)).toBe('/api/todos/42');
  });
});

describe('createApiClient over HTTP', () => {
  const total = PAGE_SIZE + 5;
  let server: Awaited<ReturnType<typeof startHttpBackend>>;
  beforeAll(async () => {
    server = await startHttpBackend((req, res) => {
      const url = new URL(req.url, 'http://x');
      if (url.pathname === '/api/todos' && req.method === 'GET') {
        const offset = Number(url.searchParams.get('offset'));
        const limit = Number(url.searchParams.get('limit'));
        const items = Array.from({ length: Math.max(0, Math.min(limit, total - offset)) }, (_, i) => ({ id: offset + i + 1 }));
        return sendJson(res, 200, { items, total, limit, offset });
      }
      if (url.pathname === '/api/todos/5' && req.method === 'DELETE') return sendJson(res, 204);
      if (url.pathname === '/api/todos' && req.method === 'POST') {
        return sendJson(res, 422, { detail: [{ loc: ['body', 'title'], msg: 'Field required' }] });
      }
      if (url.pathname === '/api/chat') return sendJson(res, 503, { detail: 'down', code: 'backend_unavailable' });
      return sendJson(res, 404, { detail: 'Todo 9 not found' });
    });
  });
  afterAll(() => server.close());

  const client = () => createApiClient((path, init) => fetch(server.url + path, init));

  it('pages through the whole list', async () => {
    const todos = await client().listTodos();
    expect(todos.map((t) => t.id)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(server.requests.filter((r) => r.method === 'GET').map((r) => r.url)).toEqual([
      `/api/todos?limit=${PAGE_SIZE}&offset=0`,
      `/api/todos?limit=${PAGE_SIZE}&offset=${PAGE_SIZE}`,
    ]);
  });

  it('accepts 204 from delete', async () => {
    await expect(client().deleteTodo(5)).resolves.toBeUndefined();
  });

  it('turns error responses into ApiError with readable messages', async () => {
    await expect(client().createTodo('')).rejects.toEqual(new ApiError(422, 'Please check your input: title: Field required.'));
    await expect(client().updateTodo(9, { completed: true })).rejects.toMatchObject({ status: 404, message: 'Todo 9 not found' });
    await expect(client().chat('hi')).rejects.toMatchObject({ status: 503, message: UNAVAILABLE_MESSAGE, unavailable: true });
  });

  it('reports status 0 when our own server cannot be reached', async () => {
    const offline = createApiClient(() => fetch('http://127.0.0.1:9/'));
    await expect(offline.listTodos()).rejects.toMatchObject({ status: 0, message: UNAVAILABLE_MESSAGE });
  });
});

describe('Idempotency-Key on creates', () => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const recording = () => {
    const keys: Array<string | undefined> = [];
    const api = createApiClient(async (_path, init) => {
      keys.push((init?.headers as Record<string, string>)['idempotency-key']);
      return new Response(JSON.stringify({ id: 1 }), { status: 201 });
    });
    return { api, keys };
  };

  it('sends a fresh random UUID with every create, or the key it is given', async () => {
    const { api, keys } = recording();
    await api.createTodo('a');
    await api.createTodo('a');
    await api.createTodo('a', undefined, 'given-key');
    expect(keys[0]).toMatch(uuid);
    expect(keys[1]).toMatch(uuid);
    expect(keys[1]).not.toBe(keys[0]);
    expect(keys[2]).toBe('given-key');
  });

  it('sends a fresh key with every chat message too, or the key it is given', async () => {
    const { api, keys } = recording();
    await api.chat('add a');
    await api.chat('add a');
    await api.chat('add a', 'chat-key');
    expect(keys[0]).toMatch(uuid);
    expect(keys[1]).toMatch(uuid);
    expect(keys[1]).not.toBe(keys[0]);
    expect(keys[2]).toBe('chat-key');
  });

  it('builds the UUID from getRandomValues where randomUUID is missing (plain http on a host other than localhost)', () => {
    const randomUUID = globalThis.crypto.randomUUID;
    Object.defineProperty(globalThis.crypto, 'randomUUID', { value: undefined, configurable: true });
    try {
      const keys = new Set(Array.from({ length: 100 }, () => newIdempotencyKey()));
      expect(keys.size).toBe(100);
      for (const key of keys) expect(key).toMatch(uuid);
    } finally {
      Object.defineProperty(globalThis.crypto, 'randomUUID', { value: randomUUID, configurable: true });
    }
  });
});

describe('conditional updates', () => {
  it('sends If-Match with the quoted version and carries a 412 body with the current todo', async () => {
    const seen: Array<Record<string, string>> = [];
    const current = { id: 4, title: 'x', version: 5 };
    const api = createApiClient(async (_path, init) => {
      seen.push(init?.headers as Record<string, string>);
      return new Response(JSON.stringify({ detail: 'stale', current }), { status: 412 });
    });
    await expect(api.updateTodo(4, { completed: true }, 3)).rejects.toMatchObject({ status: 412, body: { current } });
    expect(seen[0]['if-match']).toBe('"3"');
    await expect(api.updateTodo(4, { completed: true })).rejects.toMatchObject({ status: 412 });
    expect(seen[1]['if-match']).toBeUndefined();
  });
});
