import type { IncomingMessage, ServerResponse } from 'node:http';
import { matchApiRoute } from './api-routes';
import { forwardToBackend } from './proxy';
import securityHeaders from './security-headers.json';

function* headerPairs(req: IncomingMessage): Iterable<[string, string]> {
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) yield [raw[i].toLowerCase(), raw[i + 1]];
}

/**
 * The server's fast path for the proxied /api routes: Node request in, Node response out,
 * through the same forwardToBackend as the route handlers. Next.js's app-route runtime
 * costs more CPU per request than the whole proxy; a pass-through needs none of it.
 * Returns false, touching nothing, when the request is not a proxied route.
 */
export async function serveApi(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const route = matchApiRoute(req.method ?? 'GET', queryAt === -1 ? url : url.slice(0, queryAt));
  if (!route) return false;
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
