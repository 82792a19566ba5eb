// How much a client may make the production server hold, and for how long. Read from the
// environment: serve.cjs checks them when it starts (a bad value stops it with one line
// naming the variable); the API proxy reads the body budget on its first request.
import { ConfigError } from './backend-config';

type Env = Record<string, string | undefined>;

/** Request bodies held at once across all requests; the container has 384 MiB (compose, Kubernetes) and Next itself uses ~100. */
export const DEFAULT_BODY_BUDGET_BYTES = 32 * 1024 * 1024;
/** Node's default is 60 s: long enough for thousands of half-sent headers to pile up. */
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
/** Node's default is 300 s. A todo body is a few hundred bytes; 256 KB in 30 s is under 9 KB/s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/**
 * Pages and the other routes Next.js serves take no request body (this app has no Server
 * Actions; its forms call /api). Next's Proxy would read up to 10 MB of one into memory.
 */
export const PAGE_MAX_BODY_BYTES = 0;
/**
 * Requests in progress at once (headers received, answer not finished), pages and API alike.
 * Each holds a little memory of its own (a page render far more than a proxied call), and the
 * body budget covers only bodies, so a flood of bodiless requests to slow pages is bounded here.
 * The same figure as the backend's MAX_CONNECTIONS.
 */
export const DEFAULT_MAX_REQUESTS_IN_FLIGHT = 256;

export interface ServerLimits {
  bodyBudgetBytes: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxRequestsInFlight: number;
}

function positiveInteger(env: Env, name: string, fallback: number, unit: string, example: string): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(`${name}: "${raw}" is not a positive whole number of ${unit}; e.g. ${name}=${example}`);
  }
  return value;
}

function bodyBudgetBytes(env: Env): number {
  return positiveInteger(env, 'REQUEST_BODY_BUDGET_BYTES', DEFAULT_BODY_BUDGET_BYTES, 'bytes', String(DEFAULT_BODY_BUDGET_BYTES));
}

export function serverLimits(env: Env = process.env): ServerLimits {
  const budget = bodyBudgetBytes(env);
  const headersTimeoutMs = positiveInteger(env, 'CLIENT_HEADERS_TIMEOUT_MS', DEFAULT_HEADERS_TIMEOUT_MS, 'milliseconds', String(DEFAULT_HEADERS_TIMEOUT_MS));
  const requestTimeoutMs = positiveInteger(env, 'CLIENT_REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, 'milliseconds', String(DEFAULT_REQUEST_TIMEOUT_MS));
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(
      `CLIENT_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed CLIENT_REQUEST_TIMEOUT_MS (${requestTimeoutMs}): the headers are part of the request`,
    );
  }
  const maxRequestsInFlight = positiveInteger(env, 'MAX_REQUESTS_IN_FLIGHT', DEFAULT_MAX_REQUESTS_IN_FLIGHT, 'requests', String(DEFAULT_MAX_REQUESTS_IN_FLIGHT));
  return { bodyBudgetBytes: budget, headersTimeoutMs, requestTimeoutMs, maxRequestsInFlight };
}

/** A count of bytes that may be held at once; `take` refuses what would pass the limit. */
export class ByteBudget {
  inUse = 0;
  constructor(readonly limit: number) {}

  take(bytes: number): boolean {
    if (this.inUse + bytes > this.limit) return false;
    this.inUse += bytes;
    return true;
  }

  give(bytes: number): void {
    this.inUse = Math.max(0, this.inUse - bytes);
  }
}

const BUDGET_KEY = Symbol.for('todo.frontend.bodyBudget');

/** The process's one budget for request bodies (shared by the fast path and the route handlers). */
export function bodyBudget(env: Env = process.env): ByteBudget {
  const holder = globalThis as { [BUDGET_KEY]?: ByteBudget };
  holder[BUDGET_KEY] ??= new ByteBudget(bodyBudgetBytes(env));
  return holder[BUDGET_KEY];
}
