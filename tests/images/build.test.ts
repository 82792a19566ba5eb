// docker-build against the real engine: builds what is missing, trusts what
// the engine holds, and explains a missing base instead of trying to pull it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInputs, docker, dockerBuild, imageExists, run, unique, DOCKER, type Service } from './docker';

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

  it('rejects a service the spec does not build, naming those it does', () => {
    const r = dockerBuild('postgres' as Service);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('"postgres" is neither a built service nor a repository of stack "todo" (known: backend, frontend, todo-backend, todo-frontend)');
    expect(r.stderr).toContain('usage: node scripts/docker-build.mjs [--spec FILE] [--tag REF] <service|repository>...');
  });

  it('a no-change nx run-many starts no docker build', () => {
    const r = run('npx', ['nx', 'run-many', '-t', 'docker-build', '--projects=tag:stack:todo', '--parallel=2', '--skip-nx-cache', '--output-style=static']);
    expect({ status: r.status, out: r.stdout.slice(-2000) }).toEqual({ status: 0, out: expect.any(String) });
    expect(r.stdout).not.toContain('docker-build: building');
    for (const s of services) expect(r.stdout).toContain(`docker-build: ${buildInputs('ref', s)} up to date`);
  });
});

describe('spec-driven targets', () => {
  it('nx affected -t docker-build after touching only the third service\'s context builds only that image', () => {
    const plan = JSON.parse(buildInputs('plan', '', '--spec', 'tests/images/fixtures/three-builds/three.stack.json'));
    const ref: string = plan.services.worker.ref;
    if (imageExists(ref)) docker('rmi', ref);
    const r = run('npx', ['nx', 'affected', '-t', 'docker-build', '--files=tests/images/fixtures/three-builds/worker/worker.py', '--skip-nx-cache', '--output-style=static']);
    expect({ status: r.status, out: r.stdout.slice(-2000) }).toEqual({ status: 0, out: expect.any(String) });
    expect(r.stdout.match(/docker-build: building .*/g)?.map((l) => l.split(' ')[2].replace(/,$/, ''))).toEqual([ref]);
    expect(r.stdout.match(/> nx run \S+:docker-build/g)).toEqual(['> nx run tests-images-fixtures-three-builds-worker:docker-build']);
    expect(imageExists(ref)).toBe(true);
    // The image runs: the spec alone made a working service.
    expect(docker('run', '--rm', ref)).toBe('worker: ready');
    docker('rmi', ref);
  });

  it('a build on stand-in bases says so and is tagged apart from the official-base build', () => {
    const official = JSON.parse(buildInputs('plan', '', '--official')).services.backend.ref;
    const built = buildInputs('ref', 'backend');
    const args = buildInputs('build-args', 'backend');
    if (process.env.TODO_IMAGE_MIRRORS && args !== 'PYTHON_IMAGE=python:3.13-slim') {
      expect(built).not.toBe(official);
      const r = dockerBuild('backend', '--tag', `${unique('todo-standin-probe')}:x`);
      expect(r.stdout).toMatch(/on stand-in bases \(PYTHON_IMAGE=\S+ for python:3\.13-slim\)/);
      docker('rmi', r.stdout.match(/building (\S+) on/)![1]);
    } else {
      expect(built).toBe(official);
    }
  });
});
