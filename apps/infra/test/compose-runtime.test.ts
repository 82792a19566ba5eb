import type { StackSpec } from '@todo/service-spec';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { renderOutputs } from '../src/outputs';
import { composeArgv, dockerComposeConfig } from './support';

/**
 * What a compose file means is decided by docker-compose and the engine, not by
 * the object we render: these tests run the real Compose (v2, `docker compose`) and,
 * where an image can be built offline, a real container.
 */
const BASE = 'todo-offline/debian:bookworm-minbase';
const IMAGE = 'todo-spec-runtime-probe:1';
// The one Docker detection of every script and test ($DOCKER, else docker from PATH, BuildKit as the client allows).
const tools = require(join(__dirname, '..', '..', '..', 'scripts', 'docker-tools.cjs')) as { detectDocker(): { docker: string; build: string[]; buildEnv: Record<string, string> } };
const DOCKER = tools.detectDocker();
const COMPOSE = composeArgv();
const docker = (args: string[]) => spawnSync(DOCKER.docker, args, { encoding: 'utf8' });
const engineUp = docker(['info']).status === 0;
const baseThere = engineUp && docker(['image', 'inspect', BASE]).status === 0;

const SCRIPT = [
  'cat /etc/probe/app.conf',
  'cat /run/secrets/token',
  'echo "host=$HOSTNAME"',
  'echo written > /app/cache/x && echo cache-writable',
  'echo run >> /data/runs && echo "runs=$(wc -l < /data/runs)"',
].join('; ');

const spec: StackSpec = {
  name: 'probe',
  services: [
    {
      name: 'probe',
      role: 'worker',
      image: { ref: IMAGE },
      entrypoint: ['sh', '-c'],
      command: [SCRIPT],
      annotations: { cost: '$5' },
      files: [
        { path: '/etc/probe/app.conf', content: 'price=$5\n' },
        { path: '/run/secrets/token', secret: { secret: 'probe', key: 'token' } },
      ],
      volumes: [{ name: 'data', mountPath: '/data' }],
      // The image has this directory already: the case where a tmpfs with mode=1777 alone stayed root-owned.
      writablePaths: ['/app/cache'],
    },
  ],
  environments: { local: { target: 'compose' } },
};

/** Writes the compose outputs under `out/docker/`, as synth --out does. */
function writeCompose(out: string): string {
  for (const f of renderOutputs(spec, {}).files.filter((x) => x.path.startsWith('docker/'))) {
    mkdirSync(dirname(join(out, f.path)), { recursive: true });
    writeFileSync(join(out, f.path), f.content);
  }
  return join(out, 'docker', 'docker-compose.yml');
}

describe('compose strings through the real docker compose config', () => {
  it('keeps every literal $ (commands, health checks, labels, env) and interpolates only secrets', () => {
    const s: StackSpec = {
      name: 'dollars',
      services: [
        {
          name: 'app',
          role: 'worker',
          image: { ref: 'example/app:1.0' },
          entrypoint: ['sh', '-c'],
          command: ['echo $HOSTNAME'],
          env: { PRICE: '$5' },
          annotations: { cost: '$5' },
          health: { liveness: { exec: { command: ['sh', '-c', 'test -n "$HOSTNAME"'] } } },
        },
      ],
      environments: { local: { target: 'compose' } },
    };
    const file = renderOutputs(s, {}).files.find((f) => f.path === 'docker/docker-compose.yml')!.content;
    const r = spawnSync(COMPOSE[0], [...COMPOSE.slice(1), '-f', '-', 'config'], { input: file, encoding: 'utf8' });
    expect(r.stderr).not.toMatch(/variable is not set/);
    const normalised = dockerComposeConfig({ 'docker-compose.yml': file });
    expect(normalised).toContain('echo $$HOSTNAME');
    expect(normalised).toContain('test -n "$$HOSTNAME"');
    expect(normalised).toMatch(/cost: \$\$5/);
    expect(normalised).toMatch(/PRICE: \$\$5/);
  });

  it('resolves config-file binds beside the compose file wherever the output goes', () => {
    const out = mkdtempSync(join(tmpdir(), 'compose-out-'));
    try {
      const composeFile = writeCompose(out);
      const r = execFileSync(COMPOSE[0], [...COMPOSE.slice(1), '-f', composeFile, 'config'], { encoding: 'utf8', env: { ...process.env, PROBE_TOKEN_FILE: '/dev/null' } });
      expect(r).toContain(`source: ${join(out, 'docker', 'files', 'local', 'probe', 'etc-probe-app.conf')}`);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

// Skipped on a machine without the engine or the base; in CI a missing base is a failure, not a skip.
(baseThere || process.env.CI ? describe : describe.skip)(`a real container (image built from ${BASE})`, () => {
  const out = mkdtempSync(join(tmpdir(), 'compose-run-'));
  const project = `specprobe${process.pid}`;
  const composeFile = writeCompose(out);
  const tokenFile = join(out, 'token');
  const compose = (args: string[]) =>
    spawnSync(COMPOSE[0], [...COMPOSE.slice(1), '-p', project, '-f', composeFile, ...args], { encoding: 'utf8', env: { ...process.env, PROBE_TOKEN_FILE: tokenFile } });

  beforeAll(() => {
    writeFileSync(tokenFile, 's3cret-from-a-file\n');
    const ctx = join(out, 'image');
    mkdirSync(ctx);
    // Directories the image owns for its user, as official images do for their data and cache dirs.
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${BASE}\nRUN mkdir -p /app/cache /data && chown 1000:1000 /app/cache /data\n`);
    const b = spawnSync(DOCKER.docker, [...DOCKER.build, '-q', '-t', IMAGE, ctx], { encoding: 'utf8', env: { ...process.env, ...DOCKER.buildEnv } });
    if (b.status !== 0) throw new Error(`building ${IMAGE} failed: ${b.stderr}`);
  }, 180_000);

  afterAll(() => {
    compose(['down', '-v', '--remove-orphans']);
    docker(['rmi', '-f', IMAGE]);
    rmSync(out, { recursive: true, force: true });
  }, 60_000);

  it('mounts config and secret files read-only, keeps $ literal, makes the tmpfs writable for the uid, and keeps volume data across down/up', () => {
    const first = compose(['run', '--rm', 'probe']);
    expect(first.stderr).not.toMatch(/variable is not set/);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('price=$5');
    expect(first.stdout).toContain('s3cret-from-a-file');
    expect(first.stdout).toMatch(/host=[0-9a-f]{12}/);
    expect(first.stdout).toContain('cache-writable');
    expect(first.stdout).toContain('runs=1');
    expect(compose(['down']).status).toBe(0);
    const second = compose(['run', '--rm', 'probe']);
    expect(second.stdout).toContain('runs=2');
    // Read-only: the container cannot change a mounted file.
    const write = compose(['run', '--rm', '--entrypoint', 'sh', 'probe', '-c', 'echo x > /etc/probe/app.conf']);
    expect(write.status).not.toBe(0);
  }, 180_000);

  it('starts a dependent after its job completed and its health-less dependency started, and leaves a scheduled job out of up', () => {
    const order: StackSpec = {
      name: 'order',
      services: [
        { name: 'seed', role: 'worker', image: { ref: IMAGE }, entrypoint: ['sh', '-c'], command: ['sleep 2; echo seeded'], job: {} },
        { name: 'plain', role: 'worker', image: { ref: IMAGE }, entrypoint: ['sleep'], command: ['300'] },
        { name: 'app', role: 'worker', image: { ref: IMAGE }, entrypoint: ['sleep'], command: ['300'], dependsOn: ['seed', 'plain'] },
        { name: 'nightly', role: 'worker', image: { ref: IMAGE }, entrypoint: ['echo'], command: ['nightly ran'], job: { schedule: '0 3 * * *' } },
      ],
      environments: { local: { target: 'compose' } },
    };
    const dir = join(out, 'order');
    mkdirSync(dir);
    const file = join(dir, 'docker-compose.yml');
    writeFileSync(file, renderOutputs(order, {}).files.find((f) => f.path === 'docker/docker-compose.yml')!.content);
    const p = `${project}order`;
    const dc = (args: string[]) => spawnSync(COMPOSE[0], [...COMPOSE.slice(1), '-p', p, '-f', file, ...args], { encoding: 'utf8' });
    try {
      const up = dc(['up', '-d']);
      expect(up.status).toBe(0);
      const inspect = (svc: string) => {
        // -a: Compose v2 lists only running containers without it; the job has exited.
        const id = dc(['ps', '-a', '-q', svc]).stdout.trim();
        return id ? JSON.parse(docker(['inspect', id]).stdout)[0].State : undefined;
      };
      const seed = inspect('seed');
      const app = inspect('app');
      expect(seed.ExitCode).toBe(0);
      expect(Date.parse(app.StartedAt)).toBeGreaterThanOrEqual(Date.parse(seed.FinishedAt));
      expect(inspect('plain').Running).toBe(true);
      expect(inspect('nightly')).toBeUndefined();
      expect(dc(['run', '--rm', 'nightly']).stdout).toContain('nightly ran');
    } finally {
      dc(['down', '-v', '--remove-orphans', '-t', '1']);
    }
  }, 180_000);
});
