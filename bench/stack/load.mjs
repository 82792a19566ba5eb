#!/usr/bin/env node
// Bounded load on a running stack: N runs of autocannon against one URL, median req/s and p99.
//   node bench/stack/load.mjs <url> [--runs 3] [--duration 10] [--connections 10] [--json]
// Exit 1 when any request errored, timed out or answered non-2xx: a fast error is not throughput.
import autocannon from 'autocannon';

const argv = process.argv.slice(2);
const url = argv.find((a) => /^https?:\/\//.test(a));
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const v = Number(argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) fail(`--${name} needs a positive integer, got "${argv[i + 1]}"`);
  return v;
};
function fail(msg) {
  console.error(`load: ${msg}`);
  process.exit(2);
}
if (!url) fail('usage: load.mjs <http(s)://url> [--runs 3] [--duration 10] [--connections 10] [--json]');
const runs = opt('runs', 3);
const duration = opt('duration', 10);
const connections = opt('connections', 10);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const results = [];
for (let i = 0; i < runs; i++) {
  const r = await autocannon({ url, connections, duration, timeout: 10 });
  results.push({
    rps: r.requests.average,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
  });
}
const summary = {
  url,
  runs,
  duration,
  connections,
  medianRps: median(results.map((r) => r.rps)),
  medianP99Ms: median(results.map((r) => r.p99Ms)),
  totalRequests: results.reduce((n, r) => n + r.requests, 0),
  failed: results.reduce((n, r) => n + r.errors + r.timeouts + r.non2xx, 0),
  results,
};
if (argv.includes('--json')) console.log(JSON.stringify(summary));
else {
  for (const [i, r] of results.entries()) console.log(`  run ${i + 1}: ${r.rps.toFixed(1)} req/s, p99 ${r.p99Ms} ms, ${r.requests} requests, ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx`);
  console.log(`${url}: median ${summary.medianRps.toFixed(1)} req/s, median p99 ${summary.medianP99Ms} ms over ${runs} x ${duration} s at concurrency ${connections}`);
}
if (summary.totalRequests === 0 || summary.failed > 0) {
  console.error(`load: ${url}: ${summary.failed} failed of ${summary.totalRequests} requests`);
  process.exit(1);
}
