// Entry point of the production server: `node serve.cjs` beside Next's standalone server.js.
//
// Next.js answers 500 to two kinds of request line a client controls, before any
// route handler runs: a method the Fetch API forbids (TRACE, TRACK, CONNECT make
// `new Request()` throw) and a path whose percent-encoding is not UTF-8 (`/api/todos/%ff`
// fails to decode). Both are the client's mistake, so they get a 4xx here, in front of
// Next's request listener. So does a request target that is not a path: `OPTIONS *`
// (Next: 500, "Invalid URL") or a scheme other than http(s). An absolute-form target
// (`GET http://host/path`, RFC 9112 3.2.2) is served as its path: handed to Next as it
// came, Next answered it with a 308 to the host it names, an open redirect.
//
// It also gives Next's server the client timeouts of serverOptions() (from the environment,
// lib/server-limits.ts); the API fast path holds request bodies within a byte budget and
// refuses bodies sent to pages, which Next's Proxy would read into memory.
//
// HTTP/1.0 has no chunked framing; a 1.0 request that declares Transfer-Encoding is
// answered and its connection then closed (RFC 9112 6.1), as the backend does.
//
// The proxied /api routes (the same paths and methods as app/api) are answered here by
// server-lib/lib/node-proxy.js, compiled from lib/node-proxy.ts by `npm run build`: the
// route handlers share its code, but Next's app-route runtime costs more CPU per request
// than the whole proxy. Everything else goes to Next unchanged.
'use strict';

const http = require('node:http');

const CLOSING = Symbol('connection closes after the current answer');
const FORBIDDEN_METHODS = new Set(['TRACE', 'TRACK', 'CONNECT']);

/**
 * The origin-form (path and query) of a request target, or null when it has none:
 * `/path?q` as it is, `http(s)://authority/path?q` as its path and query (the authority is
 * ignored: this server serves only itself), anything else (`*`, `ftp://...`, garbage) null.
 */
function originForm(target) {
  if (target.startsWith('/')) return target;
  if (!/^https?:\/\//i.test(target)) return null;
  try {
    const url = new URL(target);
    return url.pathname + url.search;
  } catch {
    return null;
  }
}

function rejection(req) {
  if (FORBIDDEN_METHODS.has(req.method)) {
    return { status: 405, code: 'method_not_allowed', detail: `Method ${req.method} is not allowed; use GET, POST, PATCH or DELETE.` };
  }
  const url = originForm(req.url || '/');
  if (url === null) {
    return { status: 400, code: 'bad_request_target', detail: 'The request target must be a path such as /api/todos.' };
  }
  const queryAt = url.indexOf('?');
  try {
    decodeURIComponent(queryAt === -1 ? url : url.slice(0, queryAt));
  } catch {
    return { status: 400, code: 'bad_path', detail: 'The request path is not valid percent-encoded UTF-8.' };
  }
  return null;
}

function answer(res, status, code, detail, extraHeaders = {}) {
  const body = JSON.stringify({ detail, code });
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extraHeaders,
  });
  res.end(body);
}

/**
 * A request with a body is bound by the body budget and CLIENT_REQUEST_TIMEOUT_MS while it is
 * sent, not by the count of requests in flight: a few hundred clients trickling small bodies
 * must not fill the slots every bodiless request (a page, a GET) needs.
 */
const hasBody = (req) => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] || 0) > 0;

/** The health check answers whatever the load: a busy server is not a dead one. */
const isHealthCheck = (req) => {
  const url = originForm(req.url || '/') || '';
  return url === '/api/health' || url.startsWith('/api/health?');
};

const SLOTS = Symbol('releases of the slots held by requests on this connection');

/**
 * Calls `release` once, when the answer ends or its connection closes, whichever comes first. An
 * answer to a request pipelined behind another waits in Node's queue for the connection; if the
 * client hangs up first, the queued answer never gets the socket and never emits 'close', and its
 * slot was lost for good (a few such clients left every page and GET at 503, the health check at 200).
 */
function holdSlot(socket, res, release) {
  let held = true;
  const done = () => {
    if (!held) return;
    held = false;
    socket[SLOTS].delete(done);
    release();
  };
  if (!socket[SLOTS]) {
    socket[SLOTS] = new Set();
    socket.once('close', () => {
      for (const each of socket[SLOTS]) each();
    });
  }
  socket[SLOTS].add(done);
  res.once('close', done);
}

/**
 * Wraps Next's request listener: bad request lines get a 4xx, proxied API routes go to `serveApi`,
 * the rest to Next. At most `maxRequestsInFlight` bodiless requests are in progress at once; past
 * that one gets 503 with `Retry-After: retryAfterSeconds` (given with the cap) at once.
 */
function guard(listener, serveApi, { maxRequestsInFlight = Infinity, retryAfterSeconds } = {}) {
  let inFlight = 0;
  return function guardedListener(req, res) {
    // A request pipelined behind one that closes the connection is not run.
    if (req.socket[CLOSING]) return void req.resume();
    if (!hasBody(req)) {
      if (inFlight >= maxRequestsInFlight && !isHealthCheck(req)) {
        return answer(res, 503, 'frontend_busy', 'The server has too many requests in progress; try again in a moment.', { 'retry-after': retryAfterSeconds });
      }
      inFlight += 1;
      holdSlot(req.socket, res, () => (inFlight -= 1));
    }
    if (req.httpVersion === '1.0' && req.headers['transfer-encoding'] !== undefined) {
      res.shouldKeepAlive = false;
      req.socket[CLOSING] = true;
    }
    const problem = rejection(req);
    if (!problem) {
      req.url = originForm(req.url || '/');
      serveApi(req, res).then(
        (served) => {
          if (!served) listener.call(this, req, res);
        },
        (error) => {
          console.error(`api fast path failed: ${req.method} ${req.url}: ${error && error.stack ? error.stack : error}`);
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ detail: 'The frontend server failed; try again.', code: 'frontend_error' }));
        },
      );
      return;
    }
    answer(res, problem.status, problem.code, problem.detail);
  };
}

/**
 * Options for the server Next creates: a client gets `headersTimeout` to send its headers and
 * `requestTimeout` for the whole request, body included, after which Node answers 408 and closes
 * the connection (Node's defaults: 60 s and 300 s, checked every 30 s). Neither runs while the
 * answer is being prepared: a slow backend call is bounded by BACKEND_TIMEOUT_MS instead.
 */
function serverOptions(limits) {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
  };
}

module.exports = { guard, originForm, rejection, serverOptions };

if (require.main === module) {
  const { serveApi, serverLimits, RETRY_AFTER_SECONDS } = require('./server-lib/lib/node-proxy.js');
  let limits;
  try {
    limits = serverLimits(process.env);
  } catch (error) {
    console.error(`frontend: ${error.message}`);
    process.exit(1);
  }
  const createServer = http.createServer;
  http.createServer = function createGuardedServer(...args) {
    const at = args.findIndex((arg) => typeof arg === 'function');
    if (at !== -1) args[at] = guard(args[at], serveApi, { ...limits, retryAfterSeconds: RETRY_AFTER_SECONDS });
    const options = typeof args[0] === 'object' && args[0] !== null ? args.shift() : {};
    return createServer.call(this, { ...serverOptions(limits), ...options }, ...args);
  };
  require('./server.js');
}
