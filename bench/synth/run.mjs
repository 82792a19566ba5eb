#!/usr/bin/env node
// Median wall times of the synth, all measured in one run so they share the
// machine's noise:
//   nx floor       `nx show projects` (what any nx command costs), with the
//                  docker-build inference plugin, with it named by its workspace
//                  path instead of the installed package, and without it (nx.json is
//                  swapped for a copy without "plugins" during those runs and
//                  restored afterwards: run no other nx command meanwhile);
//                  each with Nx's default plugin isolation (a worker process
//                  per plugin) and with NX_ISOLATE_PLUGINS=false
//   nx synth       `nx run infra:synth` (never cached: it reads files named by arguments)
//   program/todo   the synth program alone, module load included
//   program/100    the same on a generated 100-service spec
// Usage: node bench/synth/run.mjs [runs=7]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const runs = Number(process.argv[2] ?? 7);
const env = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };

function time(cmd, args, extraEnv = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: root, env: { ...env, ...extraEnv }, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function bigSpec(n) {
  const services = [{ name: 'db', role: 'database', image: { ref: 'postgres:16-alpine' }, ports: [{ name: 'pg', port: 5432 }], health: { liveness: { exec: { command: ['pg_isready'] } } }, volumes: [{ name: 'data', mountPath: '/data' }], user: { uid: 70, gid: 70 } }];
  for (let i = 1; i < n; i++) {
    services.push({
      name: `svc-${i}`,
      role: i % 3 === 0 ? 'worker' : 'api',
      runtime: 'python',
      image: { ref: `registry.example.com/svc-${i}:1.0.${i}` },
      ports: [{ name: 'http', port: 8000 }],
      env: { LOG_LEVEL: 'INFO', INDEX: String(i) },
      secrets: { DATABASE_URL: { secret: `svc-${i}`, key: 'database-url' } },
      health: { liveness: { http: { path: '/health', port: 'http' } }, readiness: { http: { path: '/ready', port: 'http' } } },
      dependsOn: i > 1 ? ['db', `svc-${i - 1}`] : ['db'],
      writablePaths: ['/tmp'],
      ...(i === 1 && { ingressPath: '/' }),
    });
  }
  return {
    name: 'big',
    services,
    environments: {
      local: { target: 'compose' },
      staging: { target: 'kubernetes', ingress: { host: 'big.example.com' } },
      production: { target: 'kubernetes', registry: 'registry.example.com/big', ingress: { host: 'big.example.com' }, podDisruptionBudgets: true, services: Object.fromEntries(services.slice(1).map((s) => [s.name, { autoscaling: { minReplicas: 2, maxReplicas: 4 } }])) },
    },
  };
}

const tmp = mkdtempSync(join(tmpdir(), 'bench-synth-'));
try {
  const specFile = join(tmp, 'big.json');
  writeFileSync(specFile, JSON.stringify(bigSpec(100)));
  const nx = join(root, 'node_modules', '.bin', 'nx');
  const cli = ['tools/run-ts.mjs', 'apps/infra/src/cli.ts'];
  const program = [...cli, 'synth'];
  // The largest compose file the import tests use (the public ones, when fetched, are larger).
  const composeFiles = ['tmp/import-public/nginx-flask-mysql/compose.yaml', 'apps/infra/test/fixtures/import/v2-proxy-app-db/compose.yaml'];
  const importFile = composeFiles.find((f) => existsSync(join(root, f)));
  // Warm-up: esbuild bundle cache and Nx project graph.
  time(process.execPath, [...program, '--out', join(tmp, 'todo')]);
  time(nx, ['run', 'infra:synth']);

  const samples = { floor: [], bare: [], byPath: [], floorShared: [], bareShared: [], synth: [], todo: [], big: [], validate: [], import: [] };
  const shared = { NX_ISOLATE_PLUGINS: 'false' };
  const nxJsonPath = join(root, 'nx.json');
  const nxJson = readFileSync(nxJsonPath, 'utf8');
  const withoutPlugins = JSON.stringify({ ...JSON.parse(nxJson), plugins: undefined }, null, 2);
  // The plugin named by its workspace path, as before it was installed as a package.
  const pluginByPath = nxJson.replace('"@todo/nx-plugin"', '"./tools/nx-plugin/index.cjs"');
  const withNxJson = (text, extraEnv = {}) => {
    writeFileSync(nxJsonPath, text);
    try {
      return time(nx, ['show', 'projects'], extraEnv);
    } finally {
      writeFileSync(nxJsonPath, nxJson);
    }
  };
  const bare = (extraEnv = {}) => withNxJson(withoutPlugins, extraEnv);
  bare();
  for (let i = 0; i < runs; i++) {
    samples.floor.push(time(nx, ['show', 'projects']));
    samples.bare.push(bare());
    samples.byPath.push(withNxJson(pluginByPath));
    samples.floorShared.push(time(nx, ['show', 'projects'], shared));
    samples.bareShared.push(bare(shared));
    samples.synth.push(time(nx, ['run', 'infra:synth']));
    samples.todo.push(time(process.execPath, [...program, '--out', join(tmp, 'todo')]));
    samples.big.push(time(process.execPath, [...program, '--spec', specFile, '--out', join(tmp, 'big')]));
    samples.validate.push(time(process.execPath, [...cli, 'validate']));
    samples.import.push(time(process.execPath, [...cli, 'import', importFile, '--out', join(tmp, 'imported.yaml'), '--force']));
  }
  const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  console.log(`bench/synth: medians of ${runs} runs on ${process.platform} ${process.arch}, node ${process.version}`);
  console.log(`  nx floor (nx show projects)            ${f(m.floor)}   without the docker-build plugin ${f(m.bare)}: plugin + ${f(m.floor - m.bare)}   (target: + 0.30 s)`);
  console.log(`    plugin named by its workspace path   ${f(m.byPath)}   plugin + ${f(m.byPath - m.bare)}`);
  console.log(`    NX_ISOLATE_PLUGINS=false             ${f(m.floorShared)}   without the docker-build plugin ${f(m.bareShared)}: plugin + ${f(m.floorShared - m.bareShared)}`);
  console.log(`  nx run infra:synth                     ${f(m.synth)}   floor + ${f(m.synth - m.floor)}   (target: floor + 1.00 s)`);
  console.log(`  synth program alone, todo stack        ${f(m.todo)}   (target: 0.80 s)`);
  console.log(`  synth program alone, 100 services      ${f(m.big)}   (target: 1.50 s)`);
  console.log(`  validate, todo stack                   ${f(m.validate)}`);
  console.log(`  import ${importFile.split('/').slice(-2).join('/').padEnd(31)} ${f(m.import)}`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
