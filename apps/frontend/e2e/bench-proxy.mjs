#!/usr/bin/env node
// The proxy's cost, measured: GET /api/todos at concurrency 10 through this build's server
// and, side by side in the same run, through another build (e.g. the previous commit's),
// plus the backend alone, all against one backend + PostgreSQL started here. Also
// POST -> PATCH -> DELETE cycles at concurrency 10 through each frontend.
//   node e2e/bench-proxy.mjs [<other app dir with a built .next>] [--runs 3] [--duration 10]
// Server CPU per request (from /proc) is printed next to req/s: it barely moves with other load on the machine.
// The other build runs its own entry: serve.cjs if it has one, else Next's server.js.
import autocannon from 'autocannon';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateBackend, startBackend } from './support/apps.mjs';
import { startPostgres } from './support/postgres.mjs';
import { freePort, startProcess, waitForHttp } from './support/processes.mjs';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const flag = (name, dflt) => (argv.includes(`--${name}`) ? Number(argv[argv.indexOf(`--${name}`) + 1]) : dflt);
const otherDir = argv.find((a, i) => !a.startsWith('--') && !argv[i - 1]?.startsWith('--'));
const logDir = mkdtempSync(path.join(tmpdir(), 'todo-bench-proxy-'));
const cpu = (pid) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };

async function frontend(dir, backendUrl, name) {
  const standalone = path.join(dir, '.next/standalone');
  const entry = existsSync(path.join(standalone, 'serve.cjs')) ? 'serve.cjs' : 'server.js';
  cpSync(path.join(dir, '.next/static'), path.join(standalone, '.next/static'), { recursive: true });
  const port = await freePort();
  const env = { ...process.env, HOSTNAME: '127.0.0.1', PORT: String(port), BACKEND_URL: backendUrl, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' };
  const proc = startProcess(name, process.execPath, [entry], { cwd: standalone, env, logFile: path.join(logDir, `${name}.log`) });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/api/health`, proc);
  return { url, proc };
}

const pg = await startPostgres(logDir);
const started = [];
try {
  await migrateBackend(pg.url());
  const backend = await startBackend(pg.url(), logDir);
  started.push(backend.proc);
  const newFe = await frontend(here, backend.url, 'new');
  started.push(newFe.proc);
  const otherFe = otherDir ? await frontend(path.resolve(otherDir), backend.url, 'other') : null;
  if (otherFe) started.push(otherFe.proc);
  for (let i = 0; i < 50; i++) await fetch(`${backend.url}/api/todos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: `bench todo ${i}` }) });
  const results = { other: [], new: [], backend: [] };
  const runs = flag('runs', 3), duration = flag('duration', 10);
  const targets = [['other', otherFe], ['new', newFe], ['backend', { url: backend.url, proc: backend.proc }]].filter(([, t]) => t);
  for (let run = 0; run < runs; run++) {
    for (const [name, target] of targets) {
      const pid = target.proc.child.pid; const c0 = cpu(pid);
      const r = await autocannon({ url: `${target.url}/api/todos`, connections: 10, duration, timeout: 10 });
      const row = { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts, cpuMsPerReq: Number(((cpu(pid) - c0) / r.requests.total).toFixed(3)) };
      results[name].push(row);
      console.log(run, name, JSON.stringify(row));
    }
  }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
  for (const k of Object.keys(results).filter((k) => results[k].length)) console.log(k, 'median rps', median(results[k].map((r) => r.rps)), 'p99', median(results[k].map((r) => r.p99)), 'cpu ms/req', median(results[k].map((r) => r.cpuMsPerReq)));
  // POST -> PATCH -> DELETE cycles at concurrency 10 through each frontend
  for (const [name, target] of targets.filter(([n]) => n !== 'backend')) {
    const cycles = [];
    for (let run = 0; run < runs; run++) {
      let done = 0, errors = 0; const until = Date.now() + duration * 1000;
      const worker = async () => {
        while (Date.now() < until) {
          try {
            const c = await fetch(`${target.url}/api/todos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"title":"cycle"}' });
            const t = await c.json(); if (c.status !== 201) { errors++; continue; }
            const p = await fetch(`${target.url}/api/todos/${t.id}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"completed":true}' }); await p.arrayBuffer(); if (p.status !== 200) errors++;
            const d = await fetch(`${target.url}/api/todos/${t.id}`, { method: 'DELETE' }); await d.arrayBuffer(); if (d.status !== 204) errors++;
            done++;
          } catch { errors++; }
        }
      };
      await Promise.all(Array.from({ length: 10 }, worker));
      cycles.push(done / duration);
      console.log(name, 'cycles/s', (done / duration).toFixed(1), 'errors', errors);
    }
    console.log(name, 'median cycles/s', median(cycles).toFixed(1));
  }
} finally {
  for (const proc of started.reverse()) await proc.stop();
  await pg.stop();
  rmSync(logDir, { recursive: true, force: true });
}
process.exit(0);
