// Server-only: the backend location is read per request from the process
// environment so one built image runs unchanged in compose and Kubernetes.

export const DEFAULT_BACKEND_URL = 'http://127.0.0.1:8000';
export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_CHAT_TIMEOUT_MS = 60_000;

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

export function backendBaseUrl(env: Env = process.env): URL {
  const raw = env.BACKEND_URL?.trim() || DEFAULT_BACKEND_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(
      `BACKEND_URL: "${raw}" is not a valid URL; set it to the backend's base URL, e.g. http://backend:8000`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(
      `BACKEND_URL: protocol "${url.protocol}" is not supported; use http:// or https://, e.g. http://backend:8000`,
    );
  }
  if (url.search || url.hash) {
    throw new ConfigError(`BACKEND_URL: "${raw}" must not contain a query or fragment; use only scheme, host, port and optional path`);
  }
  return url;
}

export function backendTimeoutMs(env: Env = process.env, name = 'BACKEND_TIMEOUT_MS', fallback = DEFAULT_TIMEOUT_MS): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigError(`${name}: "${raw}" is not a positive whole number of milliseconds; e.g. ${name}=10000`);
  }
  return value;
}

/** Joins the backend base (which may carry a path prefix) with an API path and query string. */
export function buildBackendUrl(base: URL, apiPath: string, search = ''): URL {
  if (!apiPath.startsWith('/')) throw new Error(`apiPath must start with "/": ${apiPath}`);
  const prefix = base.pathname.replace(/\/+$/, '');
  const target = new URL(base.href);
  target.pathname = prefix + apiPath;
  target.search = search;
  return target;
}
