import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { validate } from '@todo/service-spec';
import { importCompose, seconds, shellWords } from '../src/import/compose-import';
import { differences, roundTrip, unexplained } from './import-round-trip';
import { repoRoot } from './support';

/** Public compose files are fetched into tmp/import-public/<case>/ (see fixtures/import/SOURCES.md); not committed. */
const PUBLIC = join(repoRoot, 'tmp', 'import-public');

function composeFileIn(dir: string): string {
  const f = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'].map((n) => join(dir, n)).find(existsSync);
  if (!f) throw new Error(`no compose file in ${dir}`);
  return f;
}

// The corpus under fixtures/import/ runs through the stricter semantic round trip in import-corpus.test.ts.
const cases = [
  // The compose files synth writes for the public-stack fixtures (their specs describe real public stacks):
  // compose -> spec -> compose must agree on these as well, with every difference named.
  ...['express-bull', 'nginx-flask-mysql', 'prometheus-grafana', 'gitea-postgres', 'nextcloud', 'voting-app'].map((n) => [
    `public-stack-output/${n}`,
    join(__dirname, 'fixtures', n, 'expected', 'docker-compose.yml'),
  ]),
  ...(existsSync(PUBLIC) ? readdirSync(PUBLIC, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => [`public/${e.name}`, composeFileIn(join(PUBLIC, e.name))]) : []),
];

describe('import: compose -> spec -> synth -> compose config agrees, or the report names each difference', () => {
  it.each(cases)('%s', (_name, file) => {
    const r = roundTrip(file);
    try {
      expect(r.importCode).toBe(0);
      expect(r.synth.err).toBe('');
      expect(r.synth.code).toBe(0);
      expect(r.unexplained).toEqual([]);
      // The comparison is not vacuous: every case here differs somewhere (127.0.0.1 binds, volume names, ...).
      expect(r.differences.length).toBeGreaterThan(0);
    } finally {
      rmSync(r.work, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('import: field by field', () => {
  const repoPath = (p: string) => p.replace(/^\.\//, '');
  it('keeps build.dockerfile relative to the context, as compose has it; the default Dockerfile is left implicit', () => {
    const posixPath = (p: string) => (posix.normalize(p).startsWith('../') ? undefined : posix.normalize(p));
    const { spec } = importCompose(
      {
        services: {
          api: { build: { context: './apps/api', dockerfile: 'docker/Dockerfile.prod' } },
          web: { build: './apps/web' },
          up: { build: { context: 'apps/up', dockerfile: '../shared/Dockerfile' } },
          out: { build: { context: '.', dockerfile: '../elsewhere/Dockerfile' } },
        },
      },
      { name: 'demo', repoPath: posixPath },
    );
    const image = (n: string) => spec.services.find((s) => s.name === n)!.image;
    expect(image('api')).toEqual({ build: { context: 'apps/api', dockerfile: 'docker/Dockerfile.prod' } });
    expect(image('web')).toEqual({ build: { context: 'apps/web' } });
    expect(image('up')).toEqual({ build: { context: 'apps/up', dockerfile: '../shared/Dockerfile' } });
    // A Dockerfile outside the repository cannot be built from it.
    expect(image('out')).toEqual({ ref: 'demo-out:0.1.0' });
  });
  it('reads the v1.29 form: version key, list depends_on, string command, env map', () => {
    const { spec, report } = importCompose(
      { version: '3.7', services: { web: { image: 'example/web:1.2', command: 'serve --port "8 0"', depends_on: ['db'], environment: { A: '1' } }, db: { image: 'postgres:16-alpine', expose: [5432] } } },
      { name: 'demo', repoPath },
    );
    const web = spec.services.find((s) => s.name === 'web')!;
    expect(web.command).toEqual(['serve', '--port', '8 0']);
    expect(web.dependsOn).toEqual([{ service: 'db', condition: 'started' }]);
    expect(report).toContainEqual({ path: 'services.web.depends_on.db', status: 'mapped', message: 'waits until started' });
    expect(spec.services.find((s) => s.name === 'db')).toMatchObject({ role: 'database', user: { uid: 70, gid: 70 } });
  });

  it('asks for decisions on a floating tag, a missing health check and a missing uid', () => {
    const { report } = importCompose({ services: { app: { image: 'example/app:latest' } } }, { name: 'demo', repoPath });
    const decisions = report.filter((e) => e.status === 'decision').map((e) => e.path);
    expect(decisions).toEqual(expect.arrayContaining(['services.app.image', 'services.app.healthcheck', 'services.app.user']));
  });

  it('names what it cannot map, and turns secret-looking values into secret references', () => {
    const { spec, report } = importCompose(
      { services: { app: { image: 'example/app:1', environment: ['DB_PASSWORD=hunter2', 'FROM_HOST'], logging: { driver: 'none' }, working_dir: '/x' } } },
      { name: 'demo', repoPath },
    );
    expect(spec.services[0].secrets).toEqual({ DB_PASSWORD: { secret: 'demo-app', key: 'db-password', localDefault: 'hunter2' } });
    expect(spec.services[0].env).toBeUndefined();
    const unmapped = report.filter((e) => e.status === 'unmapped').map((e) => e.path);
    expect(unmapped).toEqual(expect.arrayContaining(['services.app.environment.FROM_HOST', 'services.app.working_dir']));
    // Other logging than the rotated local driver synth writes is a decision, with the way to keep it.
    expect(report.find((e) => e.path === 'services.app.logging')).toMatchObject({ status: 'decision', message: expect.stringContaining('environments.<env>.patches.compose.app.logging') });
  });

  it('secret detection: *_TOKEN and *_KEY names, and a URL with a password under any name, become secrets that validate', () => {
    const environment = { GITHUB_TOKEN: 'ghp_x', STRIPE_KEY: 'k', CACHE_URL: 'redis://user:pa55@cache:6379/0', PLAIN_URL: 'http://api:8000/', MODE: 'fast' };
    const { spec } = importCompose({ services: { app: { image: 'example/app:1', environment } } }, { name: 'demo', repoPath });
    expect(Object.keys(spec.services[0].secrets ?? {}).sort()).toEqual(['CACHE_URL', 'GITHUB_TOKEN', 'STRIPE_KEY']);
    expect(spec.services[0].env).toEqual({ PLAIN_URL: 'http://api:8000/', MODE: 'fast' });
    expect(validate(spec).filter((i) => i.path.includes('.env.') || i.path.includes('.secrets.'))).toEqual([]);
  });

  // Issue 19: "a file path named *_KEY becomes a secret". The importer, validation and the gate use one judgement.
  it('secret detection: a *_KEY or credentials variable whose value is a file path stays plain env, and validates', () => {
    const environment = { SSL_KEY: '/run/secrets/key.pem', GOOGLE_APPLICATION_CREDENTIALS: '/etc/gcp/credentials.json', SECRET_KEY: 's3cr3t' };
    const { spec } = importCompose({ services: { app: { image: 'example/app:1', environment } } }, { name: 'demo', repoPath });
    expect(spec.services[0].env).toEqual({ SSL_KEY: '/run/secrets/key.pem', GOOGLE_APPLICATION_CREDENTIALS: '/etc/gcp/credentials.json' });
    expect(Object.keys(spec.services[0].secrets ?? {})).toEqual(['SECRET_KEY']);
    expect(validate(spec).filter((i) => i.path.includes('.env.') || i.path.includes('.secrets.'))).toEqual([]);
  });

  it('what changes nothing is mapped, not "cannot map": an x- extension field (compose ignores it) and a volume with driver: local (compose\'s default)', () => {
    const { report } = importCompose(
      { 'x-common': { image: 'example/app:1' }, services: { app: { image: 'example/app:1', volumes: ['data:/data', 'other:/other'] } }, volumes: { data: { driver: 'local' }, other: { driver: 'nfs' } } },
      { name: 'demo', repoPath },
    );
    const status = (path: string) => report.filter((e) => e.path === path).map((e) => e.status);
    expect([status('x-common'), status('volumes.data.driver'), status('volumes.other.driver')]).toEqual([['mapped'], ['mapped'], ['unmapped']]);
  });

  it('reads the logging synth writes (max-file as a number or a string) as mapped', () => {
    for (const maxFile of [3, '3']) {
      const { report } = importCompose({ services: { app: { image: 'example/app:1', logging: { driver: 'local', options: { 'max-size': '10m', 'max-file': maxFile } } } } }, { name: 'demo', repoPath });
      expect(report.find((e) => e.path === 'services.app.logging')?.status).toBe('mapped');
    }
  });

  it('maps entrypoint and command apart, file secrets, dependency conditions, one-shot jobs and talks-to edges', () => {
    const { spec } = importCompose(
      {
        services: {
          app: { image: 'a:1', entrypoint: ['/init'], command: ['serve'], secrets: ['db-pass'], environment: { CACHE_URL: 'redis://cache:6379' }, depends_on: { migrate: { condition: 'service_completed_successfully' } } },
          migrate: { image: 'a:1', command: ['migrate'] },
          cache: { image: 'redis:7.2', expose: [6379] },
        },
        secrets: { 'db-pass': { file: './pass.txt' } },
      },
      { name: 'demo', repoPath },
    );
    const app = spec.services.find((s) => s.name === 'app')!;
    expect(app).toMatchObject({ entrypoint: ['/init'], command: ['serve'], files: [{ path: '/run/secrets/db-pass', secret: { secret: 'demo-db-pass', key: 'value' } }], dependsOn: [{ service: 'migrate', condition: 'completed' }], talksTo: ['cache'] });
    expect(spec.services.find((s) => s.name === 'migrate')!.job).toEqual({});
  });

  it('unescapes $$ and interpolates as compose does (never the process environment): an unset variable is "" and a decision', () => {
    const { spec, report } = importCompose({ services: { app: { image: 'a:1', environment: { P: 'cost $$5', Q: '${HOME}/x' } } } }, { name: 'demo', repoPath });
    expect(spec.services[0].env).toEqual({ P: 'cost $5', Q: '/x' });
    expect(report).toContainEqual(expect.objectContaining({ path: 'services.app.environment.Q', status: 'decision', message: expect.stringContaining('--env HOME=VALUE') }));
  });

  it('parses compose durations and shell words', () => {
    expect([seconds('1m30s'), seconds('500ms'), seconds('10s')]).toEqual([90, 1, 10]);
    expect(shellWords(`a "b c" 'd e' f\\ g`)).toEqual(['a', 'b c', 'd e', 'f g']);
  });
});

describe('the round-trip comparison itself', () => {
  const original = { services: { api: { image: 'a:1', ports: ['8080:80'], environment: { A: '1', B: '2' }, depends_on: ['db'], command: 'serve --x' } } };
  it('finds a dropped env var, a changed port, a changed command and a changed dependency condition', () => {
    const generated = { services: { api: { image: 'a:1', ports: ['127.0.0.1:8080:80'], environment: { A: '1' }, depends_on: { db: { condition: 'service_healthy' } }, command: ['serve'] } } };
    expect(differences(original, generated).map((d) => d.what.split(' ')[0])).toEqual(['ports', 'env', 'depends_on', 'command']);
  });
  it('a difference counts as explained only by a decision or cannot-map line on that field', () => {
    const diffs = differences(original, { services: { api: { ...original.services.api, environment: { A: '1' } } } });
    expect(unexplained(diffs, [{ status: 'mapped', path: 'services.api.environment.B', message: '' }])).toHaveLength(1);
    expect(unexplained(diffs, [{ status: 'decision', path: 'services.api.environment.A', message: '' }])).toHaveLength(1);
    expect(unexplained(diffs, [{ status: 'unmapped', path: 'services.api.environment.B', message: '' }])).toHaveLength(0);
  });
});

describe('import: a real-world compose file, every field accounted for', () => {
  const repoPath = (p: string) => p.replace(/^\.\//, '');
  const defaults = { restart: 'on-failure:3', labels: { team: 'a' }, logging: { driver: 'json-file' } };
  const compose = {
    name: 'Shop',
    'x-defaults': defaults,
    services: {
      web: {
        ...defaults,
        build: { context: '.', dockerfile: 'Dockerfile', target: 'prod', dockerfile_inline: 'FROM x', pull: true },
        image: 'shop/web:1',
        ports: ['127.0.0.1:8080:80/udp', '8081:80/udp', '3000', { target: 443, published: '8443', protocol: 'tcp', mode: 'host', app_protocol: 'https' }, { target: 444, published: '9000-9001' }],
        environment: ['MODE=prod', 'DB_HOST=db', 'FROM_HOST'],
        env_file: ['.env'],
        depends_on: { db: { condition: 'service_healthy', required: false, restart: true }, migrate: { condition: 'service_completed_successfully' } },
        healthcheck: { test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], interval: '10s', start_interval: '1s' },
        entrypoint: '/docker-entrypoint.sh --verbose',
        volumes: ['data:/var/lib/data:ro', './src:/app:ro,z', '/tmp/cache', { type: 'volume', source: 'logs', target: '/logs', read_only: true, volume: { nocopy: true } }, { type: 'tmpfs', target: '/run', tmpfs: { size: 1000 } }],
        secrets: [{ source: 'pw', target: 'db_pw', mode: 0o400, uid: '1000' }],
        configs: [{ source: 'cfg', target: '/etc/app.conf', mode: 0o444 }],
        deploy: { replicas: 2, resources: { limits: { cpus: '0.5', memory: '512M', pids: 100 }, reservations: { memory: '128m', devices: [{ capabilities: ['gpu'] }] } }, restart_policy: { condition: 'on-failure' } },
        profiles: ['prod'],
        'x-owner': 'team-a',
        user: '1000:1000',
      },
      db: { image: 'postgres:16', environment: { POSTGRES_PASSWORD: 'pw', PGDATA: '/var/lib/postgresql/data/pg' }, healthcheck: { test: ['NONE'] }, expose: ['5432'], volumes: ['ext:/var/lib/postgresql/data'] },
      migrate: { image: 'shop/migrate:1', command: ['migrate', 'up'], depends_on: ['db'], healthcheck: { disable: true }, deploy: { resources: { limits: { cpus: 1 } } } },
    },
    volumes: { data: { driver: 'local', driver_opts: { type: 'none' } }, ext: { external: true, name: 'pgdata' }, logs: null },
    secrets: { pw: { file: './pw.txt' } },
    configs: { cfg: { file: './cfg.conf' } },
    networks: { front: {} },
  };

  /** Every leaf of the compose file by path; list items of environment/depends_on by their key, as the report names them. */
  function leaves(v: unknown, path: string, out: string[] = []): string[] {
    if (Array.isArray(v) && /\.(environment|depends_on)$/.test(path)) v.forEach((e) => out.push(`${path}.${String(e).split('=')[0]}`));
    else if (Array.isArray(v) && v.length) v.forEach((e, i) => leaves(e, `${path}[${i}]`, out));
    else if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length) for (const [k, x] of Object.entries(v)) leaves(x, path ? `${path}.${k}` : k, out);
    else out.push(path);
    return out;
  }

  it('every leaf is mapped, a decision or cannot-map, by a report line on it or a field above it (not the whole service)', () => {
    const { report } = importCompose(compose, { name: 'demo', repoPath });
    const covers = (entry: string, leaf: string) => {
      if (entry === 'volumes') return /^volumes\.[^.[]+$/.test(leaf); // a volume declared without options
      if (/^services\.[^.]+$/.test(entry)) return false;
      return leaf === entry || leaf.startsWith(`${entry}.`) || leaf.startsWith(`${entry}[`);
    };
    const silent = leaves(compose, '').filter((leaf) => !report.some((e) => covers(e.path, leaf)));
    expect(silent).toEqual([]);
  });

  it('reports what compose does and the spec does not: a second host port, read-only mounts, optional dependencies, retry limits', () => {
    const { spec, report } = importCompose(compose, { name: 'demo', repoPath });
    const at = (path: string) => report.filter((e) => e.path === path).map((e) => `${e.status}: ${e.message}`).join('\n');
    expect(at('services.web.ports[1]')).toMatch(/decision: container port 80 is also published on host port 8081/);
    expect(at('services.web.ports[4]')).toMatch(/decision: compose publishes container port 444 on one free host port of 9000-9001; the spec publishes a fixed port: left unpublished/);
    expect(at('services.web.ports[3].mode')).toMatch(/^unmapped/);
    expect(at('services.web.volumes[0]')).toMatch(/decision: mount option ro is not modelled/);
    // ro on a bind is modelled (a read-only dev mount); z is not.
    expect(at('services.web.volumes[1]')).toMatch(/decision: mount option z is not modelled/);
    expect(at('services.web.volumes[3]')).toMatch(/decision: mount options ro, volume: \{"nocopy":true\} are not modelled/);
    expect(at('services.web.depends_on.db.required')).toMatch(/^decision/);
    expect(at('services.web.depends_on.db.restart')).toMatch(/^unmapped/);
    expect(at('services.web.restart')).toMatch(/decision: the retry limit in "on-failure:3"/);
    expect(at('services.web.healthcheck.start_interval')).toMatch(/^unmapped/);
    expect(at('services.web.build.dockerfile_inline')).toMatch(/^unmapped/);
    expect(at('services.web.build.target')).toMatch(/^unmapped/);
    expect(at('volumes.ext.external')).toMatch(/^decision/);
    // driver: local with driver_opts is a bind or a device: not modelled. driver: local alone is compose's default.
    expect(at('volumes.data.driver')).toMatch(/^unmapped/);
    expect(at('volumes.data.driver_opts')).toMatch(/^unmapped/);
    expect(at('services.db.healthcheck')).toMatch(/unmapped: healthcheck test NONE/);
    expect(at('services.migrate.healthcheck')).toMatch(/unmapped: healthcheck disabled/);
    const web = spec.services.find((s) => s.name === 'web')!;
    expect(web.ports).toEqual([{ name: 'http', port: 80, protocol: 'UDP', hostPort: 8080 }, { name: 'http-3000', port: 3000 }, { name: 'https', port: 443, hostPort: 8443 }, { name: 'p444', port: 444 }]);
    expect(web.entrypoint).toEqual(['/docker-entrypoint.sh', '--verbose']);
    // No timeout in compose: its default 30s is kept (the spec's own default is 3s).
    expect(web.health?.liveness).toEqual({ exec: { command: ['sh', '-c', 'curl -f http://localhost/ || exit 1'] }, periodSeconds: 10, timeoutSeconds: 30 });
    // db's healthcheck is NONE: "healthy" could never be reached, so it waits for "started" (a line at services.web.depends_on.db says so).
    expect(web.dependsOn).toEqual([{ service: 'db', condition: 'started' }, { service: 'migrate', condition: 'completed' }]);
    expect(web.writablePaths).toEqual(['/tmp/cache', '/run']);
    // Two replicas share each volume, as compose's one named volume: ReadWriteMany (a line at each volume says so).
    expect(web.volumes).toEqual([{ name: 'data', mountPath: '/var/lib/data', accessMode: 'ReadWriteMany' }, { name: 'logs', mountPath: '/logs', accessMode: 'ReadWriteMany' }]);
    expect(web.dev?.mounts).toEqual([{ source: 'src', target: '/app' }]);
    expect(at('services.web.profiles')).toMatch(/^mapped: profiles prod: /);
    expect(web.profiles).toEqual(['prod']);
  });

  it('entrypoint/command: null keeps the image default; an empty one clears it in compose and is a decision, never an empty list or "null"', () => {
    const { spec, report } = importCompose({ services: { a: { image: 'x/a:1', entrypoint: [], command: null }, b: { image: 'x/b:1', entrypoint: null, command: '' } } }, { name: 'demo', repoPath });
    for (const s of spec.services) {
      expect(s.entrypoint).toBeUndefined();
      expect(s.command).toBeUndefined();
    }
    const at = (path: string) => report.filter((e) => e.path === path).map((e) => e.status);
    expect([at('services.a.entrypoint'), at('services.a.command'), at('services.b.entrypoint'), at('services.b.command')]).toEqual([['decision'], ['mapped'], ['mapped'], ['decision']]);
  });

  it('maps the service-level cpus, mem_limit and mem_reservation too', () => {
    const { spec, report } = importCompose({ services: { a: { image: 'x/a:1', cpus: 0.25, mem_limit: '1g', mem_reservation: '300m' } } }, { name: 'demo', repoPath });
    expect(spec.services[0].resources).toEqual({ cpuMillis: { request: 100, limit: 250 }, memoryMiB: { request: 300, limit: 1024 } });
    expect(report).toContainEqual(expect.objectContaining({ path: 'services.a.mem_limit', status: 'mapped', message: '1024 MiB limit' }));
    expect(report.filter((e) => e.path === 'services.a.cpus').map((e) => e.status)).toEqual(['mapped']);
    // The completed side is reported where compose leaves it unset: the CPU reservation (compose's deploy form; there is no service-level one).
    expect(report).toContainEqual({ path: 'services.a.deploy.resources.reservations.cpus', status: 'decision', message: 'cpus reservation not set in compose; imported as 100 millicpu: confirm it' });
    const onlyLimit = importCompose({ services: { b: { image: 'x/b:1', mem_limit: '2g' } } }, { name: 'demo', repoPath });
    expect(onlyLimit.report.filter((e) => e.status === 'decision' && /^memory reservation/.test(e.message)).map((e) => e.path)).toEqual(['services.b.deploy.resources.reservations.memory']);
  });

  it('maps deploy.resources to the spec resources, completing a missing side from the defaults with a decision', () => {
    const { spec, report } = importCompose(compose, { name: 'demo', repoPath });
    expect(spec.services.find((s) => s.name === 'web')!.resources).toEqual({ cpuMillis: { request: 100, limit: 500 }, memoryMiB: { request: 128, limit: 512 } });
    expect(spec.services.find((s) => s.name === 'migrate')!.resources).toEqual({ cpuMillis: { request: 100, limit: 1000 } });
    expect(report).toContainEqual(expect.objectContaining({ path: 'services.web.deploy.resources.limits.memory', status: 'mapped', message: '512 MiB limit' }));
    expect(report).toContainEqual(expect.objectContaining({ path: 'services.web.deploy.resources.reservations.cpus', status: 'decision', message: 'cpus reservation not set in compose; imported as 100 millicpu: confirm it' }));
    expect(report).toContainEqual(expect.objectContaining({ path: 'services.web.deploy.resources.limits.pids', status: 'unmapped' }));
    expect(validate(spec).filter((i) => /resources/.test(i.path))).toEqual([]);
  });
});

it('infra import applies YAML merge keys (<<: *anchor), as compose does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'infra-import-'));
  try {
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, ['x-common: &common', '  restart: unless-stopped', '  environment:', '    MODE: prod', 'services:', '  app:', '    <<: *common', '    image: example/app:1', ''].join('\n'));
    const r = spawnSync(process.execPath, ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', 'import', file, '--out', join(dir, 'stack.yaml'), '--name', 'demo'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('services.app.<<');
    const spec = readFileSync(join(dir, 'stack.yaml'), 'utf8');
    expect(spec).toMatch(/restart: always/);
    expect(spec).toMatch(/MODE: prod/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
