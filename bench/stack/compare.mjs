#!/usr/bin/env node
// Side-by-side stack bench: the compose file of a base commit (its images) against the
// working tree's, one after the other on the same machine in one run, with ratios.
//   node bench/stack/compare.mjs [--base <git rev>] [--runs 3] [--rounds 1] [--duration 10] [--only base|new] [--load-only]
// Per variant: cold `up` (new volume) and warm `up` (volume kept) to all healthy, then on the
// running stack: GET /api/todos on the backend (c=10), the same through the frontend,
// POST->PATCH->DELETE cycles through the frontend (c=10; from wrk, then from a node:http client),
// and 50 parallel PATCHes of one todo.
// Figures are medians of --runs runs. The stacks bind the compose file's fixed host ports, so
// run this under the shared lock (bench/stack/run.sh --compare does).
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { COMPOSE, DOCKER, checkoutOf, describe, ensureBuilt, missingImages, planOf } from './images.mjs';

const argv = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i < 0 ? dflt : argv[i + 1];
};
const base = arg('base', 'HEAD~1');
const runs = Number(arg('runs', 3));
const duration = Number(arg('duration', 10));
const only = arg('only', '');
// --load-only: one plain `up`, no cold/warm timing (quicker re-runs of the load figures).
const loadOnly = argv.includes('--load-only');
// --prepare: build what the engine lacks for both revisions and stop (run.sh does this outside the lock).
const prepare = argv.includes('--prepare');
const project = process.env.BENCH_PROJECT ?? 'todo-bench';
const HERE = dirname(fileURLToPath(import.meta.url));
const BACKEND = 'http://127.0.0.1:8000';
const FRONTEND = 'http://127.0.0.1:3000';

const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Stack {
  constructor(name, yaml) {
    this.name = name;
    this.dir = mkdtempSync(join(tmpdir(), `bench-${name}-`));
    this.file = join(this.dir, 'docker-compose.yml');
    writeFileSync(this.file, yaml);
    this.project = `${project}-${name}`;
  }
  compose(...args) {
    return sh(COMPOSE[0], [...COMPOSE.slice(1), '-p', this.project, '-f', this.file, ...args]);
  }
  down(volumes) {
    this.compose('down', '--remove-orphans', '--timeout', '10', ...(volumes ? ['-v'] : []));
  }
  /** Seconds from `up -d` to every container healthy (one-shot jobs: exited 0). */
  async up() {
    const started = performance.now();
    this.compose('up', '-d');
    for (;;) {
      const ids = this.compose('ps', '-q').split('\n').filter(Boolean);
      const states = sh(DOCKER, ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}', ...ids])
        .trim()
        .split('\n');
      const ready = states.every((s) => {
        const [status, code, health] = s.split(' ');
        // A one-shot job (migrations) is done when it exited 0, whatever its image's HEALTHCHECK says.
        return status === 'exited' ? code === '0' : health === 'healthy';
      });
      if (ready) return (performance.now() - started) / 1000;
      if ((performance.now() - started) / 1000 > 180) throw new Error(`${this.name}: not healthy within 180 s: ${states.join(', ')}`);
      await sleep(100);
    }
  }
  cleanup() {
    try {
      this.down(true);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}

// The load generator shares the 2 cores with the stack it measures, so it must cost little:
// node:http over keep-alive sockets. Measured here for the cycles through the frontend: fetch()
// (undici behind the web API) cost the generator 2.7 ms of CPU per cycle, node:http 0.95 ms,
// and the cycles/s rose from ~150 to ~205 with nothing else changed.
const agent = new http.Agent({ keepAlive: true });
function request(method, url, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const sent = { ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}), ...headers };
    const req = http.request(url, { method, agent, headers: sent, timeout: 10_000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, etag: res.headers.etag ?? null, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(data);
  });
}
async function json(method, url, body, headers = {}) {
  const res = await request(method, url, body, headers);
  return { status: res.status, etag: res.etag, body: res.text ? JSON.parse(res.text) : null };
}

async function getLoad(url) {
  const r = await autocannon({ url, connections: 10, duration, timeout: 10 });
  return { rps: r.requests.average, p99: r.latency.p99, failed: r.errors + r.timeouts + r.non2xx };
}

/** c=10 workers each looping POST -> PATCH -> DELETE through the frontend. */
async function cycles() {
  const deadline = performance.now() + duration * 1000;
  let done = 0;
  let errors = 0;
  const worker = async (w) => {
    for (let i = 0; performance.now() < deadline; i++) {
      try {
        const created = await json('POST', `${FRONTEND}/api/todos`, { title: `cycle ${w}-${i}` });
        if (created.status !== 201) throw new Error(`POST ${created.status}`);
        const url = `${FRONTEND}/api/todos/${created.body.id}`;
        const patched = await json('PATCH', url, { completed: true }, created.etag ? { 'if-match': created.etag } : {});
        if (patched.status !== 200) throw new Error(`PATCH ${patched.status}`);
        const deleted = await request('DELETE', url);
        if (deleted.status !== 204) throw new Error(`DELETE ${deleted.status}`);
        done++;
      } catch {
        errors++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: 10 }, (_, w) => worker(w)));
  return { cps: done / ((performance.now() - started) / 1000), errors };
}

/**
 * The same cycles from wrk (bench/stack/cycles.lua): c=10, one connection per wrk thread. wrk is C,
 * so the generator takes less of the 2 cores the stack runs on: measured here, node:http cost
 * ~0.5-0.75 ms of CPU per cycle (~11% of the machine at 330 cycles/s in a whole-machine profile),
 * wrk a fraction of that. Both figures are printed; the API bench (bench/api) uses wrk too.
 */
function cyclesWrk(seconds = duration) {
  const out = sh('wrk', ['-t10', '-c10', `-d${seconds}s`, '--timeout', '10s', '-s', join(HERE, 'cycles.lua'), FRONTEND], { timeout: (seconds + 30) * 1000 });
  const line = out.split('\n').find((l) => l.startsWith('CYCLES '));
  if (!line) throw new Error(`wrk printed no CYCLES line:\n${out}`);
  const r = JSON.parse(line.slice('CYCLES '.length));
  return { cps: r.cycles / r.seconds, errors: r.errors + r.socketErrors };
}

/** 50 PATCHes of one todo at once (If-Match when the API hands out ETags). */
async function contention(round) {
  const created = await json('POST', `${FRONTEND}/api/todos`, { title: `contended ${round}` });
  const url = `${FRONTEND}/api/todos/${created.body.id}`;
  const writes = Array.from({ length: 50 }, (_, n) => ({ title: `writer ${n}`, description: `written by ${n}`, completed: n % 2 === 0 }));
  const headers = created.etag ? { 'if-match': created.etag } : {};
  const results = await Promise.all(writes.map((w) => json('PATCH', url, w, headers).catch(() => ({ status: 0 }))));
  const final = (await json('GET', url)).body;
  const key = (t) => JSON.stringify([t.title, t.description, t.completed]);
  const sent = new Set(writes.map(key));
  const ok = results.filter((r) => r.status === 200);
  const consistent = sent.has(key(final)) && ok.every((r) => sent.has(key(r.body)));
  const fiveXX = results.filter((r) => r.status >= 500 || r.status === 0).length;
  const stale = results.filter((r) => r.status === 412).length;
  return { consistent, fiveXX, stale, ok: ok.length, other: 50 - ok.length - stale - fiveXX };
}

/** RSS (MiB) of every process in the backend container after the load, largest first. */
function backendRss(stack) {
  const id = stack.compose('ps', '-q', 'backend').trim();
  const py = "import glob,re\nfor f in glob.glob('/proc/[0-9]*/status'):\n  t=open(f).read(); m=re.search(r'VmRSS:\\s+(\\d+)',t)\n  m and print(int(m.group(1))//1024)";
  try {
    return sh(DOCKER, ['exec', id, 'python', '-c', py]).trim().split('\n').map(Number).sort((a, b) => b - a);
  } catch {
    return [];
  }
}

async function measure(stack) {
  const out = { cold: [], warm: [] };
  if (loadOnly) {
    stack.down(true);
    out.cold.push(await stack.up());
  }
  process.stderr.write(`[${stack.name}] cold up x${loadOnly ? 0 : runs}\n`);
  for (let i = 0; i < (loadOnly ? 0 : runs); i++) {
    stack.down(true);
    out.cold.push(await stack.up());
  }
  process.stderr.write(`[${stack.name}] warm up x${loadOnly ? 0 : runs}\n`);
  for (let i = 0; i < (loadOnly ? 0 : runs); i++) {
    stack.down(false);
    out.warm.push(await stack.up());
  }
  for (let n = 0; n < 50; n++) await json('POST', `${BACKEND}/api/todos`, { title: `bench todo ${n}`, description: 'seeded by bench/stack' });
  await autocannon({ url: `${BACKEND}/api/todos`, connections: 10, duration: 2 }); // warm-up
  await autocannon({ url: `${FRONTEND}/api/todos`, connections: 10, duration: 2 });
  process.stderr.write(`[${stack.name}] load\n`);
  out.backendGet = [];
  out.frontendGet = [];
  out.cycles = [];
  out.contention = [];
  for (let i = 0; i < runs; i++) out.backendGet.push(await getLoad(`${BACKEND}/api/todos`));
  for (let i = 0; i < runs; i++) out.frontendGet.push(await getLoad(`${FRONTEND}/api/todos`));
  // Warm-up, not counted (as for the GETs): the first seconds of writes run slower on every revision.
  cyclesWrk(3);
  out.cyclesWrk = [];
  for (let i = 0; i < runs; i++) out.cyclesWrk.push(cyclesWrk());
  for (let i = 0; i < runs; i++) out.cycles.push(await cycles());
  for (let i = 0; i < runs; i++) out.contention.push(await contention(i));
  out.backendRssMiB = backendRss(stack);
  return out;
}

function summary(m) {
  return {
    'backend GET req/s': median(m.backendGet.map((r) => r.rps)),
    'backend GET p99 ms': median(m.backendGet.map((r) => r.p99)),
    'backend GET failed': m.backendGet.reduce((n, r) => n + r.failed, 0),
    'frontend GET req/s': median(m.frontendGet.map((r) => r.rps)),
    'frontend GET p99 ms': median(m.frontendGet.map((r) => r.p99)),
    'frontend GET failed': m.frontendGet.reduce((n, r) => n + r.failed, 0),
    'cycles/s (POST,PATCH,DELETE), wrk': median(m.cyclesWrk.map((r) => r.cps)),
    'cycles/s, node:http client': median(m.cycles.map((r) => r.cps)),
    'cycle errors (both clients)': [...m.cyclesWrk, ...m.cycles].reduce((n, r) => n + r.errors, 0),
    '50 PATCHes: rounds consistent': `${m.contention.filter((r) => r.consistent).length}/${m.contention.length}`,
    '50 PATCHes: 5xx': m.contention.reduce((n, r) => n + r.fiveXX, 0),
    '50 PATCHes: 200/412/other': m.contention.map((r) => `${r.ok}/${r.stale}/${r.other}`).join(' '),
    'warm up s': m.warm.length ? median(m.warm) : 'not run',
    'cold up s': median(m.cold),
    'backend RSS MiB (per process)': m.backendRssMiB.join(' + ') || '?',
  };
}

const variants = [];
if (only !== 'new') variants.push(['base', base]);
if (only !== 'base') variants.push(['new', 'WORKTREE']);
const plans = Object.fromEntries(variants.map(([name, rev]) => [name, planOf(checkoutOf(rev), rev)]));
if (prepare) {
  for (const [name, rev] of variants) {
    const left = ensureBuilt(plans[name]);
    if (left.length) throw new Error(`${name} (${rev}): still not in the engine after the build: ${left.join(', ')}`);
  }
}
const missing = variants.flatMap(([name]) => missingImages(plans[name]));
if (missing.length) {
  console.error(`compare: images not in the engine: ${[...new Set(missing)].join(', ')}; build them with \`node bench/stack/compare.mjs --prepare --base ${base}\` (bench/stack/run.sh --compare does)`);
  process.exit(2);
}
const provenance = variants.map(([name, rev]) => describe(name, rev === 'WORKTREE' ? 'working tree' : rev, plans[name])).join('\n');
if (prepare) {
  console.log(provenance);
  process.exit(0);
}
// --rounds N repeats the whole measurement, alternating the order (base,new / new,base / ...), so a
// drift of the machine's load over the minutes a run takes falls on both revisions alike. Medians
// are taken over every run of every round.
const rounds = Number(arg('rounds', 1));
const raws = Object.fromEntries(variants.map(([name]) => [name, []]));
for (let r = 0; r < rounds; r++) {
  const order = r % 2 ? [...variants].reverse() : variants;
  for (const [name] of order) {
    if (rounds > 1) process.stderr.write(`[round ${r + 1}/${rounds}] ${name}\n`);
    const stack = new Stack(name, plans[name].yaml);
    try {
      raws[name].push(await measure(stack));
    } finally {
      stack.cleanup();
    }
  }
}
const merge = (list) => Object.fromEntries(Object.keys(list[0]).map((k) => [k, k === 'backendRssMiB' ? list.at(-1)[k] : list.flatMap((m) => m[k])]));
const results = {};
for (const [name] of variants) {
  results[name] = { raw: merge(raws[name]) };
  results[name].summary = summary(results[name].raw);
}

const fmt = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(1)) : String(v));
const names = Object.keys(results);
console.log(`\nbench/stack: base ${base} vs working tree; medians of ${runs * rounds} runs (${rounds} round${rounds > 1 ? 's, order alternating' : ''}), ${duration} s each, c=10`);
console.log(`images (a stand-in base is not the official image: figures compare the revisions on this machine's bases):\n${provenance}\n`);
console.log(`| figure | ${names.join(' | ')} |${names.length === 2 ? ' new/base |' : ''}`);
console.log(`|---|${names.map(() => '---').join('|')}|${names.length === 2 ? '---|' : ''}`);
for (const key of Object.keys(results[names[0]].summary)) {
  const vals = names.map((n) => results[n].summary[key]);
  // Ratios only for rates, latencies and times; a count of errors has no meaningful ratio.
  const measured = /req\/s|p99|cycles\/s|up s/.test(key);
  const ratio = names.length === 2 && measured && Number.isFinite(vals[0]) && vals[0] ? ` ${(vals[1] / vals[0]).toFixed(2)}x |` : names.length === 2 ? ' |' : '';
  console.log(`| ${key} | ${vals.map(fmt).join(' | ')} |${ratio}`);
}
for (const n of names) console.log(`\n${n} raw: ${JSON.stringify(results[n].raw)}`);
