import { validate, type StackSpec } from '@todo/service-spec';
import { parse } from 'yaml';
import { importCompose } from '../src/import/compose-import';
import { interpolate } from '../src/import/interpolate';
import type { ImportEntry } from '../src/import/report';
import { renderOutputs } from '../src/outputs';

/** Issue 19, a reviewer's findings: fields the import said it mapped that the spec then refused or lost. */
const repoPath = (p: string) => p.replace(/^\.\//, '');
const imported = (services: Record<string, unknown>, extra: Record<string, unknown> = {}) => importCompose({ services, ...extra }, { name: 'demo', repoPath });
const svc = (spec: StackSpec, name: string) => spec.services.find((s) => s.name === name)!;
const at = (report: ImportEntry[], path: string) => report.filter((e) => e.path === path);
const composeOf = (spec: StackSpec) => parse(renderOutputs({ ...spec, environments: { local: spec.environments.local } }, {}).files.find((f) => f.path === 'docker/docker-compose.yml')!.content);
function kubernetesObjects(spec: StackSpec): any[] {
  const { files } = renderOutputs({ ...spec, environments: { kubernetes: spec.environments.kubernetes } }, {});
  return files.filter((f) => f.path.startsWith('dist/k8s/')).flatMap((f) => f.content.split(/^---$/m).map((d) => parse(d)).filter(Boolean));
}

describe("import: compose's $${VAR} escape is text the container gets as is, on both targets", () => {
  const source = {
    web: {
      image: 'example/web:1.0',
      environment: { GREETING: 'hello $${NAME}', PLAIN: 'x' },
      command: ['render', '--template=$${HOME}/t'],
      healthcheck: { test: ['CMD', 'check', '$${PORT}'] },
    },
  };

  it('the spec validates, lists each field in literalInterpolation, and the report says why at the compose path', () => {
    const { spec, report } = imported(source);
    expect(svc(spec, 'web')).toMatchObject({ env: { GREETING: 'hello ${NAME}' }, command: ['render', '--template=${HOME}/t'], literalInterpolation: ['env.GREETING', 'command[1]', 'health.liveness.exec.command[1]'] });
    expect(validate(spec)).toEqual([]);
    for (const path of ['services.web.environment.GREETING', 'services.web.command[1]', 'services.web.healthcheck.test[2]']) {
      expect(at(report, path)).toContainEqual({ path, status: 'mapped', message: expect.stringContaining('holds the text "${" as compose passes it') });
    }
  });

  it('round trip: our compose file reads back (interpolated as compose would) to the source\'s values; Kubernetes gets the text as is', () => {
    const { spec } = imported(source);
    const web = composeOf(spec).services.web;
    const read = (v: string) => interpolate(v, () => undefined).value;
    expect(web.environment.GREETING).toBe('hello $${NAME}');
    expect(read(web.environment.GREETING)).toBe(read(source.web.environment.GREETING));
    expect(web.command.map(read)).toEqual(source.web.command.map(read));
    expect(web.healthcheck.test.map(read)).toEqual(source.web.healthcheck.test.map(read));
    const objects = kubernetesObjects(spec);
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.data?.GREETING !== undefined);
    expect(config.data.GREETING).toBe('hello ${NAME}');
    const container = objects.find((o) => o.kind === 'Deployment').spec.template.spec.containers[0];
    expect(container.args).toEqual(['render', '--template=${HOME}/t']);
    expect(container.livenessProbe.exec.command).toEqual(['check', '${PORT}']);
  });

  it('a shell script keeps $${VAR} without an entry (validation accepts a shell\'s ${VAR} already)', () => {
    const { spec } = imported({ web: { image: 'example/web:1.0', command: ['sh', '-c', 'echo $${HOME}'] } });
    expect(svc(spec, 'web').literalInterpolation).toBeUndefined();
    expect(validate(spec)).toEqual([]);
  });
});

describe('import: compose names that meet once made DNS labels stay distinct services', () => {
  it('web_1 and web-1: web-1 keeps its name, web_1 becomes web-1-2, and every reference to web_1 follows it', () => {
    const { spec, report } = imported({
      web_1: { image: 'example/web:1.0', ports: ['8080:80'] },
      'web-1': { image: 'example/other:1.0', expose: ['9000'] },
      app: { image: 'example/app:1.0', environment: { UPSTREAM: 'http://web_1:80', OTHER: 'web-1:9000' }, depends_on: ['web_1'] },
    });
    expect(spec.services.map((s) => [s.name, s.image.ref])).toEqual([['web-1-2', 'example/web:1.0'], ['web-1', 'example/other:1.0'], ['app', 'example/app:1.0']]);
    expect(svc(spec, 'app').env).toEqual({ UPSTREAM: 'http://web-1-2:80', OTHER: 'web-1:9000' });
    expect(svc(spec, 'app').dependsOn).toEqual([{ service: 'web-1-2', condition: 'started' }]);
    expect(svc(spec, 'app').talksTo).toEqual(['web-1']);
    expect(at(report, 'services.web_1')).toContainEqual({ path: 'services.web_1', status: 'decision', message: expect.stringContaining('imported as "web-1-2" ("web-1" is services.web-1, whose name meets this one\'s once made a label; rename one of them in compose to choose)') });
    expect(validate(spec).filter((i) => /name/.test(i.path))).toEqual([]);
  });

  it('Web and web: web keeps its name, Web becomes web-2; a job that is waited for is found under its new name', () => {
    const { spec } = imported({
      Web: { image: 'example/seed:1.0' },
      web: { image: 'example/web:1.0', depends_on: { Web: { condition: 'service_completed_successfully' } } },
    });
    expect(spec.services.map((s) => s.name)).toEqual(['web-2', 'web']);
    expect(svc(spec, 'web-2').job).toEqual({});
    expect(svc(spec, 'web').dependsOn).toEqual([{ service: 'web-2', condition: 'completed' }]);
    expect(validate(spec).filter((i) => /name|dependsOn/.test(i.path))).toEqual([]);
  });

  it('a name over 63 characters is cut to a label', () => {
    const long = `svc_${'x'.repeat(70)}`;
    const { spec } = imported({ [long]: { image: 'example/web:1.0' } });
    expect(spec.services[0].name).toBe(`svc-${'x'.repeat(59)}`);
  });
});

describe('import: a named volume mounted twice in one service', () => {
  it('data at /a and /b: one volume at /a, and a cannot-map line at the second mount; the spec validates and synthesizes', () => {
    const { spec, report } = imported({ app: { image: 'example/app:1.0', volumes: ['data:/a', { type: 'volume', source: 'data', target: '/b' }] } }, { volumes: { data: {} } });
    expect(svc(spec, 'app').volumes).toEqual([{ name: 'data', mountPath: '/a' }]);
    expect(at(report, 'services.app.volumes[1]')).toEqual([{ path: 'services.app.volumes[1]', status: 'unmapped', message: expect.stringContaining('named volume "data" is already mounted at /a (services.app.volumes[0]); the spec mounts a volume once, so /b is not mounted') }]);
    expect(validate(spec)).toEqual([]);
    expect(kubernetesObjects(spec).filter((o) => o.kind === 'PersistentVolumeClaim')).toHaveLength(1);
  });

  it('my_data and my-data (two volumes in compose, one DNS form) stay two volumes', () => {
    const { spec } = imported({ app: { image: 'example/app:1.0', volumes: ['my_data:/a', 'my-data:/b'] } });
    expect(svc(spec, 'app').volumes).toEqual([{ name: 'my-data', mountPath: '/a' }, { name: 'my-data-2', mountPath: '/b' }]);
    expect(validate(spec)).toEqual([]);
  });
});

describe('import: small changes the review found unreported', () => {
  it('"0:80" (host port 0: compose picks a free one) is container port 80, unpublished, with the random-port line', () => {
    const { spec, report } = imported({ web: { image: 'example/web:1.0', ports: ['0:80', { target: 81, published: '0' }] } });
    expect(svc(spec, 'web').ports).toEqual([{ name: 'http', port: 80 }, { name: 'p81', port: 81 }]);
    expect(at(report, 'services.web.ports[0]')).toContainEqual({ path: 'services.web.ports[0]', status: 'decision', message: expect.stringContaining('compose publishes container port 80 on a random host port; the spec does not publish it') });
    expect(at(report, 'services.web.ports[0]').filter((e) => e.status === 'unmapped')).toEqual([]);
  });

  it('image postgres:${PG:-} (an empty default): the line says the tag is empty and comes from the variable, not just "untagged"', () => {
    const { report } = importCompose({ services: { db: { image: 'postgres:${PG:-}' } } }, { name: 'demo', repoPath });
    const lines = at(report, 'services.db.image').map((e) => e.message);
    expect(lines).toContainEqual(expect.stringContaining('"postgres:" has an empty tag: the tag comes from a variable that is empty or unset, or an empty default'));
    expect(lines.some((m) => m.includes('untagged or :latest'))).toBe(false);
  });

  it('a variable named __proto__ (in environment or an env_file) is a cannot-map line, not silently dropped', () => {
    const environment = JSON.parse('{"__proto__": "x", "A": "b"}');
    const { spec, report } = importCompose({ services: { web: { image: 'example/web:1.0', environment, env_file: 'web.env' } } }, { name: 'demo', repoPath, readFile: () => ({ state: 'inside', text: '__proto__=y\nB=c\n' }) });
    expect(svc(spec, 'web').env).toEqual({ A: 'b', B: 'c' });
    expect(at(report, 'services.web.environment.__proto__')).toEqual([
      { path: 'services.web.environment.__proto__', status: 'mapped', message: 'set in environment, which wins over the env_file value (as in compose)' },
      { path: 'services.web.environment.__proto__', status: 'unmapped', message: expect.stringContaining('a variable named __proto__ cannot be carried') },
    ]);
  });

  it('health durations: 0s interval/timeout are Docker\'s default 30s, 0s start_period stays 0, 500ms is rounded with a line', () => {
    const { spec, report } = imported({ web: { image: 'example/web:1.0', healthcheck: { test: ['CMD', 'true'], interval: '0s', timeout: '500ms', start_period: '0s' } } });
    expect(svc(spec, 'web').health!.liveness).toMatchObject({ periodSeconds: 30, timeoutSeconds: 1, initialDelaySeconds: 0 });
    expect(at(report, 'services.web.healthcheck.interval')).toEqual([{ path: 'services.web.healthcheck.interval', status: 'decision', message: expect.stringContaining('"0s" is 0, which Docker reads as not set (its default 30s): imported as periodSeconds 30') }]);
    expect(at(report, 'services.web.healthcheck.timeout')).toEqual([{ path: 'services.web.healthcheck.timeout', status: 'decision', message: expect.stringContaining('"500ms" is not a whole number of seconds') }]);
    expect(validate(spec)).toEqual([]);
  });

  it('a command that names another service (wait-for db:5432) gives it a port and a talksTo edge, as an env value does', () => {
    const { spec, report } = imported({ web: { image: 'example/web:1.0', command: ['wait-for', 'db:5432', '--', 'serve'] }, db: { image: 'example/db:1.0' } });
    expect(svc(spec, 'db').ports).toEqual([{ name: 'postgres', port: 5432 }]);
    expect(svc(spec, 'web').talksTo).toEqual(['db']);
    expect(at(report, 'services.db.expose')[0].message).toContain('imported as port 5432 (services.web.command: db:5432)');
    expect(at(report, 'services.web.command')).toContainEqual({ path: 'services.web.command', status: 'decision', message: expect.stringContaining('names service "db" on port 5432: imported as talksTo: [db]') });
  });
});

describe('import: fields it called mapped that validation refused (a small fuzz of compose shapes found them)', () => {
  it('an env name the spec refuses (A.B, my-var) is a cannot-map line, not a mapped plain value', () => {
    const { spec, report } = imported({ web: { image: 'example/web:1.0', environment: { 'A.B': 'x', 'my-var': '1', OK: 'y' } } });
    expect(svc(spec, 'web').env).toEqual({ OK: 'y' });
    expect(at(report, 'services.web.environment.my-var')).toEqual([{ path: 'services.web.environment.my-var', status: 'unmapped', message: expect.stringContaining('rename the variable (e.g. "my_var")') }]);
    expect(validate(spec)).toEqual([]);
  });
});

describe('import: links are dependencies (compose starts a linked service first)', () => {
  const source = {
    db: { image: 'postgres:16', ports: ['5432'] },
    cache: { image: 'redis:7.4', ports: ['6379'], healthcheck: { test: ['CMD', 'redis-cli', 'ping'] } },
    web: { image: 'example/web:1.0', links: ['db', 'cache:kv'], depends_on: { cache: { condition: 'service_healthy' } } },
  };

  it('a link not in depends_on becomes dependsOn (started); one that is keeps its condition; an alias is named as lost', () => {
    const { spec, report } = imported(source);
    expect(svc(spec, 'web').dependsOn).toEqual(expect.arrayContaining([{ service: 'db', condition: 'started' }, { service: 'cache', condition: 'healthy' }]));
    expect(svc(spec, 'web').dependsOn).toHaveLength(2);
    expect(at(report, 'services.web.links')).toEqual([expect.objectContaining({ status: 'decision', message: expect.stringContaining('compose starts db first (a link implies depends_on') })]);
    expect(at(report, 'services.web.links[1]')).toContainEqual(expect.objectContaining({ status: 'unmapped', message: expect.stringContaining('"kv"') }));
    expect(report.filter((e) => e.path === 'services.web.links' && e.message.includes('not a field the spec models'))).toEqual([]);
    expect(composeOf(spec).services.web.depends_on).toMatchObject({ db: { condition: 'service_started' }, cache: { condition: 'service_healthy' } });
  });
});

describe('import: a service others wait to complete is a job, and loses what the spec refuses a job, each with a line', () => {
  const source = {
    migrate: { image: 'postgres:16', ports: ['5432:5432'], expose: ['9000'], healthcheck: { test: ['CMD', 'pg_isready'] }, deploy: { replicas: 2 }, restart: 'always', volumes: ['data:/var/lib/postgresql/data'] },
    web: { image: 'example/web:1.0', ports: ['8080:80'], depends_on: { migrate: { condition: 'service_completed_successfully' } } },
  };

  it('ports, health, replicas, restart always, the volume claim and the database role are dropped or changed; the spec validates', () => {
    const { spec, report } = imported(source);
    const job = svc(spec, 'migrate');
    expect(job).toMatchObject({ job: {}, role: 'worker', restart: 'on-failure', writablePaths: ['/var/lib/postgresql/data'] });
    for (const f of ['ports', 'health', 'replicas', 'volumes'] as const) expect(job[f]).toBeUndefined();
    expect(validate(spec)).toEqual([]);
    const line = (path: string, text: string) => expect(at(report, path)).toContainEqual({ path, status: 'decision', message: expect.stringContaining(text) });
    line('services.migrate', 'imported with role "worker" (a job cannot have role "database"');
    line('services.migrate.ports[0]', 'port dropped: the service runs once as a job');
    line('services.migrate.expose[0]', 'port dropped: the service runs once as a job');
    line('services.migrate.healthcheck', 'health check dropped');
    line('services.migrate.deploy.replicas', '2 replicas dropped');
    line('services.migrate.restart', 'imported as "on-failure"');
    line('services.migrate.volumes[0]', 'a job cannot claim a persistent volume: volume "data" at /var/lib/postgresql/data imported as a writable path');
    // No line still calls a dropped field mapped.
    for (const path of ['services.migrate.ports[0]', 'services.migrate.expose[0]', 'services.migrate.healthcheck', 'services.migrate.deploy.replicas', 'services.migrate.restart']) {
      expect(at(report, path).filter((e) => e.status === 'mapped')).toEqual([]);
    }
    expect(at(report, 'services.migrate').filter((e) => e.message.startsWith('role "database"'))).toEqual([]);
  });
});

describe('import: depends_on conditions the spec refuses are changed with a line', () => {
  it('service_healthy on a service with no compose healthcheck waits for "started", and says how to keep waiting for healthy', () => {
    const { spec, report } = imported({ db: { image: 'example/db:1.0', expose: ['5432'] }, web: { image: 'example/web:1.0', depends_on: { db: { condition: 'service_healthy' } } } });
    expect(svc(spec, 'web').dependsOn).toEqual([{ service: 'db', condition: 'started' }]);
    expect(at(report, 'services.web.depends_on.db')).toEqual([{ path: 'services.web.depends_on.db', status: 'decision', message: expect.stringContaining("the image's own HEALTHCHECK may exist, but the spec cannot see it): imported as \"started\"") }]);
    expect(at(report, 'services.web.depends_on.db')[0].message).toContain('add a healthcheck to db to keep waiting for healthy');
    expect(validate(spec)).toEqual([]);
  });

  it('service_started (and a link) on a service imported as a job waits for "completed", with a line', () => {
    const { spec, report } = imported({
      seed: { image: 'example/seed:1.0' },
      web: { image: 'example/web:1.0', depends_on: { seed: { condition: 'service_completed_successfully' } } },
      api: { image: 'example/api:1.0', depends_on: ['seed'] },
      old: { image: 'example/old:1.0', links: ['seed'] },
    });
    expect(svc(spec, 'api').dependsOn).toEqual([{ service: 'seed', condition: 'completed' }]);
    expect(svc(spec, 'old').dependsOn).toEqual([{ service: 'seed', condition: 'completed' }]);
    expect(at(report, 'services.api.depends_on.seed')).toEqual([{ path: 'services.api.depends_on.seed', status: 'decision', message: expect.stringContaining('imported as "completed" where compose waited until started') }]);
    expect(at(report, 'services.old.links')).toContainEqual({ path: 'services.old.links', status: 'decision', message: expect.stringContaining('imported as "completed"') });
    expect(validate(spec)).toEqual([]);
  });
});

describe('import: compose labels Kubernetes refuses are not mapped labels', () => {
  it('a value with a space, over 63 characters or a "/" becomes an annotation (compose still writes it as a label); a key Kubernetes refuses is a cannot-map line with a key to use', () => {
    const long = 'x'.repeat(70);
    const { spec, report } = imported({ web: { image: 'example/web:1.0', labels: { a: 'has space', b: long, c: 'ok', 'd e': 'v', f: 'a/b' } } });
    expect(svc(spec, 'web').labels).toEqual({ c: 'ok' });
    expect(svc(spec, 'web').annotations).toEqual({ a: 'has space', b: long, f: 'a/b' });
    for (const k of ['a', 'b', 'f']) {
      expect(at(report, `services.web.labels.${k}`)).toEqual([{ path: `services.web.labels.${k}`, status: 'decision', message: expect.stringContaining('is not a Kubernetes label value') }]);
    }
    expect(at(report, 'services.web.labels.d e')).toEqual([{ path: 'services.web.labels.d e', status: 'unmapped', message: expect.stringContaining('rename it in compose (e.g. "d-e")') }]);
    expect(validate(spec)).toEqual([]);
    expect(composeOf(spec).services.web.labels).toMatchObject({ a: 'has space', b: long, c: 'ok', f: 'a/b' });
  });

  it('a label with no value (list form "x") is the empty value compose gives it', () => {
    const { spec } = imported({ web: { image: 'example/web:1.0', labels: ['x', 'y=1'] } });
    expect(svc(spec, 'web').labels).toEqual({ x: '', y: '1' });
    expect(validate(spec)).toEqual([]);
  });
});

describe('import: deploy.replicas of 2 or more', () => {
  it('the kubernetes environment gets podDisruptionBudgets, and a volume the replicas share is ReadWriteMany, each with a line; the spec validates', () => {
    const { spec, report } = imported({ web: { image: 'example/web:1.0', ports: ['8080:80'], deploy: { replicas: 3 }, volumes: ['uploads:/data'] } });
    expect(svc(spec, 'web').replicas).toBe(3);
    expect(spec.environments.kubernetes.podDisruptionBudgets).toBe(true);
    expect(at(report, 'services.web.deploy.replicas')).toContainEqual({ path: 'services.web.deploy.replicas', status: 'decision', message: expect.stringContaining('the kubernetes environment gets podDisruptionBudgets: true') });
    expect(svc(spec, 'web').volumes).toEqual([{ name: 'uploads', mountPath: '/data', accessMode: 'ReadWriteMany' }]);
    expect(at(report, 'services.web.volumes[0]')).toContainEqual({ path: 'services.web.volumes[0]', status: 'decision', message: expect.stringContaining('imported as accessMode ReadWriteMany') });
    expect(validate(spec)).toEqual([]);
  });

  it('replicas that are not a count (-1, "two") are a cannot-map line, not a mapped NaN', () => {
    const { spec, report } = imported({ a: { image: 'example/web:1.0', deploy: { replicas: -1 } }, b: { image: 'example/web:1.0', deploy: { replicas: 'two' } } });
    expect(svc(spec, 'a').replicas).toBeUndefined();
    expect(svc(spec, 'b').replicas).toBeUndefined();
    expect(at(report, 'services.b.deploy.replicas')).toEqual([{ path: 'services.b.deploy.replicas', status: 'unmapped', message: expect.stringContaining('"two" is not a whole number of replicas') }]);
    expect(validate(spec)).toEqual([]);
  });
});

describe('import: writable paths the spec refuses are dropped with a line, not left to validate', () => {
  it('two identical tmpfs entries, a tmpfs on a path a volume mounts, and a tmpfs inside another: one writable path each, a line at the dropped entry', () => {
    const { spec, report } = imported({
      web: { image: 'example/web:1.0', read_only: true, tmpfs: ['/tmp', '/tmp', '/run/app', '/run', '/cache'], volumes: ['data:/cache'] },
    });
    expect(svc(spec, 'web').writablePaths).toEqual(['/tmp', '/run']);
    expect(svc(spec, 'web').volumes).toEqual([{ name: 'data', mountPath: '/cache' }]);
    expect(at(report, 'services.web.tmpfs[1]')).toEqual([{ path: 'services.web.tmpfs[1]', status: 'decision', message: expect.stringContaining('"/tmp" is already a writable path (services.web.tmpfs[0]): the duplicate is dropped') }]);
    expect(at(report, 'services.web.tmpfs[4]')).toEqual([{ path: 'services.web.tmpfs[4]', status: 'decision', message: expect.stringContaining('"/cache" is also where volume "data" is mounted') }]);
    expect(at(report, 'services.web.tmpfs[2]')).toEqual([{ path: 'services.web.tmpfs[2]', status: 'decision', message: expect.stringContaining('"/run/app" is inside writable path "/run" (services.web.tmpfs[3])') }]);
    expect(validate(spec)).toEqual([]);
  });

  it('a relative tmpfs path is a cannot-map line', () => {
    const { spec, report } = imported({ web: { image: 'example/web:1.0', tmpfs: ['relative', '/tmp'] } });
    expect(svc(spec, 'web').writablePaths).toEqual(['/tmp']);
    expect(at(report, 'services.web.tmpfs[0]')).toEqual([{ path: 'services.web.tmpfs[0]', status: 'unmapped', message: expect.stringContaining('write it as "/relative"') }]);
    expect(validate(spec)).toEqual([]);
  });
});

describe('import: an image reference compose refuses is a cannot-map line, not a mapped image', () => {
  it('"A/B:1" (uppercase repository) names the lowercase fix', () => {
    const { report } = imported({ web: { image: 'A/B:1' } });
    expect(at(report, 'services.web.image')).toEqual([{ path: 'services.web.image', status: 'unmapped', message: expect.stringContaining('write a valid reference in compose (e.g. "a/b:1")') }]);
  });

  it('a reference with a bad character is a cannot-map line too; a valid one stays mapped', () => {
    const { report } = imported({ web: { image: 'example/we b:1.0' }, ok: { image: 'example/web:1.0' } });
    expect(at(report, 'services.web.image').map((e) => e.status)).toEqual(['unmapped']);
    expect(at(report, 'services.ok.image')).toEqual([{ path: 'services.ok.image', status: 'mapped', message: 'example/web:1.0' }]);
  });
});

describe('import: a relative volume target is a cannot-map line (compose refuses it too)', () => {
  it('"data:relative", a long form with target "rel/x" and an anonymous "cache" are not imported, each with the absolute path to write', () => {
    const { spec, report } = imported({ web: { image: 'example/web:1.0', volumes: ['data:relative', { type: 'volume', source: 'x', target: 'rel/x' }, 'cache', 'ok:/ok'] } });
    expect(svc(spec, 'web').volumes).toEqual([{ name: 'ok', mountPath: '/ok' }]);
    expect(svc(spec, 'web').writablePaths).toBeUndefined();
    expect(at(report, 'services.web.volumes[0]')).toEqual([{ path: 'services.web.volumes[0]', status: 'unmapped', message: expect.stringContaining('write it as "/relative"') }]);
    expect(at(report, 'services.web.volumes[1]').map((e) => e.status)).toEqual(['unmapped']);
    expect(at(report, 'services.web.volumes[2]')).toEqual([{ path: 'services.web.volumes[2]', status: 'unmapped', message: expect.stringContaining('write it as "/cache"') }]);
    expect(validate(spec)).toEqual([]);
  });
});

describe('import: postgres data on a fresh claim (lost+found at its root stops initdb)', () => {
  it('a postgres service with a volume at /var/lib/postgresql/data and no PGDATA gets PGDATA one level down, with a line saying why', () => {
    const { spec, report } = imported({ db: { image: 'postgres:16', expose: ['5432'], environment: { POSTGRES_DB: 'app' }, volumes: ['pg:/var/lib/postgresql/data'] } });
    expect(svc(spec, 'db').env).toEqual({ POSTGRES_DB: 'app', PGDATA: '/var/lib/postgresql/data/pgdata' });
    expect(at(report, 'services.db.environment.PGDATA')).toEqual([{ path: 'services.db.environment.PGDATA', status: 'decision', message: expect.stringContaining("lost+found on many storage classes, and postgres's initdb refuses a directory that is not empty") }]);
    expect(validate(spec)).toEqual([]);
    expect(composeOf(spec).services.db.environment.PGDATA).toBe('/var/lib/postgresql/data/pgdata');
  });

  it('a postgres-derived image too (postgis); PGDATA already set, another image, or no volume there: nothing changes', () => {
    const { spec, report } = imported({
      gis: { image: 'postgis/postgis:16-3.4', expose: ['5432'], volumes: ['gisdata:/var/lib/postgresql/data'] },
      set: { image: 'postgres:16', expose: ['5432'], environment: { PGDATA: '/var/lib/postgresql/data/x' }, volumes: ['setdata:/var/lib/postgresql/data'] },
      other: { image: 'mariadb:11.4', expose: ['3306'], volumes: ['mdata:/var/lib/postgresql/data'] },
      bare: { image: 'postgres:16', expose: ['5432'] },
    });
    expect(svc(spec, 'gis').env).toEqual({ PGDATA: '/var/lib/postgresql/data/pgdata' });
    expect(svc(spec, 'set').env).toEqual({ PGDATA: '/var/lib/postgresql/data/x' });
    expect(svc(spec, 'other').env).toBeUndefined();
    expect(svc(spec, 'bare').env).toBeUndefined();
    expect(report.filter((e) => e.path.endsWith('.environment.PGDATA') && e.status === 'decision').map((e) => e.path)).toEqual(['services.gis.environment.PGDATA']);
  });
});
