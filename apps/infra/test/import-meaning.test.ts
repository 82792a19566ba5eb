import { validate, type StackSpec } from '@todo/service-spec';
import { importCompose } from '../src/import/compose-import';
import type { ImportEntry } from '../src/import/report';
import { renderOutputs } from '../src/outputs';

/** Issue 19: nothing changes between a team's compose file and our output without a line that says so. */
const repoPath = (p: string) => p.replace(/^\.\//, '');
const imported = (services: Record<string, unknown>, extra: Record<string, unknown> = {}) => importCompose({ services, ...extra }, { name: 'demo', repoPath });
const svc = (spec: StackSpec, name: string) => spec.services.find((s) => s.name === name)!;
const at = (report: ImportEntry[], path: string) => report.filter((e) => e.path === path);
/** The Kubernetes objects synth writes for the spec's "kubernetes" environment, tags pinned as a user would. */
function kubernetesObjects(spec: StackSpec): { kind: string; metadata: { name: string } }[] {
  const { files } = renderOutputs({ ...spec, environments: { kubernetes: spec.environments.kubernetes } }, {});
  return files.filter((f) => f.path.startsWith('dist/k8s/')).flatMap((f) => (f.content.split(/^---$/m) as string[]).map((d) => require('yaml').parse(d)).filter(Boolean));
}

describe('import: a reached service gets a port, a Service and a talksTo edge, or a decision that names who reaches it', () => {
  it('redis with no ports, reached through REDIS_URL: redis://redis:6379 (the issue\'s example)', () => {
    const { spec, report } = imported({
      web: { image: 'example/web:1.0', ports: ['8080:8080'], environment: { REDIS_URL: 'redis://redis:6379' }, healthcheck: { test: ['CMD', 'true'] } },
      redis: { image: 'redis:7.2', healthcheck: { test: ['CMD', 'redis-cli', 'ping'] }, user: '999:1000' },
    });
    expect(svc(spec, 'redis').ports).toEqual([{ name: 'redis', port: 6379 }]);
    expect(svc(spec, 'web').talksTo).toEqual(['redis']);
    expect(at(report, 'services.redis.expose')).toEqual([{ path: 'services.redis.expose', status: 'decision', message: expect.stringContaining('imported as port 6379 (services.web.environment.REDIS_URL: redis://…redis:6379), so Kubernetes gets a Service "redis"') }]);
    expect(validate(spec).filter((i) => /talksTo|dependsOn|ports/.test(i.path))).toEqual([]);
    expect(kubernetesObjects(spec).filter((o) => o.kind === 'Service').map((o) => o.metadata.name)).toContain('redis');
  });

  it.each([
    ['DB_HOST=db with DB_PORT=5432', { DB_HOST: 'db', DB_PORT: '5432' }, 'db', 5432, 'DB_HOST'],
    ['http://api:8000/x', { API: 'http://api:8000/x' }, 'api', 8000, 'API'],
    ['amqp://user:pw@rabbit:5672 (a secret: the password)', { BROKER_URL: 'amqp://user:pw@rabbit:5672' }, 'rabbit', 5672, 'BROKER_URL'],
    ['a scheme\'s default port: http://api/x', { API: 'http://api/x' }, 'api', 80, 'API'],
    ['host:port in a list', { MEMCACHED: 'cache:11211,other:1' }, 'cache', 11211, 'MEMCACHED'],
  ])('%s', (_name, environment, target, port, key) => {
    const { spec, report } = imported({ app: { image: 'example/app:1.0', environment }, [target]: { image: 'example/thing:1.0' } });
    expect(svc(spec, target).ports).toEqual([expect.objectContaining({ port })]);
    expect(svc(spec, 'app').talksTo).toEqual([target]);
    expect(at(report, `services.${target}.expose`)[0].message).toContain(`services.app.environment.${key}`);
    expect(at(report, `services.app.environment.${key}`)).toContainEqual(expect.objectContaining({ status: 'decision', message: expect.stringContaining(`imported as talksTo: [${target}]`) }));
  });

  it('no port named anywhere: no port is invented; a decision names the service, who reaches it, and the image\'s usual port as a hint', () => {
    const { spec, report } = imported({
      app: { image: 'example/app:1.0', environment: { CACHE_HOST: 'cache' }, depends_on: ['queue'] },
      cache: { image: 'redis:7.2' },
      queue: { image: 'example/queue:1.0' },
    });
    expect(svc(spec, 'cache').ports).toBeUndefined();
    expect(svc(spec, 'app').talksTo).toBeUndefined();
    expect(at(report, 'services.cache.expose')).toEqual([{ path: 'services.cache.expose', status: 'decision', message: expect.stringMatching(/^reached by services\.app\.environment\.CACHE_HOST, but declares no port.*Kubernetes gets no Service "cache".*\(the image usually listens on 6379\)/) }]);
    expect(at(report, 'services.queue.expose')[0].message).toMatch(/^waited for by services\.app\.depends_on\.queue, but declares no port/);
    // Validation then names both services and the fix, as the import's closing lines print it.
    expect(validate(spec)).toContainEqual({ path: 'services.app.dependsOn[0]', message: expect.stringContaining('"app" depends on "queue", which declares no port') });
  });

  it('a database reached on its port is a database again (it was a worker for want of a port)', () => {
    const { spec, report } = imported({ api: { image: 'example/api:1.0', environment: { DATABASE_URL: 'postgres://app:pw@db:5432/app' } }, db: { image: 'postgres:16' } });
    expect(svc(spec, 'db')).toMatchObject({ role: 'database', ports: [{ name: 'postgres', port: 5432 }] });
    expect(at(report, 'services.db').map((e) => e.message)).toEqual(['role "database" inferred from the name and image: a StatefulSet with a volume claim in Kubernetes']);
  });
});

describe('import: reach lines of a renamed service are at its compose paths', () => {
  it('plausible_db (not a DNS label, imported as plausible-db): its lines are at services.plausible_db, where the report reader finds them', () => {
    const { report } = imported({ app: { image: 'example/web:1.0', ports: ['8000:8000'], depends_on: ['plausible_db'] }, plausible_db: { image: 'postgres:16' } });
    const paths = report.filter((e) => e.path.startsWith('services.plausible')).map((e) => e.path);
    expect(paths.filter((p) => p.startsWith('services.plausible-db'))).toEqual([]);
    expect(at(report, 'services.plausible_db.expose')).toEqual([expect.objectContaining({ status: 'decision', message: expect.stringMatching(/^waited for by services\.app\.depends_on\.plausible_db, but declares no port/) })]);
    // The database with no port, demoted to a worker: the line at its compose path, not a stale copy.
    expect(at(report, 'services.plausible_db').map((e) => e.message)).toContainEqual(expect.stringMatching(/^looks like a database but declares no port/));
  });
});

describe('import: env values that name a renamed service name it by its new name', () => {
  it('DATABASE_HOST: my_db and CACHE: redis://my_cache:6379/0 become my-db and my-cache (the issue\'s example)', () => {
    const { spec, report } = imported({
      app: { image: 'example/app:1.0', ports: ['8000:8000'], environment: { DATABASE_HOST: 'my_db', CACHE: 'redis://my_cache:6379/0' } },
      my_db: { image: 'postgres:16', environment: { POSTGRES_DB: 'my_db' } },
      my_cache: { image: 'redis:7' },
    });
    expect(svc(spec, 'app').env).toEqual({ DATABASE_HOST: 'my-db', CACHE: 'redis://my-cache:6379/0' });
    // Not in host position: a database name stays as it is.
    expect(svc(spec, 'my-db').env).toEqual({ POSTGRES_DB: 'my_db' });
    expect(svc(spec, 'my-cache').ports).toEqual([expect.objectContaining({ port: 6379 })]);
    // DATABASE_HOST names no port (as for a service called db: an image's usual port is only a hint), so my-db is
    // reached and the report asks for its port, naming who reaches it, instead of calling it unreached.
    expect(svc(spec, 'app').talksTo).toEqual(['my-cache']);
    expect(at(report, 'services.my_db.expose')).toEqual([expect.objectContaining({ status: 'decision', message: expect.stringMatching(/^reached by services\.app\.environment\.DATABASE_HOST, but declares no port.*usually listens on 5432/) })]);
    expect(at(report, 'services.app.environment.DATABASE_HOST')).toContainEqual({ path: 'services.app.environment.DATABASE_HOST', status: 'decision', message: expect.stringContaining('"my_db" rewritten to "my-db"') });
    expect(at(report, 'services.app.environment.CACHE')).toContainEqual({ path: 'services.app.environment.CACHE', status: 'decision', message: expect.stringContaining('"my_cache" rewritten to "my-cache"') });
    expect(at(report, 'services.my_db.environment.POSTGRES_DB').map((e) => e.message).join('\n')).not.toContain('rewritten');
    expect(report.map((e) => e.message).join('\n')).not.toContain('names no other service and none names it');
  });

  it('with DATABASE_PORT: 5432 beside DATABASE_HOST: my_db, my-db is a database on port 5432 and app talks to both', () => {
    const { spec } = imported({
      app: { image: 'example/app:1.0', ports: ['8000:8000'], environment: { DATABASE_HOST: 'my_db', DATABASE_PORT: '5432', CACHE: 'redis://my_cache:6379/0' } },
      my_db: { image: 'postgres:16' },
      my_cache: { image: 'redis:7' },
    });
    expect(svc(spec, 'my-db')).toMatchObject({ role: 'database', ports: [expect.objectContaining({ port: 5432 })] });
    expect([...(svc(spec, 'app').talksTo ?? [])].sort()).toEqual(['my-cache', 'my-db']);
    expect(validate(spec).filter((i) => /talksTo|dependsOn|ports/.test(i.path))).toEqual([]);
  });

  it('a compose name the import keeps (PGDATABASE: my_db, not a host) is still a reference, as PGDATABASE: db is for a service db', () => {
    const { spec, report } = imported({
      app: { image: 'example/app:1.0', environment: { PGDATABASE: 'my_db', PGPORT: '5432' } },
      my_db: { image: 'postgres:16', expose: [5432] },
    });
    expect(svc(spec, 'app').env).toEqual({ PGDATABASE: 'my_db', PGPORT: '5432' });
    expect(svc(spec, 'app').talksTo).toEqual(['my-db']);
    expect(at(report, 'services.app.environment.PGDATABASE')).toContainEqual(expect.objectContaining({ status: 'decision', message: expect.stringContaining('imported as talksTo: [my-db]') }));
  });

  it('host:port and URL host lists: sentinel://a:1,my_cache:26379 and my_db:5432 are rewritten; a secret\'s local default too', () => {
    const { spec } = imported({
      app: { image: 'example/app:1.0', environment: { SENTINELS: 'redis-sentinel://other:1,my_cache:26379/0', DB_ADDR: 'my_db:5432', DATABASE_URL: 'postgres://u:pw@my_db/my_db' } },
      my_db: { image: 'postgres:16' },
      my_cache: { image: 'redis:7' },
      other: { image: 'redis:7' },
    });
    expect(svc(spec, 'app').env).toEqual({ SENTINELS: 'redis-sentinel://other:1,my-cache:26379/0', DB_ADDR: 'my-db:5432' });
    expect(svc(spec, 'app').secrets?.DATABASE_URL).toMatchObject({ localDefault: 'postgres://u:pw@my-db/my_db' });
  });
});

describe('import: shared values stay shared', () => {
  it('SECRET_KEY with one value in api and worker is one secret both reference (the issue\'s example)', () => {
    const { spec, report } = imported({
      api: { image: 'example/api:1.0', environment: { SECRET_KEY: 'dev-only' } },
      worker: { image: 'example/api:1.0', environment: { SECRET_KEY: 'dev-only' } },
    });
    const ref = { secret: 'demo-shared', key: 'secret-key', localDefault: 'dev-only' };
    expect([svc(spec, 'api').secrets, svc(spec, 'worker').secrets]).toEqual([{ SECRET_KEY: ref }, { SECRET_KEY: ref }]);
    for (const s of ['api', 'worker']) expect(at(report, `services.${s}.environment.SECRET_KEY`)).toEqual([expect.objectContaining({ status: 'decision', message: expect.stringContaining('one secret "demo-shared" key "secret-key", which services api, worker all reference') })]);
    expect(validate(spec)).toEqual(expect.not.arrayContaining([expect.objectContaining({ path: expect.stringContaining('SECRET_KEY') })]));
    // One host variable in compose, one Secret key in Kubernetes.
    const { files } = renderOutputs({ ...spec, environments: { local: spec.environments.local } }, {});
    const compose = files.find((f) => f.path === 'docker/docker-compose.yml')!.content;
    expect(compose.match(/SECRET_KEY: \$\{DEMO_SHARED_SECRET_KEY:-dev-only\}/g)).toHaveLength(2);
  });

  it("Airflow's FERNET_KEY in 7 services is 1 secret", () => {
    const services = Object.fromEntries(['webserver', 'scheduler', 'worker', 'triggerer', 'init', 'cli', 'flower'].map((n) => [n, { image: 'apache/airflow:2.9.2', environment: { AIRFLOW__CORE__FERNET_KEY: '${FERNET_KEY}' } }]));
    const { spec } = imported(services);
    const refs = new Set(spec.services.map((s) => JSON.stringify(s.secrets?.AIRFLOW__CORE__FERNET_KEY)));
    expect([...refs]).toEqual([JSON.stringify({ secret: 'demo-shared', key: 'airflow-core-fernet-key' })]);
  });

  it('a shared secret read from an env_file: its line at the env_file path says it is the shared one, and no second line is added', () => {
    const readFile = (f: string) => (f === 'app.env' ? { state: 'inside' as const, text: 'SECRET_KEY=dev-only\n' } : { state: 'missing' as const });
    const { spec, report } = importCompose(
      { services: { api: { image: 'example/api:1.0', env_file: ['app.env'] }, worker: { image: 'example/api:1.0', env_file: 'app.env' } } },
      { name: 'demo', repoPath, readFile },
    );
    expect(svc(spec, 'worker').secrets).toEqual({ SECRET_KEY: { secret: 'demo-shared', key: 'secret-key', localDefault: 'dev-only' } });
    const lines = report.filter((e) => e.path.endsWith('.SECRET_KEY'));
    expect(lines.map((e) => e.path)).toEqual(['services.api.env_file[0].SECRET_KEY', 'services.worker.env_file.SECRET_KEY']);
    for (const l of lines) expect(l.message).toMatch(/^looks like a secret: imported as a reference to one secret "demo-shared" key "secret-key", which services api, worker all reference/);
  });

  it('the same name with different values stays separate, with a line on each', () => {
    const { spec, report } = imported({ a: { image: 'x/a:1', environment: { API_TOKEN: 'one' } }, b: { image: 'x/b:1', environment: { API_TOKEN: 'two' } } });
    expect([svc(spec, 'a').secrets!.API_TOKEN.secret, svc(spec, 'b').secrets!.API_TOKEN.secret]).toEqual(['demo-a', 'demo-b']);
    expect(at(report, 'services.b.environment.API_TOKEN').map((e) => e.message)).toContainEqual(expect.stringContaining('services a, b set API_TOKEN to different values: kept as separate secrets'));
  });
});

describe('import: no silent defaults', () => {
  /** The compose service synth writes for the imported spec's "local" environment. */
  const composeOf = (spec: StackSpec, name: string) => {
    const { files } = renderOutputs({ ...spec, environments: { local: spec.environments.local } }, {});
    return require('yaml').parse(files.find((f) => f.path === 'docker/docker-compose.yml')!.content).services[name];
  };
  /** Where the import report must speak for a key synth writes: the compose field a user would set. */
  const FIELD: Record<string, string> = { cpus: 'deploy.resources.limits.cpus', mem_limit: 'deploy.resources.limits.memory', mem_reservation: 'deploy.resources.reservations.memory' };

  it('every key synth writes for a bare service that the source did not have has a report line at that field', () => {
    const { spec, report } = imported({ app: { image: 'example/app:1.0' } });
    const written = Object.keys(composeOf(spec, 'app'));
    // image is the source's own; labels are metadata (app.kubernetes.io/*), not behaviour.
    const added = written.filter((k) => !['image', 'labels'].includes(k));
    expect(added.sort()).toEqual(['cap_drop', 'cpus', 'logging', 'mem_limit', 'mem_reservation', 'networks', 'read_only', 'restart', 'security_opt', 'stop_grace_period', 'user'].sort());
    const silent = added.filter((k) => !report.some((e) => e.status !== 'mapped' && e.path === `services.app.${FIELD[k] ?? k}`));
    expect(silent).toEqual([]);
  });

  it('a service with no limits: no invented resources in the spec, a decision naming what synth uses (the issue\'s example)', () => {
    const { spec, report } = imported({ db: { image: 'mariadb:11.4', expose: [3306] } });
    expect(svc(spec, 'db').resources).toBeUndefined();
    expect(at(report, 'services.db.deploy.resources.limits.memory')).toEqual([{ path: 'services.db.deploy.resources.limits.memory', status: 'decision', message: expect.stringMatching(/no memory limit in compose.*128 MiB request and 256 MiB limit.*set resources\.memoryMiB/) }]);
    expect(at(report, 'services.db.deploy.resources.limits.cpus')[0].message).toMatch(/100m request and 500m limit/);
  });

  it('restart: compose\'s default "no" is carried as never, and compose writes restart "no"', () => {
    const { spec, report } = imported({ app: { image: 'example/app:1.0' }, kept: { image: 'example/app:1.0', restart: 'unless-stopped' } });
    expect(svc(spec, 'app').restart).toBe('never');
    expect(svc(spec, 'kept').restart).toBe('always');
    expect(composeOf(spec, 'app').restart).toBe('no');
    expect(at(report, 'services.app.restart')[0]).toMatchObject({ status: 'decision', message: expect.stringContaining('whose default is "no"') });
    expect(at(report, 'services.kept.restart').map((e) => e.status)).toEqual(['mapped']);
  });

  it('restart of a one-shot job: "no" is kept on both targets (a Job restarts nothing either), so the line is mapped, not a decision', () => {
    const { spec, report } = imported({ migrate: { image: 'example/app:1.0' }, app: { image: 'example/app:1.0', depends_on: { migrate: { condition: 'service_completed_successfully' } } } });
    expect(svc(spec, 'migrate')).toMatchObject({ job: {}, restart: 'never' });
    expect(composeOf(spec, 'migrate').restart).toBe('no');
    expect(at(report, 'services.migrate.restart')).toEqual([{ path: 'services.migrate.restart', status: 'mapped', message: 'not set in compose, whose default is "no" (a container that stops stays stopped): imported as restart: never' }]);
  });

  it('health timings: compose\'s 30s interval and timeout are kept, not turned into 10s and 3s', () => {
    const { spec, report } = imported({ app: { image: 'example/app:1.0', healthcheck: { test: ['CMD', 'true'] } }, tuned: { image: 'example/app:1.0', healthcheck: { test: ['CMD', 'true'], interval: '5s', timeout: '2s', start_period: '20s' } } });
    expect(svc(spec, 'app').health!.liveness).toMatchObject({ periodSeconds: 30, timeoutSeconds: 30 });
    expect(composeOf(spec, 'app').healthcheck).toMatchObject({ interval: '30s', timeout: '30s', retries: 3 });
    expect(at(report, 'services.app.healthcheck.start_period')[0].message).toMatch(/compose's default 0s.*start_period: 5s/);
    expect(svc(spec, 'tuned').health!.liveness).toMatchObject({ periodSeconds: 5, timeoutSeconds: 2, initialDelaySeconds: 20 });
    expect(report.filter((e) => e.status !== 'mapped' && e.path.startsWith('services.tuned.healthcheck.'))).toEqual([]);
  });

  it.each([
    ['interval: "abc"', { interval: 'abc' }, 'interval', 'periodSeconds'],
    ['timeout: "5 seconds"', { timeout: '5 seconds' }, 'timeout', 'timeoutSeconds'],
    ['start_period: -5s', { start_period: '-5s' }, 'start_period', 'initialDelaySeconds'],
    ['retries: 0 (Docker reads 0 as its default 3)', { retries: 0 }, 'retries', 'failureThreshold'],
    ['retries: "many"', { retries: 'many' }, 'retries', 'failureThreshold'],
  ])('health timings: a malformed %s is a cannot-map line at the field and is left unset', (_name, timing, field, probeField) => {
    const { spec, report } = imported({ app: { image: 'example/app:1.0', healthcheck: { test: ['CMD', 'true'], ...timing } } });
    expect(svc(spec, 'app').health!.liveness).not.toHaveProperty(probeField);
    expect(at(report, `services.app.healthcheck.${field}`)).toContainEqual({ path: `services.app.healthcheck.${field}`, status: 'unmapped', message: expect.stringContaining(JSON.stringify(Object.values(timing)[0])) });
    expect(validate(spec).filter((i) => i.path.includes('health'))).toEqual([]);
  });

  it('egress: compose\'s open outbound access is declared as externalEgress on every port, unless the service is only on internal networks', () => {
    const { spec, report } = imported(
      { app: { image: 'example/app:1.0' }, sealed: { image: 'example/app:1.0', networks: ['back'] } },
      { networks: { back: { internal: true } } },
    );
    expect(svc(spec, 'app').externalEgress).toEqual([{ cidr: '0.0.0.0/0', ports: [], reason: expect.stringContaining('narrow it') }]);
    expect(svc(spec, 'sealed').externalEgress).toBeUndefined();
    expect(at(report, 'services.app.networks')[0].message).toContain('externalEgress 0.0.0.0/0 on every port');
    const policy = kubernetesObjects(spec).find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === 'allow-app') as any;
    expect(policy.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }]);
    expect(policy.metadata.annotations['todo.dev/external-egress']).toMatch(/^0\.0\.0\.0\/0:all ports for /);
  });

  it('a volume without a size: a line at the compose volume says Kubernetes claims 1 GiB', () => {
    const { report } = imported({ db: { image: 'postgres:16', expose: [5432], volumes: ['data:/var/lib/postgresql/data'] } }, { volumes: { data: null } });
    expect(at(report, 'services.db.volumes[0]').map((e) => e.message)).toContainEqual(expect.stringContaining('Kubernetes claims 1 GiB for volume "data"'));
  });
});

describe('import: reach details a reviewer changed without a test noticing', () => {
  it.each([
    ['redis://cache (no port): redis\'s default 6379', 'REDIS_URL', 'redis://cache', 'cache', 6379],
    ['postgres://db/x (no port): postgres\'s default 5432', 'DATABASE_URL', 'postgres://db/x', 'db', 5432],
    ['http://api/x (no port): http\'s default 80', 'API', 'http://api/x', 'api', 80],
  ])('a scheme\'s default port: %s', (_name, key, url, target, port) => {
    const environment = { [key]: url };
    const { spec, report } = imported({ app: { image: 'example/app:1.0', environment }, [target]: { image: 'example/thing:1.0' } });
    expect(svc(spec, target).ports).toEqual([expect.objectContaining({ port })]);
    expect(at(report, `services.${target}.expose`)[0].message).toContain(`services.app.environment.${key}: ${url.split(':')[0]}:// without a port: its default ${port}`);
  });

  it.each([
    ['DB_HOST=db with DB_PORT=0', { DB_HOST: 'db', DB_PORT: '0' }, 'db', 'DB_HOST'],
    ['redis://cache:0', { REDIS_URL: 'redis://cache:0' }, 'cache', 'REDIS_URL'],
  ])('port 0 is no port: %s gives a decision, not port 0', (_name, environment, target, key) => {
    const { spec, report } = imported({ app: { image: 'example/app:1.0', environment }, [target]: { image: 'example/thing:1.0' } });
    expect(svc(spec, target).ports).toBeUndefined();
    expect(svc(spec, 'app').talksTo).toBeUndefined();
    expect(at(report, `services.${target}.expose`)).toEqual([{ path: `services.${target}.expose`, status: 'decision', message: expect.stringMatching(new RegExp(`^reached by services\\.app\\.environment\\.${key}, but declares no port`)) }]);
  });

  it('a service named in the environment and in depends_on gets no talksTo edge to it: dependsOn already opens that path', () => {
    const { spec, report } = imported({
      api: { image: 'example/api:1.0', depends_on: ['db'], environment: { DATABASE_URL: 'postgres://app@db:5432/app', CACHE: 'cache:11211' } },
      db: { image: 'postgres:16' },
      cache: { image: 'memcached:1.6' },
    });
    expect(svc(spec, 'api').dependsOn).toEqual([expect.objectContaining({ service: 'db' })]);
    expect(svc(spec, 'api').talksTo).toEqual(['cache']);
    expect(svc(spec, 'db').ports).toEqual([expect.objectContaining({ port: 5432 })]);
    expect(at(report, 'services.api.environment.DATABASE_URL').filter((e) => /talksTo/.test(e.message))).toEqual([]);
  });

  it('egress: one internal network among normal ones still gets the open externalEgress; only internal networks get none', () => {
    const { spec, report } = imported(
      { mixed: { image: 'example/app:1.0', networks: ['back', 'front'] }, sealed: { image: 'example/app:1.0', networks: ['back', 'vault'] } },
      { networks: { back: { internal: true }, vault: { internal: true }, front: {} } },
    );
    expect(svc(spec, 'mixed').externalEgress).toEqual([{ cidr: '0.0.0.0/0', ports: [], reason: expect.stringContaining('narrow it') }]);
    expect(at(report, 'services.mixed.networks').map((e) => e.message)).toContainEqual(expect.stringContaining('and any outside address'));
    expect(svc(spec, 'sealed').externalEgress).toBeUndefined();
    expect(at(report, 'services.sealed.networks').map((e) => e.message)).toContainEqual(expect.stringContaining('its networks are internal, so no outbound access is imported'));
  });
});
