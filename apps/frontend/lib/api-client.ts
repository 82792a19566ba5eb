import { ApiError, errorMessage } from './errors';
import type { ChatReply, Todo, TodoApi, TodoPage, TodoPatch } from './types';

export const PAGE_SIZE = 100;
// Guards against a backend whose `total` keeps growing while we page.
const MAX_PAGES = 50;

/** Same-origin paths only: the server decides where the backend lives. */
export function todosPath(params: { limit?: number; offset?: number; completed?: boolean } = {}): string {
  const query = new URLSearchParams();
  if (params.limit !== undefined) query.set('limit', String(params.limit));
  if (params.offset !== undefined) query.set('offset', String(params.offset));
  if (params.completed !== undefined) query.set('completed', String(params.completed));
  const qs = query.toString();
  return qs ? `/api/todos?${qs}` : '/api/todos';
}

export function todoPath(id: number): string {
  return `/api/todos/${encodeURIComponent(String(id))}`;
}

/**
 * A random UUID for an Idempotency-Key. crypto.randomUUID exists only in a secure context
 * (https or localhost); the app may be served over plain http on another host, where
 * crypto.getRandomValues still exists, so the same version-4 UUID is built from it there.
 */
export function newIdempotencyKey(): string {
  if (typeof globalThis.crypto.randomUUID === 'function') return globalThis.crypto.randomUUID();
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export function createApiClient(fetchImpl: FetchLike = (input, init) => fetch(input, init)): TodoApi {
  async function request<T>(path: string, init: RequestInit = {}, extraHeaders: Record<string, string> = {}): Promise<T> {
    let response: Response;
    try {
      const headers: Record<string, string> = init.body ? { 'content-type': 'application/json', accept: 'application/json' } : { accept: 'application/json' };
      response = await fetchImpl(path, { ...init, headers: { ...headers, ...extraHeaders }, cache: 'no-store' });
    } catch {
      // The browser could not reach our own server at all.
      throw new ApiError(0, errorMessage(0, null));
    }
    const body = await readJson(response);
    if (!response.ok) throw new ApiError(response.status, errorMessage(response.status, body), body);
    return body as T;
  }

  return {
    async listTodos() {
      const all: Todo[] = [];
      for (let page = 0; page < MAX_PAGES; page += 1) {
        const result = await request<TodoPage>(todosPath({ limit: PAGE_SIZE, offset: all.length }));
        all.push(...result.items);
        if (result.items.length === 0 || all.length >= result.total) break;
      }
      return all;
    },
    createTodo(title, description, idempotencyKey = newIdempotencyKey()) {
      const payload = description ? { title, description } : { title };
      return request<Todo>('/api/todos', { method: 'POST', body: JSON.stringify(payload) }, { 'idempotency-key': idempotencyKey });
    },
    updateTodo(id, patch: TodoPatch, version?: number) {
      // The backend's ETag is the version in quotes; If-Match turns a lost update into a 412.
      const ifMatch: Record<string, string> = version === undefined ? {} : { 'if-match': `"${version}"` };
      return request<Todo>(todoPath(id), { method: 'PATCH', body: JSON.stringify(patch) }, ifMatch);
    },
    async deleteTodo(id) {
      await request<null>(todoPath(id), { method: 'DELETE' });
    },
    chat(message, idempotencyKey = newIdempotencyKey()) {
      return request<ChatReply>('/api/chat', { method: 'POST', body: JSON.stringify({ message }) }, { 'idempotency-key': idempotencyKey });
    },
  };
}
