// The development override (docker-compose.dev.yml) binds repository folders into the
// containers. Its sources must reach the repository from wherever --out puts docker/,
// and a mount the spec (or the imported compose file) has read-write stays read-write.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { validate } from '@todo/service-spec';
import { parse } from 'yaml';
import { importCompose } from '../src/import/compose-import';
import { repoRoot } from './support';

function infra(...args: string[]) {
  const r = spawnSync(process.execPath, ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Each dev mount of the override as [service, absolute source, target, read_only]. */
function devMounts(out: string): [string, string, string, boolean][] {
  const dev = parse(readFileSync(join(out, 'docker', 'docker-compose.dev.yml'), 'utf8'));
  return Object.entries(dev.services as Record<string, any>).flatMap(([name, s]) =>
    (s.volumes ?? []).map((v: any) => [name, resolve(out, 'docker', v.source), v.target, v.read_only] as [string, string, string, boolean]),
  );
}

const cleanup: string[] = [];
afterEach(() => {
  for (const d of cleanup.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('dev mounts point at the repository wherever --out points', () => {
  it.each([
    ['a folder inside the repository (--out tmp/<x>)', () => join('tmp', `dev-mounts-${process.pid}-${Date.now()}`)],
    ['a folder outside the repository', () => mkdtempSync(join(tmpdir(), 'dev-mounts-'))],
  ])('%s', (_name, outDir) => {
    const out = outDir();
    cleanup.push(resolve(repoRoot, out));
    const r = infra('synth', '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const mounts = devMounts(resolve(repoRoot, out));
    expect(mounts).toEqual([['backend', join(repoRoot, 'apps', 'backend', 'src'), '/app/src', true]]);
    expect(existsSync(mounts[0][1])).toBe(true);
  });

  it('in the repository itself (no --out) the committed override binds ../apps/backend/src', () => {
    expect(devMounts(repoRoot)).toEqual([['backend', join(repoRoot, 'apps', 'backend', 'src'), '/app/src', true]]);
  });
});

describe('a read-write dev mount stays read-write', () => {
  it('readOnly: false in the spec is a read-write bind; the default stays read-only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dev-mounts-rw-'));
    cleanup.push(dir);
    const spec = {
      name: 'devrw',
      services: [
        {
          name: 'app',
          role: 'api',
          image: { ref: 'example/app:1.0' },
          dev: {
            mounts: [
              { source: 'apps/backend/src', target: '/app/src', readOnly: false },
              { source: 'apps/backend/tests', target: '/app/tests' },
            ],
          },
        },
      ],
      environments: { local: { target: 'compose' } },
    };
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    const out = join(dir, 'out');
    const r = infra('synth', '--spec', join(dir, 'spec.json'), '--out', out);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(devMounts(out)).toEqual([
      ['app', join(repoRoot, 'apps', 'backend', 'src'), '/app/src', false],
      ['app', join(repoRoot, 'apps', 'backend', 'tests'), '/app/tests', true],
    ]);
  });

  it('import: a bind compose mounts read-write becomes a read-write dev mount; a :ro bind stays read-only', () => {
    const { spec, report } = importCompose(
      { services: { app: { image: 'example/app:1.0', volumes: ['./src:/app/src', './conf:/app/conf:ro', { type: 'bind', source: './data', target: '/app/data' }, { type: 'bind', source: './etc', target: '/app/etc', read_only: true }] } } },
      { name: 'demo', repoPath: (p: string) => p.replace(/^\.\//, '') },
    );
    const app = (spec as any).services[0];
    expect(app.dev.mounts).toEqual([
      { source: 'src', target: '/app/src', readOnly: false },
      { source: 'conf', target: '/app/conf' },
      { source: 'data', target: '/app/data', readOnly: false },
      { source: 'etc', target: '/app/etc' },
    ]);
    // ro on a bind is modelled now: no "not modelled" decision for it.
    expect(report.filter((e) => /not modelled/.test(e.message)).map((e) => e.path)).toEqual([]);
    expect(validate(spec as any).filter((i) => i.path.includes('dev'))).toEqual([]);
  });
});

