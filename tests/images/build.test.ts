// docker-build against the real engine: builds what is missing, trusts what
// the engine holds, and explains a missing base instead of trying to pull it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInputs, docker, dockerBuild, imageExists, run, DOCKER, type Service } from './docker';

const services: Service[] = ['backend', 'frontend'];

describe('docker-build', () => {
  it.each(services)('%s: builds from an engine without the image, then reports it up to date', (service) => {
    const ref = buildInputs('ref', service);
    if (imageExists(ref)) {
      const rmi = run(DOCKER, ['rmi', ref]);
      if (rmi.status !== 0) throw new Error(`cannot remove ${ref} (a container still uses it?): ${rmi.stderr}`);
    }
    // IMAGES_TEST_COLD=1 also empties the build cache: a truly clean engine
    // (it is shared, so not by default).
    if (process.env.IMAGES_TEST_COLD === '1') docker('builder', 'prune', '-af');
    expect(imageExists(ref)).toBe(false);

    const built = dockerBuild(service);
    expect({ status: built.status, stderr: built.stderr.slice(-3000) }).toEqual({ status: 0, stderr: expect.any(String) });
    expect(built.stdout).toContain(`docker-build: building ${ref}`);
    expect(imageExists(ref)).toBe(true);

    const again = dockerBuild(service);
    expect(again.status).toBe(0);
    expect(again.stdout.trim()).toBe(`docker-build: ${ref} up to date`);
  });

  it('names the missing base and the offline fix instead of pulling', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mirrors-'));
    try {
      const mirrors = join(dir, 'mirrors.json');
      writeFileSync(mirrors, JSON.stringify({ 'python:3.13-slim': 'todo-missing/python:none' }));
      const r = run(process.execPath, ['scripts/docker-build.mjs', 'backend', '--tag', 'todo-probe:missing-base'], {
        env: { ...process.env, TODO_IMAGE_MIRRORS: mirrors, TODO_ALLOW_PULL: '' },
      });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('todo-missing/python:none');
      expect(r.stderr).toContain('scripts/offline-bases.sh');
      expect(r.stderr).toContain('TODO_IMAGE_MIRRORS=scripts/offline-mirrors.json');
      expect(imageExists('todo-probe:missing-base')).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects an unknown service with usage', () => {
    const r = dockerBuild('database' as Service);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('usage: node scripts/docker-build.mjs <backend|frontend>');
  });

  it('a no-change nx run-many starts no docker build', () => {
    const r = run('npx', ['nx', 'run-many', '-t', 'docker-build', '--projects=backend,frontend', '--parallel=2', '--skip-nx-cache', '--output-style=static']);
    expect({ status: r.status, out: r.stdout.slice(-2000) }).toEqual({ status: 0, out: expect.any(String) });
    expect(r.stdout).not.toContain('docker-build: building');
    for (const s of services) expect(r.stdout).toContain(`docker-build: ${buildInputs('ref', s)} up to date`);
  });
});

describe('nx wiring', () => {
  const affected = (file: string): string[] =>
    run('npx', ['nx', 'show', 'projects', '--affected', `--files=${file}`, '-t', 'docker-build']).stdout.trim().split('\n').filter(Boolean).sort();

  it('a backend-only change affects only backend:docker-build, and the reverse', () => {
    expect(affected('apps/backend/src/todo_api/main.py')).toEqual(['backend']);
    expect(affected('docker/backend/Dockerfile')).toEqual(['backend']);
    expect(affected('apps/frontend/app/page.tsx')).toEqual(['frontend']);
    expect(affected('docker/frontend/Dockerfile.dockerignore')).toEqual(['frontend']);
    expect(affected('scripts/docker-build.mjs')).toEqual(['backend', 'frontend']);
  });

  it.each(services)('%s:docker-build is never cached by Nx', (service) => {
    const project = JSON.parse(run('npx', ['nx', 'show', 'project', service, '--json']).stdout);
    expect(project.targets['docker-build'].cache).toBe(false);
    expect(project.targets['docker-build'].options.command).toBe(`node scripts/docker-build.mjs ${service}`);
  });
});
