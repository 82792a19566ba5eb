#!/usr/bin/env node
// Median wall times of `infra import` and of `infra synth` on what it wrote, for a generated
// 10-service compose file (issue 19's target: each <= 1.5 s), and for the largest corpus
// stack. Each is the CLI as a user runs it (`node tools/run-ts.mjs apps/infra/src/cli.ts`),
// module load included, after one warm-up of the esbuild bundle cache.
// Usage: node bench/synth/import.mjs [runs=7]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const runs = Number(process.argv[2] ?? 7);
const cli = ['tools/run-ts.mjs', 'apps/infra/src/cli.ts'];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function time(args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...cli, ...args], { cwd: root, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`infra ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return ms;
}

/** A database, a cache and 8 app services that reach both, with interpolation, ports, health and waits. */
function compose10() {
  const lines = ['services:', '  db:', '    image: postgres:16', '    environment:', '      POSTGRES_PASSWORD: ${DB_PASSWORD:-change-me}', '      POSTGRES_DB: app'];
  lines.push('    volumes:', '      - db-data:/var/lib/postgresql/data', '    healthcheck:', '      test: ["CMD-SHELL", "pg_isready -U postgres"]', '      interval: 5s');
  lines.push('  cache:', '    image: redis:7');
  for (let i = 0; i < 8; i++) {
    lines.push(`  svc${i}:`, `    image: example/app${i}:\${TAG:-1.2.${i}}`, '    environment:');
    lines.push('      DATABASE_URL: postgres://app:${DB_PASSWORD:-change-me}@db:5432/app', '      REDIS_URL: redis://cache:6379/0', '      LOG_LEVEL: ${LOG_LEVEL:-info}', `      WORKER_ID: '${i}'`);
    lines.push('    ports:', `      - "${8100 + i}:8080"`, '    depends_on:', '      db:', '        condition: service_healthy', '      cache:', '        condition: service_started');
    lines.push('    command: ["serve", "--port", "8080"]');
  }
  lines.push('volumes:', '  db-data: {}');
  return `${lines.join('\n')}\n`;
}

const tmp = mkdtempSync(join(tmpdir(), 'bench-import-'));
try {
  const cases = [
    ['generated, 10 services', join(tmp, 'ten', 'compose.yaml')],
    ['corpus airflow, 9 services', join(root, 'apps/infra/test/fixtures/import/airflow/docker-compose.yaml')],
  ];
  spawnSync('mkdir', ['-p', join(tmp, 'ten')]);
  writeFileSync(cases[0][1], compose10());
  console.log(`bench/synth/import: medians of ${runs} runs, node ${process.version} (target: import and synth <= 1.5 s each, 10 services)`);
  for (const [label, file] of cases) {
    const spec = join(tmp, `${label.split(',')[0].replace(/\W+/g, '-')}.yaml`);
    const importArgs = ['import', file, '--out', spec, '--force'];
    const synthArgs = ['synth', '--spec', spec, '--out', join(tmp, `out-${label.split(',')[0].replace(/\W+/g, '-')}`)];
    time(importArgs); // warm-up
    time(synthArgs);
    const imports = [];
    const synths = [];
    for (let i = 0; i < runs; i++) {
      imports.push(time(importArgs));
      synths.push(time(synthArgs));
    }
    const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`  ${label.padEnd(28)} import ${f(median(imports))} (${imports.map(f).join(', ')})   synth ${f(median(synths))} (${synths.map(f).join(', ')})`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
