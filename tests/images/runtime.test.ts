// Each image runs as a non-root user and its own HEALTHCHECK turns healthy
// against real neighbours: the backend with a real PostgreSQL container.
import { buildInputs, docker, ensureImage, removeContainers, run, unique, waitHealthy, DOCKER } from './docker';

// The static probe both images build (docker/healthprobe), where compose's derived check runs it.
const HEALTHPROBE = '/usr/local/bin/healthprobe';

interface ImageConfig {
  User: string;
  Healthcheck?: { Test: string[] };
  ExposedPorts?: Record<string, unknown>;
  Env: string[];
}

const config = (ref: string): ImageConfig => JSON.parse(docker('image', 'inspect', '-f', '{{json .Config}}', ref));

/** The images have no id(1) (no shell, no coreutils): the runtime reports its own uid and gid. */
function expectNonRoot(ref: string, container: string, ids: string[]): void {
  expect(config(ref).User).toBe('1000:1000');
  expect(docker('exec', container, ...ids)).toBe('1000 1000');
}

/** The probe must be runnable in the image itself, not just declared: the static probe, in exec form. */
function expectProbeRuns(ref: string, container: string): void {
  const test = config(ref).Healthcheck?.Test ?? [];
  expect(test.slice(0, 2)).toEqual(['CMD', HEALTHPROBE]);
  expect(run(DOCKER, ['exec', container, ...test.slice(1)]).status).toBe(0);
}

describe('backend image', () => {
  const net = unique('todo-img-net');
  const db = unique('todo-img-db');
  const api = unique('todo-img-api');
  let ref = '';

  beforeAll(() => {
    ref = ensureImage('backend');
    docker('network', 'create', net);
  });
  afterAll(() => {
    removeContainers(api, db);
    run(DOCKER, ['network', 'rm', net]);
  });

  it('turns healthy with a real PostgreSQL, migrates, and runs as uid 1000', async () => {
    const pg = buildInputs('mirror', 'postgres:16-alpine');
    docker('run', '-d', '--name', db, '--network', net, '--network-alias', 'postgres',
      '-e', 'POSTGRES_USER=todo', '-e', 'POSTGRES_PASSWORD=probe-pw', '-e', 'POSTGRES_DB=todo', pg);
    const url = 'postgresql://todo:probe-pw@postgres:5432/todo';
    for (let i = 0; i < 60 && run(DOCKER, ['exec', db, 'pg_isready', '-U', 'todo', '-h', '127.0.0.1']).status !== 0; i++) {
      await new Promise((r) => setTimeout(r, 1000));
    }
    const migrate = run(DOCKER, ['run', '--rm', '--network', net, '-e', `DATABASE_URL=${url}`, ref, 'python', '-m', 'todo_api.migrate']);
    expect({ status: migrate.status, stderr: migrate.stderr.slice(-2000) }).toEqual({ status: 0, stderr: expect.any(String) });

    docker('run', '-d', '--name', api, '--network', net, '--read-only', '--tmpfs', '/tmp',
      '--health-interval', '2s', '-e', `DATABASE_URL=${url}`, ref);
    await waitHealthy(api);
    expectNonRoot(ref, api, ['python', '-c', 'import os; print(os.getuid(), os.getgid())']);
    expectProbeRuns(ref, api);
    // The compose check (the readiness path) runs in the image too.
    expect(run(DOCKER, ['exec', api, HEALTHPROBE, 'http://127.0.0.1:8000/ready', '2']).status).toBe(0);
    const tables = docker('exec', db, 'psql', '-U', 'todo', '-d', 'todo', '-Atc',
      "select count(*) from information_schema.tables where table_name = 'alembic_version'");
    expect(tables).toBe('1');
  });

  it('keeps build tooling and pip caches out of the runtime', () => {
    expect(config(ref).ExposedPorts).toEqual({ '8000/tcp': {} });
    expect(config(ref).Env.some((e) => e.startsWith('PIP_INDEX_URL'))).toBe(false);
    // The build-time index URL stays in the builder stage, out of the image history.
    const history = docker('history', '--no-trunc', '--format', '{{.CreatedBy}}', ref);
    expect(history).not.toContain('PIP_INDEX_URL');
    if (process.env.PIP_INDEX_URL) expect(history).not.toContain(process.env.PIP_INDEX_URL);
    const probe = run(DOCKER, ['run', '--rm', '--entrypoint', 'python', ref, '-c',
      'import os, shutil; print(bool(shutil.which("gcc")), os.path.exists("/root/.cache/pip"), os.path.exists("/opt/venv/bin/pip"))']);
    expect(probe.stdout.trim()).toBe('False False False');
  });
});

describe('frontend image', () => {
  const web = unique('todo-img-web');
  let ref = '';

  beforeAll(() => {
    ref = ensureImage('frontend');
  });
  afterAll(() => removeContainers(web));

  it('turns healthy with BACKEND_URL set at run time, as uid 1000, writing only .next/cache', async () => {
    // tmpfs owned by the user, like the emptyDir Kubernetes mounts there.
    docker('run', '-d', '--name', web, '--read-only', '--tmpfs', '/tmp',
      '--health-interval', '2s', '-e', 'BACKEND_URL=http://backend.invalid:8000', ref);
    await waitHealthy(web);
    expectNonRoot(ref, web, ['node', '-e', 'console.log(process.getuid(), process.getgid())']);
    // The static probe, as compose's derived check (health.composeHttpClient) runs it.
    expectProbeRuns(ref, web);
    // The same client fails on an error answer, so a broken server cannot look healthy.
    expect(run(DOCKER, ['exec', web, HEALTHPROBE, 'http://127.0.0.1:3000/api/no-such-route', '2']).status).toBe(1);
  });

  it('ships a writable .next/cache owned by the user and read-only code', () => {
    const c = unique('todo-img-web-rw');
    try {
      docker('run', '-d', '--name', c, '-e', 'BACKEND_URL=http://x:1', ref);
      const write = (p: string): number =>
        run(DOCKER, ['exec', c, 'node', '-e', `require('fs').writeFileSync(${JSON.stringify(p)}, 'x')`]).status;
      expect(write('/app/.next/cache/probe')).toBe(0);
      expect(write('/app/server.js')).not.toBe(0);
    } finally {
      removeContainers(c);
    }
  });

  it('serves on 0.0.0.0:3000 in production mode without baking BACKEND_URL', () => {
    const env = config(ref).Env;
    expect(env).toEqual(expect.arrayContaining(['NODE_ENV=production', 'HOSTNAME=0.0.0.0', 'PORT=3000']));
    expect(env.some((e) => e.startsWith('BACKEND_URL='))).toBe(false);
    expect(config(ref).ExposedPorts).toEqual({ '3000/tcp': {} });
  });

  it('carries the node binary only: no npm, no TypeScript, no build cache', () => {
    const probe = run(DOCKER, ['run', '--rm', '--entrypoint', 'node', ref, '-e',
      "const fs = require('fs'); console.log(['/usr/local/bin/npm', '/usr/local/lib/node_modules', '/app/.next/cache/webpack', '/app/node_modules/typescript'].filter((p) => fs.existsSync(p)).join(','))"]);
    expect(probe.status).toBe(0);
    expect(probe.stdout.trim()).toBe('');
  });
});
