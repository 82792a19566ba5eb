// The one Docker/Compose detection (scripts/docker-tools.cjs). The real clients
// of this machine are checked as they are; the branches for clients it does not
// have (buildx, Compose v2: Docker Desktop, current docker-ce) use stub
// executables that answer only the version probes the detection makes.
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { repoRoot, run } from './docker';

const detect = (env: NodeJS.ProcessEnv) => {
  const r = run(process.execPath, ['scripts/docker-tools.cjs', 'describe'], { env });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as { docker: { docker: string; build: string[]; buildEnv: Record<string, string>; problem?: string }; compose: { command: string[]; version: string } };
};

describe('docker-tools', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'docker-tools-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const stub = (name: string, script: string) => {
    writeFileSync(join(dir, name), `#!/bin/sh\n${script}\n`);
    chmodSync(join(dir, name), 0o755);
  };

  it('the Debian 20.10 client builds with DOCKER_BUILDKIT=1; Compose falls back to docker-compose v1', () => {
    const d = detect({ ...process.env, DOCKER: '/usr/bin/docker', COMPOSE: '' });
    expect(d.docker).toMatchObject({ docker: '/usr/bin/docker', build: ['build'], buildEnv: { DOCKER_BUILDKIT: '1' } });
    expect(d.docker.problem).toBeUndefined();
    expect(d.compose).toEqual({ command: ['docker-compose'], version: 'v1' });
  });

  it('a client of 23 or newer without buildx is refused with the fix', () => {
    stub('docker', 'case "$1" in version) echo 28.2.2;; *) exit 1;; esac');
    const d = detect({ ...process.env, PATH: `${dir}:${process.env.PATH}`, DOCKER: '' });
    expect(d.docker.docker).toBe('docker');
    expect(d.docker.problem).toContain('builds with BuildKit only through buildx, which is missing: install the buildx plugin');
  });

  it('docker from PATH with buildx and Compose v2 (Docker Desktop): buildx build --load, docker compose', () => {
    stub('docker', 'case "$1" in version) echo 28.2.2;; buildx|compose) echo ok;; *) exit 1;; esac');
    const d = detect({ ...process.env, PATH: `${dir}:${process.env.PATH}`, DOCKER: '', COMPOSE: '' });
    expect(d.docker).toEqual({ docker: 'docker', clientVersion: 28, buildx: true, build: ['buildx', 'build', '--load'], buildEnv: {} });
    expect(d.compose).toEqual({ command: ['docker', 'compose'], version: 'v2' });
  });

  it('no script or test names a Docker client path or a Compose binary of its own', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (e === 'node_modules' || e === 'fixtures') continue;
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|mjs|cjs|sh)$/.test(e)) files.push(p);
      }
    };
    for (const d of ['scripts', 'tests']) walk(join(repoRoot, d));
    const offenders = files
      .map((f) => relative(repoRoot, f))
      // The detection itself, its tests, and test-all.sh (which prefers Debian's client on this machine).
      .filter((f) => !['scripts/docker-tools.cjs', 'tests/images/docker-tools.test.ts', 'scripts/docker-env.sh'].includes(f))
      .filter((f) => /\/usr\/(local\/)?bin\/docker\b|['"]docker-compose['"]|^\s*docker-compose\s/m.test(readFileSync(join(repoRoot, f), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
