import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { backendBaseUrl, backendTimeoutMs, buildBackendUrl, ConfigError } from './backend-config';
import { bodyBudget, type ByteBudget } from './server-limits';

// Headers that describe one hop and must not be forwarded (RFC 9110 7.6.1),
// plus ones recomputed from the body actually sent or received. `Expect: 100-continue`
// was answered by this server before it read the body (undici refuses to send it at all).
const HOP_HEADERS = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer',
  'host', 'content-length', 'content-encoding', 'accept-encoding', 'expect',
]);

// Todo and chat payloads are a few hundred bytes; anything near this is abuse, not data.
export const MAX_BODY_BYTES = 256 * 1024;

// Safe to send twice (RFC 9110 9.2.2): a request that may have reached the backend is retried only for these.
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);
// A pooled socket the backend closed while it sat idle: the request never got an answer from a live peer.
const DEAD_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
// No connection was made (refused, no address, no route, connect timeout): nothing was sent, so
// sending again is harmless whatever the method. A stopped container is ENOTFOUND/EAI_AGAIN in
// compose (its name leaves the DNS), ECONNREFUSED or a connect timeout elsewhere.
const NOT_CONNECTED_CODES = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'UND_ERR_CONNECT_TIMEOUT',
]);
// A connection that broke while the request was on it: the backend may have acted on it.
const BROKEN_CODES = new Set([...DEAD_SOCKET_CODES, 'ETIMEDOUT']);
export const RETRY_AFTER_SECONDS = '2';

/**
 * One keep-alive pool per server process. A fresh TCP connection per request
 * costs more than the backend call itself on a busy machine. The idle timeout
 * stays below uvicorn's 5 s keep-alive so the client, not the server, closes
 * idle sockets and a request rarely lands on one being closed.
 */
const POOL_KEY = Symbol.for('todo.frontend.backendPool');
function pool(): Dispatcher {
  const holder = globalThis as { [POOL_KEY]?: Dispatcher };
  holder[POOL_KEY] ??= new Agent({ keepAliveTimeout: 4_000, keepAliveMaxTimeout: 4_000, connections: 32 });
  return holder[POOL_KEY];
}

export interface ProxyOptions {
  env?: Record<string, string | undefined>;
  timeoutEnvName?: string;
  defaultTimeoutMs?: number;
}

/** What the proxy needs from an incoming request, whether it came as a web Request or a Node IncomingMessage. */
export interface ProxyRequest {
  method: string;
  /** The query string including "?", or "". */
  search: string;
  headers: Iterable<[string, string]>;
  /** Declared Content-Length, if any. */
  contentLength: number | null;
  body: AsyncIterable<Uint8Array> | null;
}

export interface ProxyResponse {
  status: number;
  headers: [string, string][];
  body: Uint8Array | null;
}

type BodyRead = { body: Buffer | undefined } | { tooLarge: true } | { busy: true } | { clientGone: true; received: number };

/**
 * Reads at most MAX_BODY_BYTES of the request body, chunk by chunk, and stops
 * as soon as the cap is passed: a chunked upload with no Content-Length is
 * never held whole in memory. Each body also holds its bytes (the declared
 * Content-Length up front, chunked bodies as they arrive) from the process's
 * budget, which bounds the sum over all requests; `held` is what the caller
 * gives back once the body is no longer needed.
 */
async function readCapped(body: AsyncIterable<Uint8Array> | null, declared: number | null, budget: ByteBudget, held: { bytes: number }): Promise<BodyRead> {
  if (!body) return { body: undefined };
  const hold = (bytes: number) => {
    if (bytes <= held.bytes) return true;
    if (!budget.take(bytes - held.bytes)) return false;
    held.bytes = bytes;
    return true;
  };
  if (declared && !hold(declared)) return { busy: true };
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      size += chunk.byteLength;
      // Leaving the loop early cancels the stream: nothing more is read.
      if (size > MAX_BODY_BYTES) return { tooLarge: true };
      if (!hold(size)) return { busy: true };
      chunks.push(chunk);
    }
  } catch {
    // The client closed the connection before its body was complete: nobody is left to answer.
    return { clientGone: true, received: size };
  }
  return { body: Buffer.concat(chunks, size) };
}

/**
 * A redirect from the backend names the backend's own address (http://backend:8000/...),
 * which the browser can neither reach nor should learn. Same-origin targets become
 * paths on this server, where the same /api/... route answers.
 */
function publicLocation(location: string, target: URL, base: URL): string {
  let resolved: URL;
  try {
    resolved = new URL(location, target);
  } catch {
    return '/';
  }
  if (resolved.origin !== base.origin) return location;
  const prefix = base.pathname.replace(/\/+$/, '');
  const path = prefix && resolved.pathname.startsWith(`${prefix}/`) ? resolved.pathname.slice(prefix.length) : resolved.pathname;
  return path + resolved.search + resolved.hash;
}

function responseHeaders(raw: Record<string, string | string[] | undefined>, target: URL, base: URL): [string, string][] {
  const out: [string, string][] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined || HOP_HEADERS.has(key) || key === 'cache-control') continue;
    if (key === 'location' || key === 'content-location') out.push([key, publicLocation(String(value), target, base)]);
    else if (Array.isArray(value)) for (const item of value) out.push([key, item]);
    else out.push([key, value]);
  }
  out.push(['cache-control', 'no-store']);
  return out;
}

function errorResponse(status: number, code: string, detail: string, extra: [string, string][] = []): ProxyResponse {
  return {
    status,
    headers: [['content-type', 'application/json'], ['cache-control', 'no-store'], ...extra],
    body: Buffer.from(JSON.stringify({ detail, code })),
  };
}

const BUSY = () =>
  errorResponse(503, 'frontend_busy', 'The server is receiving too much data at once; try again in a moment.', [['retry-after', RETRY_AFTER_SECONDS]]);

const TOO_LARGE = () =>
  errorResponse(413, 'payload_too_large', `Request body is larger than ${MAX_BODY_BYTES} bytes; send a shorter title, description or message.`);

/**
 * Forwards a request to the backend over a pooled keep-alive connection and passes
 * status, headers (ETag and If-Match included) and body through. Network failures
 * become 502/503/504 JSON so the browser always gets a machine-readable answer
 * with a message a person can act on.
 */
export async function forwardToBackend(incoming: ProxyRequest, apiPath: string, options: ProxyOptions = {}): Promise<ProxyResponse> {
  const env = options.env ?? process.env;
  let base: URL;
  let target: URL;
  let timeoutMs: number;
  let budget: ByteBudget;
  try {
    budget = bodyBudget(env);
    base = backendBaseUrl(env);
    target = buildBackendUrl(base, apiPath, incoming.search);
    timeoutMs = backendTimeoutMs(env, options.timeoutEnvName, options.defaultTimeoutMs);
  } catch (error) {
    if (error instanceof ConfigError) return errorResponse(500, 'frontend_misconfigured', error.message);
    throw error;
  }

  // The body's bytes stay held until the backend has answered (undici may still be sending them).
  const held = { bytes: 0 };
  try {
    return await forwardHolding(incoming, target, base, timeoutMs, apiPath, budget, held);
  } finally {
    budget.give(held.bytes);
  }
}

async function forwardHolding(
  incoming: ProxyRequest,
  target: URL,
  base: URL,
  timeoutMs: number,
  apiPath: string,
  budget: ByteBudget,
  held: { bytes: number },
): Promise<ProxyResponse> {
  const method = incoming.method;
  let body: Buffer | undefined;
  if (method !== 'GET' && method !== 'HEAD') {
    if ((incoming.contentLength ?? 0) > MAX_BODY_BYTES) return TOO_LARGE();
    const read = await readCapped(incoming.body, incoming.contentLength, budget, held);
    if ('tooLarge' in read) return TOO_LARGE();
    if ('busy' in read) return BUSY();
    if ('clientGone' in read) {
      // An everyday event on the internet, not a fault of this server: one line, no stack.
      const of = incoming.contentLength === null ? '' : ` of ${incoming.contentLength}`;
      console.error(`client went away: ${method} ${apiPath} after ${read.received}${of} body bytes`);
      return errorResponse(400, 'incomplete_body', 'The request body ended before it was complete.');
    }
    body = read.body;
  }

  const headers: Record<string, string> = {};
  for (const [key, value] of incoming.headers) if (!HOP_HEADERS.has(key)) headers[key] = value;
  const send = () =>
    undiciRequest(target, {
      dispatcher: pool(),
      method: method as Dispatcher.HttpMethod,
      headers,
      body,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });

  try {
    let upstream: Dispatcher.ResponseData;
    try {
      upstream = await send();
    } catch (error) {
      // Only a dead pooled socket is worth one more try, and only when sending twice is harmless.
      if (!IDEMPOTENT.has(method) || !DEAD_SOCKET_CODES.has(errorCode(error) ?? '')) throw error;
      upstream = await send();
    }
    const outHeaders = responseHeaders(upstream.headers, target, base);
    if (upstream.statusCode === 204 || upstream.statusCode === 304 || method === 'HEAD') {
      await upstream.body.dump();
      return { status: upstream.statusCode, headers: outHeaders, body: null };
    }
    return { status: upstream.statusCode, headers: outHeaders, body: Buffer.from(await upstream.body.arrayBuffer()) };
  } catch (error) {
    return mapBackendError(error, target, timeoutMs, IDEMPOTENT.has(method) || Boolean(headers['idempotency-key']?.trim()));
  }
}

/** The route-handler side: a web Request in, a web Response out. */
export async function proxyToBackend(request: Request, apiPath: string, options: ProxyOptions = {}): Promise<Response> {
  const queryAt = request.url.indexOf('?');
  const declared = request.headers.get('content-length');
  const result = await forwardToBackend(
    {
      method: request.method,
      search: queryAt === -1 ? '' : request.url.slice(queryAt),
      headers: request.headers,
      contentLength: declared === null ? null : Number(declared),
      body: request.body as AsyncIterable<Uint8Array> | null,
    },
    apiPath,
    options,
  );
  return new Response(result.body as BodyInit | null, { status: result.status, headers: result.headers });
}

function errorCode(error: unknown): string | undefined {
  const e = error as { code?: string; cause?: { code?: string } } | null;
  return e?.code ?? e?.cause?.code;
}

/**
 * The browser gets a generic message; the backend address is internal and goes to the server log only.
 *
 * 503 with Retry-After means "send it again": given when the backend could not be reached and a
 * retry cannot apply a write twice, that is when no connection was made (nothing was sent), or
 * when the request is idempotent (GET, HEAD, PUT, DELETE, OPTIONS) or carries an Idempotency-Key
 * the backend deduplicates by. A POST or PATCH without a key whose connection broke after it was
 * sent may have been applied: 502 without Retry-After, so that no client repeats it blindly.
 * A backend that accepted the request but did not answer in time: 503 with Retry-After where a retry is
 * safe as above, else 504 (the backend may still apply it).
 */
function mapBackendError(error: unknown, target: URL, timeoutMs: number, retrySafe: boolean): ProxyResponse {
  const code = errorCode(error);
  const timedOut = code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
  const reason = code ?? (error instanceof Error ? error.message : String(error));
  console.error(`backend request failed: ${target.href}: ${timedOut ? `timeout after ${timeoutMs} ms` : reason}`);
  if (timedOut) {
    const detail = `The todo service did not answer within ${timeoutMs} ms.`;
    // A hung or frozen backend may still act on the request: only where that cannot apply a write twice is a retry asked for.
    return retrySafe
      ? errorResponse(503, 'backend_timeout', detail, [['retry-after', RETRY_AFTER_SECONDS]])
      : errorResponse(504, 'backend_timeout', detail);
  }
  const notConnected = NOT_CONNECTED_CODES.has(code ?? '');
  if (notConnected || (retrySafe && BROKEN_CODES.has(code ?? ''))) {
    return errorResponse(503, 'backend_unavailable', `The todo service is unavailable (${code}).`, [['retry-after', RETRY_AFTER_SECONDS]]);
  }
  if (BROKEN_CODES.has(code ?? '')) {
    return errorResponse(502, 'backend_unreachable', `The connection to the todo service broke (${code}); the change may or may not have been saved.`);
  }
  return errorResponse(502, 'backend_unreachable', `The todo service could not be reached (${reason}).`);
}
