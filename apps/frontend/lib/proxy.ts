import { backendBaseUrl, backendTimeoutMs, buildBackendUrl, ConfigError } from './backend-config';

// Headers that describe one hop and must not be forwarded (RFC 9110 7.6.1),
// plus ones fetch recomputes from the body it actually sends or receives.
const HOP_HEADERS = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer',
  'host', 'content-length', 'content-encoding', 'accept-encoding',
]);

// Todo and chat payloads are a few hundred bytes; anything near this is abuse, not data.
export const MAX_BODY_BYTES = 256 * 1024;

export interface ProxyOptions {
  env?: Record<string, string | undefined>;
  timeoutEnvName?: string;
  defaultTimeoutMs?: number;
}

export function jsonError(status: number, code: string, detail: string): Response {
  return Response.json({ detail, code }, { status, headers: { 'cache-control': 'no-store' } });
}

function forwardHeaders(source: Headers): Headers {
  const out = new Headers();
  source.forEach((value, key) => {
    if (!HOP_HEADERS.has(key.toLowerCase())) out.set(key, value);
  });
  return out;
}

/**
 * Forwards a request to the backend and passes its status and body through.
 * Network failures become 502/503/504 JSON so the browser always gets a
 * machine-readable answer with a message a person can act on.
 */
export async function proxyToBackend(request: Request, apiPath: string, options: ProxyOptions = {}): Promise<Response> {
  const env = options.env ?? process.env;
  let target: URL;
  let timeoutMs: number;
  try {
    target = buildBackendUrl(backendBaseUrl(env), apiPath, new URL(request.url).search);
    timeoutMs = backendTimeoutMs(env, options.timeoutEnvName, options.defaultTimeoutMs);
  } catch (error) {
    if (error instanceof ConfigError) return jsonError(500, 'frontend_misconfigured', error.message);
    throw error;
  }

  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  const declared = Number(request.headers.get('content-length') ?? 0);
  const body = hasBody && declared <= MAX_BODY_BYTES ? await request.arrayBuffer() : undefined;
  if (declared > MAX_BODY_BYTES || (body?.byteLength ?? 0) > MAX_BODY_BYTES) {
    return jsonError(413, 'payload_too_large', `Request body is larger than ${MAX_BODY_BYTES} bytes; send a shorter title, description or message.`);
  }
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers: forwardHeaders(request.headers),
      body,
      signal: AbortSignal.timeout(timeoutMs),
      cache: 'no-store',
      redirect: 'manual',
    });
  } catch (error) {
    return mapFetchError(error, target, timeoutMs);
  }

  const headers = forwardHeaders(upstream.headers);
  headers.set('cache-control', 'no-store');
  const payload = upstream.status === 204 || upstream.status === 304 ? null : await upstream.arrayBuffer();
  return new Response(payload, { status: upstream.status, statusText: upstream.statusText, headers });
}

// The browser gets a generic message; the backend address is internal and goes to the server log only.
function mapFetchError(error: unknown, target: URL, timeoutMs: number): Response {
  const name = (error as { name?: string } | null)?.name;
  const cause = (error as { cause?: { code?: string; message?: string } } | null)?.cause;
  const code = cause?.code;
  const reason = code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  console.error(`backend request failed: ${target.href}: ${name === 'TimeoutError' ? `timeout after ${timeoutMs} ms` : reason}`);
  if (name === 'TimeoutError' || name === 'AbortError') {
    return jsonError(504, 'backend_timeout', `The todo service did not answer within ${timeoutMs} ms.`);
  }
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH') {
    return jsonError(503, 'backend_unavailable', `The todo service is unavailable (${code}).`);
  }
  return jsonError(502, 'backend_unreachable', `The todo service could not be reached (${reason}).`);
}
