#!/usr/bin/env node
// p99 of ordinary GET /api/todos on a running stack, quiet and while slow clients hold connections
// (slowloris: half trickle their headers, half a declared body, a few bytes a second; each one the
// server closes is opened again). Through the frontend and direct to the backend; medians over --runs.
//   node bench/stack/slow-clients.mjs [--frontend http://127.0.0.1:3000] [--backend http://127.0.0.1:8000]
//        [--runs 3] [--duration 10] [--connections 10] [--slow 300] [--body-bytes 60000] [--json]
// Loopback targets only. Issue 18's target: p99 during 300 slow connections <= 2x the quiet figure.
import autocannon from 'autocannon';
import { connect } from 'node:net';

const argv = process.argv.slice(2);
function fail(msg) {
  console.error(`slow-clients: ${msg}`);
  process.exit(2);
}
const num = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) fail(`--${name} needs a positive integer, got "${argv[i + 1]}"`);
  return v;
};
const str = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? dflt : argv[i + 1];
};
const runs = num('runs', 3);
const duration = num('duration', 10);
const connections = num('connections', 10);
const slowCount = num('slow', 300);
// The Content-Length the body-trickling half declares. Over a server's body limit (the backend's
// MAX_BODY_BYTES is 64 KiB) the server refuses it at once and the client reconnects every 50 ms:
// that measures a connection flood, not slow bodies. The default (60000) is under both servers' limits.
const bodyBytes = num('body-bytes', 60000);
if (slowCount > 5000) fail('--slow is at most 5000');
const targets = { frontend: str('frontend', 'http://127.0.0.1:3000'), backend: str('backend', 'http://127.0.0.1:8000') };
for (const [name, base] of Object.entries(targets)) {
  let u;
  try {
    u = new URL(base);
  } catch {
    fail(`--${name} is not a URL: ${base}`);
  }
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) fail(`--${name} must be a loopback address, got ${u.hostname}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Keeps `count` slow connections open to `base` until stop(); reports how many were opened and closed by the server. */
function slowloris(base, count) {
  const { hostname, port } = new URL(base);
  const host = hostname.replace(/^\[|\]$/g, '');
  const sockets = new Set();
  let opened = 0;
  let closedByServer = 0;
  let stopped = false;
  const open = (i) => {
    if (stopped) return;
    opened++;
    const s = connect(Number(port), host);
    s.on('error', () => undefined);
    s.on('data', () => undefined);
    sockets.add(s);
    const body = i % 2 === 1;
    s.write(body ? `POST /api/todos HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: ${bodyBytes}\r\n\r\n{"title":"` : 'GET /api/todos HTTP/1.1\r\nHost: bench\r\n');
    const tick = setInterval(() => s.writable && s.write(body ? 'aaaa' : `X-Slow-${opened}: 1\r\n`), 1000);
    s.on('close', () => {
      clearInterval(tick);
      sockets.delete(s);
      if (!stopped) {
        closedByServer++;
        setTimeout(() => open(i), 50); // slowloris opens another
      }
    });
  };
  for (let i = 0; i < count; i++) open(i);
  return {
    stop() {
      stopped = true;
      for (const s of sockets) s.destroy();
    },
    figures: () => ({ opened, closedByServer, open: sockets.size }),
  };
}

async function load(url) {
  const r = await autocannon({ url, connections, duration, timeout: 10 });
  return { p99Ms: r.latency.p99, rps: r.requests.average, requests: r.requests.total, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

const results = { frontend: [], backend: [] };
for (let run = 1; run <= runs; run++) {
  for (const [name, base] of Object.entries(targets)) {
    const url = `${base}/api/todos`;
    const quiet = await load(url);
    const slow = slowloris(base, slowCount);
    await sleep(1000); // let them all connect and start trickling
    const during = await load(url);
    const loris = slow.figures();
    slow.stop();
    await sleep(1000);
    results[name].push({ quiet, during, loris });
    console.error(
      `run ${run} ${name}: p99 quiet ${quiet.p99Ms} ms, with ${slowCount} slow ${during.p99Ms} ms; ` +
        `req/s ${quiet.rps.toFixed(0)} -> ${during.rps.toFixed(0)}; errors ${quiet.errors}/${during.errors}, non-2xx ${quiet.non2xx}/${during.non2xx}; ` +
        `slow connections opened ${loris.opened}, closed by the server ${loris.closedByServer}`,
    );
  }
}

const summary = {};
for (const [name, rs] of Object.entries(results)) {
  const quietP99 = median(rs.map((r) => r.quiet.p99Ms));
  const slowP99 = median(rs.map((r) => r.during.p99Ms));
  summary[name] = {
    runs: rs.length,
    medianP99QuietMs: quietP99,
    medianP99SlowMs: slowP99,
    ratio: Number((slowP99 / Math.max(quietP99, 1)).toFixed(2)),
    medianRpsQuiet: Number(median(rs.map((r) => r.quiet.rps)).toFixed(1)),
    medianRpsSlow: Number(median(rs.map((r) => r.during.rps)).toFixed(1)),
    errorsSlow: rs.reduce((n, r) => n + r.during.errors, 0),
    non2xxSlow: rs.reduce((n, r) => n + r.during.non2xx, 0),
    slowClosedByServer: rs.reduce((n, r) => n + r.loris.closedByServer, 0),
  };
}
if (argv.includes('--json')) console.log(JSON.stringify({ slow: slowCount, connections, duration, ...summary }));
else
  for (const [name, s] of Object.entries(summary))
    console.log(
      `${name}: p99 ${s.medianP99QuietMs} ms quiet, ${s.medianP99SlowMs} ms with ${slowCount} slow connections (x${s.ratio}, target <= 2); ` +
        `req/s ${s.medianRpsQuiet} -> ${s.medianRpsSlow}; during: ${s.errorsSlow} errors, ${s.non2xxSlow} non-2xx; medians of ${s.runs} runs`,
    );
