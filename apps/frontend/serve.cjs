// Entry point of the production server: `node serve.cjs` beside Next's standalone server.js.
//
// Next.js answers 500 to two kinds of request line a client controls, before any
// route handler runs: a method the Fetch API forbids (TRACE, TRACK, CONNECT make
// `new Request()` throw) and a path whose percent-encoding is not UTF-8 (`/api/todos/%ff`
// fails to decode). Both are the client's mistake, so they get a 4xx here, in front of
// Next's request listener.
//
// The proxied /api routes (the same paths and methods as app/api) are answered here by
// server-lib/lib/node-proxy.js, compiled from lib/node-proxy.ts by `npm run build`: the
// route handlers share its code, but Next's app-route runtime costs more CPU per request
// than the whole proxy. Everything else goes to Next unchanged.
'use strict';

const http = require('node:http');

const FORBIDDEN_METHODS = new Set(['TRACE', 'TRACK', 'CONNECT']);

function rejection(req) {
  if (FORBIDDEN_METHODS.has(req.method)) {
    return { status: 405, code: 'method_not_allowed', detail: `Method ${req.method} is not allowed; use GET, POST, PATCH or DELETE.` };
  }
  const url = req.url || '/';
  const queryAt = url.indexOf('?');
  try {
    decodeURIComponent(queryAt === -1 ? url : url.slice(0, queryAt));
  } catch {
    return { status: 400, code: 'bad_path', detail: 'The request path is not valid percent-encoded UTF-8.' };
  }
  return null;
}

/** Wraps Next's request listener: bad request lines get a 4xx, proxied API routes go to `serveApi`, the rest to Next. */
function guard(listener, serveApi) {
  return function guardedListener(req, res) {
    const problem = rejection(req);
    if (!problem) {
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
    const body = JSON.stringify({ detail: problem.detail, code: problem.code });
    res.writeHead(problem.status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(body);
  };
}

module.exports = { guard, rejection };

if (require.main === module) {
  const { serveApi } = require('./server-lib/lib/node-proxy.js');
  const createServer = http.createServer;
  http.createServer = function createGuardedServer(...args) {
    const at = args.findIndex((arg) => typeof arg === 'function');
    if (at !== -1) args[at] = guard(args[at], serveApi);
    return createServer.apply(this, args);
  };
  require('./server.js');
}
