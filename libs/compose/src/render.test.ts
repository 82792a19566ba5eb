import { resolve, type StackSpec } from '@todo/service-spec';
import { composeHealthCommand } from './health';
import { composeConfigFiles, renderCompose, renderComposeDev } from './render';
import { escapeDollars, secretInterpolation, secretVariable } from './secrets';
import { composeWarnings } from './warnings';

const spec: StackSpec = {
  name: 'mini',
  services: [
    { name: 'cache', role: 'cache', image: { ref: 'redis:7.2-alpine' }, ports: [{ name: 'redis', port: 6379 }], health: { liveness: { exec: { command: ['redis-cli', 'ping'] } } } },
    {
      name: 'app',
      role: 'api',
      runtime: 'node',
      image: { ref: 'example/app:1.0' },
      ports: [{ name: 'http', port: 8080, hostPort: 18080 }],
      env: { PRICE: 'costs $5' },
      secrets: { TOKEN: { secret: 'app-token', key: 'value' } },
      health: { liveness: { http: { path: '/healthz', port: 'http' } } },
      dependsOn: ['cache'],
      replicas: 2,
    },
  ],
  environments: { local: { target: 'compose' }, k: { target: 'kubernetes', podDisruptionBudgets: true } },
};

describe('secrets in compose', () => {
  it('derives one host variable per secret key', () => {
    expect(secretVariable({ secret: 'todo-backend', key: 'database-url' })).toBe('TODO_BACKEND_DATABASE_URL');
  });

  it.each([
    [{ name: 'A', secret: 's', key: 'k', optional: false }, '${S_K:?set S_K to the value of secret s key k}'],
    [{ name: 'A', secret: 's', key: 'k', optional: true }, '${S_K:-}'],
    [{ name: 'A', secret: 's', key: 'k', optional: false, localDefault: 'pa$s' }, '${S_K:-pa$$s}'],
  ])('interpolates %j as %s', (ref, expected) => expect(secretInterpolation(ref)).toBe(expected));

  it('escapes $ in literal values', () => expect(escapeDollars('a$b$$')).toBe('a$$b$$$$'));
});

describe('renderCompose', () => {
  const doc = renderCompose(resolve(spec, 'local'));

  it('refuses a Kubernetes environment', () => {
    expect(() => renderCompose(resolve(spec, 'k'))).toThrow('environment "k" targets kubernetes, not compose');
  });

  it('publishes host ports on loopback only and escapes literal env', () => {
    expect(doc.services.app.ports).toEqual(['127.0.0.1:18080:8080']);
    expect(doc.services.app.environment).toEqual({ PRICE: 'costs $$5', TOKEN: '${APP_TOKEN_VALUE:?set APP_TOKEN_VALUE to the value of secret app-token key value}' });
  });

  it('waits for healthy dependencies over a network per dependency edge', () => {
    expect(doc.services.app.depends_on).toEqual({ cache: { condition: 'service_healthy' } });
    expect(doc.services.app.networks).toEqual(['cache-net']);
    expect(doc.services.cache.networks).toEqual(['cache-net']);
    expect(doc.networks).toEqual({ 'cache-net': { driver: 'bridge' } });
  });

  it('runs http health checks with the runtime inside the image', () => {
    expect((doc.services.app.healthcheck as any).test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
  });

  it('writes no dev override for a stack without dev settings', () => {
    expect(renderComposeDev(resolve(spec, 'local'))).toEqual({ services: {} });
  });

  it('warns about what compose cannot express', () => {
    expect(composeWarnings(resolve(spec, 'local')).map((w) => w.path)).toEqual(['services.cache.resources.cpuMillis.request', 'services.app.resources.cpuMillis.request', 'services.app.replicas']);
  });
});

describe('compose health commands', () => {
  const base = { name: 'x', role: 'api' as const, image: { ref: 'x:1' }, ports: [{ name: 'http', port: 8000 }] };
  const stack = (svc: any) => resolve({ name: 's', services: [{ ...base, ...svc }], environments: { local: { target: 'compose' } } }, 'local');
  const cmd = (svc: any) => composeHealthCommand(stack(svc).services[0]);

  it('uses the image runtime against 127.0.0.1 for HTTP and TCP checks', () => {
    expect(cmd({ runtime: 'python', health: { readiness: { http: { path: '/ready', port: 'http' } } } })).toEqual([
      'python',
      '-I',
      '-S',
      '-c',
      "import socket, sys; s = socket.create_connection(('127.0.0.1', 8000), 3); s.sendall(b'GET /ready HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n'); sys.exit(0 if s.makefile('rb').read(12)[9:10] in (b'2', b'3') else 1)",
    ]);
    expect(cmd({ runtime: 'node', health: { liveness: { tcp: { port: 'http' } } } })?.slice(0, 2)).toEqual(['node', '-e']);
    expect(cmd({ health: { liveness: { exec: { command: ['check'] } } } })).toEqual(['check']);
  });

  it('prefers the command the spec gives', () => {
    expect(cmd({ health: { liveness: { http: { path: '/', port: 'http' } }, composeCommand: ['wget', '-qO-', 'http://127.0.0.1:8000/'] } })).toEqual(['wget', '-qO-', 'http://127.0.0.1:8000/']);
  });

  it('invents nothing for an image with no known runtime: no healthcheck, and a parity line', () => {
    const s = stack({ health: { liveness: { http: { path: '/', port: 'http' } } } });
    expect(composeHealthCommand(s.services[0])).toBeUndefined();
    expect(renderCompose(s).services.x.healthcheck).toBeUndefined();
    expect(composeWarnings(s).map((w) => w.path)).toContain('services.x.health.composeCommand');
    // The fixes it offers fit the check: an HTTP client only for an HTTP check.
    const line = (health: object) => composeWarnings(stack({ health })).find((w) => w.path === 'services.x.health.composeCommand')?.message;
    expect(line({ liveness: { http: { path: '/', port: 'http' } } })).toMatch(/HTTP request: .*; set runtime, health\.composeHttpClient \(wget, curl or healthprobe in the image\) or health\.composeCommand$/);
    expect(line({ liveness: { tcp: { port: 'http' } } })).toMatch(/TCP request: .*; set runtime or health\.composeCommand$/);
  });

  it('a "healthy" dependency compose cannot health-check waits for start, and the parity report says so', () => {
    const two = resolve(
      {
        name: 's',
        services: [
          { ...base, name: 'x', health: { liveness: { http: { path: '/', port: 'http' } } } },
          { ...base, name: 'y', runtime: 'node', health: { liveness: { http: { path: '/', port: 'http' } } }, dependsOn: ['x'] },
        ],
        environments: { local: { target: 'compose' } },
      } as StackSpec,
      'local',
    );
    expect(renderCompose(two).services.y.depends_on).toEqual({ x: { condition: 'service_started' } });
    expect(composeWarnings(two).find((w) => w.path === 'services.y.dependsOn.x')?.message).toBe('waits for "x" to start, not to be healthy: compose has no health check for it');
  });
});

describe('renderCompose: container semantics, storage, files, jobs', () => {
  const wide: StackSpec = {
    name: 'wide',
    services: [
      { name: 'db', role: 'database', image: { ref: 'mariadb:10.11' }, ports: [{ name: 'mysql', port: 3306, hostPort: 3306 }], command: ['--log-bin=$HOST'], volumes: [{ name: 'data', mountPath: '/var/lib/mysql' }] },
      {
        name: 'app',
        role: 'api',
        image: { ref: 'example/app:1.0' },
        entrypoint: ['sh', '-c'],
        command: ['echo $HOSTNAME'],
        ports: [{ name: 'http', port: 8080, hostPort: 8080, hostAddress: '0.0.0.0' }],
        health: { liveness: { tcp: { port: 'http' } } },
        volumes: [{ name: 'uploads', mountPath: '/uploads' }],
        files: [
          { path: '/etc/app/app.conf', content: 'listen 8080' },
          { path: '/run/secrets/api-token', secret: { secret: 'app', key: 'token' } },
        ],
        labels: { team: 'payments' },
        annotations: { 'example.com/cost': '$5' },
        talksTo: ['db'],
        dependsOn: [{ service: 'migrate', condition: 'completed' }],
        restart: 'on-failure',
      },
      { name: 'migrate', role: 'worker', image: { ref: 'example/app:1.0' }, command: ['app', 'migrate'], job: { backoffLimit: 2 } },
      { name: 'nightly', role: 'worker', image: { ref: 'example/app:1.0' }, command: ['app', 'report'], job: { schedule: '0 3 * * *' }, restart: 'never' },
    ],
    environments: { local: { target: 'compose', patches: { compose: { app: { shm_size: '256m' } } } } },
  };
  const stack = resolve(wide, 'local');
  const doc = renderCompose(stack);
  const svc = (n: string) => doc.services[n] as any;

  it('maps entrypoint to entrypoint and command (arguments) to command, escaping $', () => {
    expect([svc('db').entrypoint, svc('db').command]).toEqual([undefined, ['--log-bin=$$HOST']]);
    expect([svc('app').entrypoint, svc('app').command]).toEqual([['sh', '-c'], ['echo $$HOSTNAME']]);
  });

  it('keeps volumes of any service in named volumes', () => {
    expect(svc('app').volumes).toContainEqual({ type: 'volume', source: 'app-uploads', target: '/uploads' });
    expect(Object.keys(doc.volumes!).sort()).toEqual(['app-uploads', 'db-data']);
  });

  it('binds config files generated beside the compose file, and secret files from a host path variable, read-only', () => {
    expect(svc('app').volumes).toContainEqual({ type: 'bind', source: './files/local/app/etc-app-app.conf', target: '/etc/app/app.conf', read_only: true });
    expect(svc('app').volumes).toContainEqual({
      type: 'bind',
      source: '${APP_TOKEN_FILE:?set APP_TOKEN_FILE to a file holding secret app key token}',
      target: '/run/secrets/api-token',
      read_only: true,
    });
    expect(composeConfigFiles(stack)).toEqual([{ path: 'files/local/app/etc-app-app.conf', content: 'listen 8080' }]);
  });

  it('waits per condition: started without a compose health check, completed for a job; talksTo only joins the network', () => {
    expect(svc('app').depends_on).toEqual({ migrate: { condition: 'service_completed_successfully' } });
    expect(svc('app').networks).toEqual(['db-net']);
    expect(svc('db').networks).toEqual(['db-net']);
    expect(svc('migrate').restart).toBe('on-failure:2');
  });

  it('leaves a scheduled job out of `up` (profile) and reports the schedule', () => {
    expect(svc('nightly').profiles).toEqual(['scheduled-jobs']);
    expect(svc('nightly').restart).toBe('no');
    expect(composeWarnings(stack).find((w) => w.path === 'services.nightly.job.schedule')?.message).toContain('docker-compose run --rm nightly');
  });

  it('publishes on the spec host address, sets restart, labels and annotations (escaped), and applies extra keys last', () => {
    expect(svc('app').ports).toEqual(['0.0.0.0:8080:8080']);
    expect(svc('db').ports).toEqual(['127.0.0.1:3306:3306']);
    expect(svc('app').restart).toBe('on-failure');
    expect(svc('app').labels).toMatchObject({ team: 'payments', 'example.com/cost': '$$5' });
    expect(svc('app').shm_size).toBe('256m');
    expect(composeWarnings(stack).map((w) => w.path)).toContain('environments.local.patches.compose.app');
  });

  it('makes each tmpfs writable by the service uid (mode alone leaves an image directory root-owned)', () => {
    const s = resolve({ ...wide, services: [{ ...wide.services[2], writablePaths: ['/app/.next/cache'], user: { uid: 1001, gid: 1002 } }], environments: { local: { target: 'compose' } } }, 'local');
    expect((renderCompose(s).services.migrate as any).tmpfs).toEqual(['/app/.next/cache:uid=1001,gid=1002,mode=1777']);
  });
});

describe('compose: conditions compose cannot check, and the dev override', () => {
  const spec: StackSpec = {
    name: 'gaps',
    services: [
      // An HTTP check with no known runtime: Kubernetes probes it, compose has no healthcheck to wait on.
      { name: 'web', role: 'web', image: { ref: 'example/web:1.0' }, ports: [{ name: 'http', port: 8080 }], health: { liveness: { http: { path: '/', port: 'http' } } } },
      {
        name: 'app',
        role: 'api',
        image: { ref: 'example/app:1.0' },
        dependsOn: ['web'],
        dev: { command: ['sh', '-c', 'echo $HOME'], env: { PROMPT: '$ ' }, mounts: [{ source: 'apps/app/src', target: '/app/src' }] },
      },
    ],
    environments: { local: { target: 'compose' } },
  };
  const stack = resolve(spec, 'local');

  it('waits for "started" where the spec says healthy but compose has no health check to wait on', () => {
    expect(renderCompose(stack).services.web.healthcheck).toBeUndefined();
    expect(renderCompose(stack).services.app.depends_on).toEqual({ web: { condition: 'service_started' } });
  });

  it('escapes $ in the dev command and dev env', () => {
    const dev = renderComposeDev(stack).services.app as any;
    expect(dev.command).toEqual(['sh', '-c', 'echo $$HOME']);
    expect(dev.environment).toEqual({ PROMPT: '$$ ' });
    expect(dev.volumes).toEqual([{ type: 'bind', source: '../apps/app/src', target: '/app/src', read_only: true }]);
  });
});

describe('compose: the migration one-shot', () => {
  const spec: StackSpec = {
    name: 'mig',
    services: [
      {
        name: 'api',
        role: 'api',
        image: { ref: 'example/api:1.0' },
        migration: { entrypoint: ['sh', '-c', 'exec "$0" "$@"'], command: ['migrate', '--to=$TARGET'] },
      },
    ],
    environments: { local: { target: 'compose' } },
  };
  const doc = renderCompose(resolve(spec, 'local'));

  it('escapes $ in the migration entrypoint and command, and the service waits for it to complete', () => {
    const m = doc.services['api-migrate'] as any;
    expect(m.entrypoint).toEqual(['sh', '-c', 'exec "$$0" "$$@"']);
    expect(m.command).toEqual(['migrate', '--to=$$TARGET']);
    expect(m.restart).toBe('no');
    expect((doc.services.api as any).depends_on).toEqual({ 'api-migrate': { condition: 'service_completed_successfully' } });
  });
});

describe('compose: health check commands reach the container as written', () => {
  it('escapes $ so the container shell, not compose, expands it', () => {
    const s = resolve(
      { name: 'hc', services: [{ name: 'db', role: 'database', image: { ref: 'postgres:16' }, ports: [{ name: 'pg', port: 5432 }], health: { liveness: { exec: { command: ['sh', '-c', 'pg_isready -U "$POSTGRES_USER"'] } } } }], environments: { local: { target: 'compose' } } },
      'local',
    );
    expect((renderCompose(s).services.db.healthcheck as any).test).toEqual(['CMD', 'sh', '-c', 'pg_isready -U "$$POSTGRES_USER"']);
  });
});

describe('compose: published UDP ports', () => {
  it('keep their protocol', () => {
    const s = resolve({ name: 'dns', services: [{ name: 'resolver', role: 'cache', image: { ref: 'example/dns:1.0' }, ports: [{ name: 'dns', port: 53, hostPort: 5353, protocol: 'UDP' }, { name: 'web', port: 80, hostPort: 8053 }] }], environments: { local: { target: 'compose' } } }, 'local');
    expect(renderCompose(s).services.resolver.ports).toEqual(['127.0.0.1:5353:53/udp', '127.0.0.1:8053:80']);
  });
});

describe('built images: compose can build them (`up --build`)', () => {
  const built: StackSpec = {
    name: 'b',
    imageMirrors: { 'python:3.13-slim': 'mirror.example.com/python:3.13-slim' },
    services: [
      {
        name: 'api',
        role: 'api',
        image: { build: { context: 'apps/api', dockerfile: 'docker/Dockerfile', baseImages: { PYTHON_IMAGE: 'python:3.13-slim' } } },
        migration: { command: ['migrate'] },
      },
      { name: 'web', role: 'web', image: { build: { context: '.', dockerfile: 'docker/web/Dockerfile' } } },
      { name: 'cache', role: 'cache', image: { ref: 'redis:7.2-alpine' } },
    ],
    environments: { local: { target: 'compose' }, other: { target: 'compose', services: { web: { image: 'example/web:2' } } } },
  };
  const tags = { api: 'aaaaaaaaaaaa', web: 'bbbbbbbbbbbb' };

  it('gives a built service (and its migration) build: context and Dockerfile relative to the compose file, args from the plan, beside its image tag', () => {
    const doc = renderCompose(resolve(built, 'local', { imageTags: tags }));
    const api = { context: '../apps/api', dockerfile: 'docker/Dockerfile', args: { PYTHON_IMAGE: 'mirror.example.com/python:3.13-slim' } };
    expect(doc.services.api).toMatchObject({ image: 'b-api:aaaaaaaaaaaa', build: api });
    expect(doc.services['api-migrate']).toMatchObject({ image: 'b-api:aaaaaaaaaaaa', build: api });
    expect(doc.services.web).toMatchObject({ image: 'b-web:bbbbbbbbbbbb', build: { context: '..', dockerfile: 'docker/web/Dockerfile' } });
    expect(doc.services.web.build).not.toHaveProperty('args');
    expect(doc.services.cache).not.toHaveProperty('build');
  });

  it('points at the repository wherever the compose file is written', () => {
    const doc = renderCompose(resolve(built, 'local', { imageTags: tags }), { repoRoot: '../../../work/repo' });
    expect(doc.services.api.build).toMatchObject({ context: '../../../work/repo/apps/api', dockerfile: 'docker/Dockerfile' });
    expect(doc.services.web.build).toMatchObject({ context: '../../../work/repo', dockerfile: 'docker/web/Dockerfile' });
  });

  it('an environment that runs a published image instead builds nothing', () => {
    expect(renderCompose(resolve(built, 'other', { imageTags: tags })).services.web).not.toHaveProperty('build');
  });
});
