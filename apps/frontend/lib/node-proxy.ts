import type { IncomingMessage, ServerResponse } from 'node:http';
import { matchApiRoute } from './api-routes';
import { forwardToBackend } from './proxy';
import securityHeaders from './security-headers.json';
import { PAGE_MAX_BODY_BYTES } from './server-limits';

export { serverLimits } from './server-limits';
// The Retry-After of every 503 the server gives, serve.cjs's own included.
export { RETRY_AFTER_SECONDS } from './proxy';

function* headerPairs(req: IncomingMessage): Iterable<[string, string]> {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) yield [raw[i].toLowerCase(), raw[i + 1]];
}

/**
 * The server's fast path for the proxied /api routes: Node request in, Node response out,
 * through the same forwardToBackend as the route handlers. Next.js's app-route runtime
 * costs more CPU per request than the whole proxy; a pass-through needs none of it.
 * It also refuses a body sent to a page (413), which Next's Proxy would read into memory.
 * Returns false, touching nothing, when the request is Next's to answer.
 */
export async function serveApi(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const pathname = queryAt === -1 ? url : url.slice(0, queryAt);
  const route = matchApiRoute(req.method ?? 'GET', pathname);
  if (!route) {
    if (pathname.startsWith('/api/') || !hasPageBodyOverCap(req)) return false;
    const body = Buffer.from(JSON.stringify({ detail: 'This address takes no request body.', code: 'payload_too_large' }));
    res.writeHead(413, [
      ...Object.entries(securityHeaders),
      ['content-type', 'application/json'],
      ['cache-control', 'no-store'],
      ['content-length', String(body.byteLength)],
      ['connection', 'close'],
    ].flat());
    res.end(body);
    lingerThenClose(req);
    return true;
  }
  const declared = req.headers['content-length'];
  // A client that vanishes mid-body must not become an unhandled 'error' that stops the server.
  req.on('error', () => undefined);
  const result = await forwardToBackend(
    {
      method: req.method ?? 'GET',
      search: queryAt === -1 ? '' : url.slice(queryAt),
      headers: headerPairs(req),
      contentLength: declared === undefined ? null : Number(declared),
      // Left unread past the size cap; the connection then closes after a lingering drain (lingerThenClose).
      body: req.iterator({ destroyOnReturn: false }),
    },
    route.apiPath,
    route.options,
  );
  const headers: [string, string][] = [...Object.entries(securityHeaders), ...result.headers];
  const unread = !req.complete;
  if (unread) headers.push(['connection', 'close']);
  if (result.body) headers.push(['content-length', String(result.body.byteLength)]);
  res.writeHead(result.status, headers.flat());
  res.end(result.body);
  if (unread) lingerThenClose(req);
  return true;
}

/**
 * Whether a request Next would answer carries a body larger than pages take. The /api/ routes
 * Next answers itself (health, 404, 405) never read one (Node discards it after the answer);
 * a chunked body is of unknown size, so it counts as too large.
 */
function hasPageBodyOverCap(req: IncomingMessage): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  return Number(req.headers['content-length'] ?? 0) > PAGE_MAX_BODY_BYTES;
}

/**
 * After answering a body it refused (413), the server half-closes the connection and reads
 * and discards what the client is still sending, for a bounded time, before closing it
 * (the "lingering close" of RFC 9112 9.6, as nginx does it). Node's own handling of a
 * `Connection: close` answer destroys the socket as soon as the answer is written; with
 * unread bytes still arriving, the kernel then resets the connection, and the reset can
 * discard the answer before the client reads it.
 */
function lingerThenClose(req: IncomingMessage, lingerMs = 5_000): void {
  const socket = req.socket;
  socket.destroySoon = () => void socket.end();
  req.on('error', () => undefined);
  const timer = setTimeout(() => socket.destroy(), lingerMs);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
  req.resume();
}
