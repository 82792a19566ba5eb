import { DEFAULT_CHAT_TIMEOUT_MS } from './backend-config';
import type { ProxyOptions } from './proxy';

export interface ApiRoute {
  apiPath: string;
  options: ProxyOptions;
}

// A language model reply can take much longer than a CRUD call.
export const CHAT_OPTIONS: ProxyOptions = { timeoutEnvName: 'BACKEND_CHAT_TIMEOUT_MS', defaultTimeoutMs: DEFAULT_CHAT_TIMEOUT_MS };

/** The backend path for one todo; encoded so an id like "../chat" cannot reach another backend path. */
export function todoApiPath(id: string): string {
  return `/api/todos/${encodeURIComponent(id)}`;
}

/**
 * The proxied routes, exactly those under app/api (same paths, same methods), for the
 * server's fast path. Anything else returns null and is left to Next.js (404, 405, 308).
 */
export function matchApiRoute(method: string, pathname: string): ApiRoute | null {
  if (pathname === '/api/todos') return method === 'GET' || method === 'POST' ? { apiPath: '/api/todos', options: {} } : null;
  if (pathname === '/api/chat') return method === 'POST' ? { apiPath: '/api/chat', options: CHAT_OPTIONS } : null;
  const id = /^\/api\/todos\/([^/]+)$/.exec(pathname)?.[1];
  if (id === undefined || !['GET', 'PATCH', 'DELETE'].includes(method)) return null;
  try {
    return { apiPath: todoApiPath(decodeURIComponent(id)), options: {} };
  } catch {
    return null;
  }
}
