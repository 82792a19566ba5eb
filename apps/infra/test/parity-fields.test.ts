import { validate, type StackSpec } from '@todo/service-spec';
import { renderOutputs } from '../src/outputs';
import { specFieldPaths, TYPES_FILE } from './spec-fields';
import { fixtureTags } from './support';

/**
 * The parity promise, checked by construction: every field of the spec types
 * (read from types.ts by the compiler, so a new field cannot be forgotten) is
 * covered by an entry below whose change to a small stack either changes the
 * rendered output of each target, adds or changes a line of that target's
 * parity report, or is rejected by validation for that target. The few fields
 * that reach no output by design say why.
 */
type Outcome = 'rendered' | 'parity' | 'rejected' | { readonly na: string };
interface Coverage {
  /** Leaf paths, or a prefix ending in `.` that covers every leaf below it. */
  readonly fields: readonly string[];
  /** Applied to a copy of the base stack; `env` is the environment of the target under test. */
  readonly change: (s: any, env: 'c' | 'k') => void;
  readonly kubernetes: Outcome;
  readonly compose: Outcome;
}

const base = (): any => ({
  name: 'cov',
  services: [
    {
      name: 'db',
      role: 'database',
      image: { ref: 'postgres:16-alpine' },
      ports: [{ name: 'pg', port: 5432 }],
      health: { liveness: { exec: { command: ['pg_isready'] } } },
      volumes: [{ name: 'data', mountPath: '/data' }],
      user: { uid: 70, gid: 70 },
      writablePaths: ['/tmp'],
    },
    {
      name: 'api',
      role: 'api',
      runtime: 'python',
      image: { build: { context: '.', dockerfile: 'docker/api/Dockerfile' } },
      ports: [{ name: 'http', port: 8000, hostPort: 8000 }],
      env: { LOG_LEVEL: 'INFO' },
      secrets: { DATABASE_URL: { secret: 'api', key: 'database-url' } },
      health: { liveness: { http: { path: '/health', port: 'http' } } },
      dependsOn: ['db'],
      ingressPath: '/api',
    },
  ],
  environments: { c: { target: 'compose' }, k: { target: 'kubernetes', ingress: { host: 'cov.example.com' }, podDisruptionBudgets: true } },
});

const svc = (s: any, name: string) => s.services.find((x: any) => x.name === name);
const override = (s: any, env: string, name: string, o: any) => (s.environments[env].services = { ...(s.environments[env].services ?? {}), [name]: o });
const BUILD = 'what is built: it reaches Kubernetes through the content-hash image tag (libs/build-inputs tests); compose also gets build:';

const COVERAGE: readonly Coverage[] = [
  { fields: ['name'], change: (s) => (s.name = 'cov2'), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].name'], change: (s) => (svc(s, 'api').name = 'app'), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].role'], change: (s) => (svc(s, 'api').role = 'web'), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].runtime'], change: (s) => (svc(s, 'api').runtime = 'node'), kubernetes: { na: 'decides how compose runs an HTTP check inside the image; Kubernetes probes from outside' }, compose: 'rendered' },
  { fields: ['services[].image.build.context', 'services[].image.build.dockerfile', 'services[].image.build.baseImages.*'], change: (s) => (svc(s, 'api').image.build.dockerfile = 'docker/x/Dockerfile'), kubernetes: { na: BUILD }, compose: 'rendered' },
  { fields: ['services[].image.repository'], change: (s) => (svc(s, 'api').image.repository = 'acme-api'), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].image.ref'], change: (s) => (svc(s, 'db').image.ref = 'postgres:17-alpine'), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].ports[].name'], change: (s) => (svc(s, 'db').ports[0].name = 'postgres'), kubernetes: 'rendered', compose: { na: 'a name other fields refer to; compose ports carry no names' } },
  { fields: ['services[].ports[].port'], change: (s) => (svc(s, 'api').ports[0].port = 8001), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].ports[].protocol'], change: (s) => (svc(s, 'api').ports.push({ name: 'dns', port: 53, protocol: 'UDP', hostPort: 5353 })), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].ports[].hostPort'], change: (s) => (svc(s, 'api').ports[0].hostPort = 18000), kubernetes: 'parity', compose: 'rendered' },
  { fields: ['services[].ports[].hostAddress'], change: (s) => (svc(s, 'api').ports[0].hostAddress = '0.0.0.0'), kubernetes: 'parity', compose: 'rendered' },
  { fields: ['services[].env.*'], change: (s) => (svc(s, 'api').env.MODE = 'fast'), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].secrets.*.secret', 'services[].secrets.*.key'], change: (s) => (svc(s, 'api').secrets.DATABASE_URL.key = 'url'), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].secrets.*.optional'], change: (s) => (svc(s, 'api').secrets.DATABASE_URL.optional = true), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].secrets.*.localDefault'], change: (s) => (svc(s, 'api').secrets.DATABASE_URL.localDefault = 'local-only'), kubernetes: 'parity', compose: 'rendered' },
  { fields: ['services[].health.liveness.'], change: (s) => (svc(s, 'api').health.liveness = { http: { path: '/live', port: 'http' }, periodSeconds: 7, timeoutSeconds: 2, failureThreshold: 4, initialDelaySeconds: 30 }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].health.liveness.tcp.port'], change: (s) => (svc(s, 'api').health.liveness = { tcp: { port: 'http' } }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].health.liveness.exec.command[]'], change: (s) => (svc(s, 'db').health.liveness.exec.command = ['pg_isready', '-q']), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].health.readiness.'], change: (s) => (svc(s, 'api').health.readiness = { http: { path: '/ready', port: 'http' }, periodSeconds: 5 }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].health.startup.'], change: (s) => (svc(s, 'api').health.startup = { http: { path: '/health', port: 'http' }, periodSeconds: 2, failureThreshold: 30 }), kubernetes: 'rendered', compose: 'parity' },
  { fields: ['services[].health.composeCommand[]'], change: (s) => (svc(s, 'api').health.composeCommand = ['check-health']), kubernetes: 'parity', compose: 'rendered' },
  { fields: ['services[].health.composeHttpClient'], change: (s) => (svc(s, 'api').health.composeHttpClient = 'wget'), kubernetes: 'parity', compose: 'rendered' },
  { fields: ['services[].resources.'], change: (s) => (svc(s, 'api').resources = { cpuMillis: { request: 200, limit: 900 }, memoryMiB: { request: 100, limit: 300 } }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].replicas'], change: (s) => (svc(s, 'api').replicas = 2), kubernetes: 'rendered', compose: 'parity' },
  { fields: ['services[].volumes[].name', 'services[].volumes[].mountPath'], change: (s) => (svc(s, 'api').volumes = [{ name: 'uploads', mountPath: '/uploads' }]), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].volumes[].sizeGiB'], change: (s) => (svc(s, 'db').volumes[0].sizeGiB = 7), kubernetes: 'rendered', compose: 'parity' },
  { fields: ['services[].volumes[].accessMode'], change: (s) => (svc(s, 'db').volumes[0].accessMode = 'ReadWriteMany'), kubernetes: 'rendered', compose: { na: 'a named volume lives on one host and is shared by every container that mounts it; access modes do not apply' } },
  { fields: ['services[].volumes[].storageClass'], change: (s) => (svc(s, 'db').volumes[0].storageClass = 'fast'), kubernetes: 'rendered', compose: 'parity' },
  { fields: ['services[].files[].path', 'services[].files[].content'], change: (s) => (svc(s, 'api').files = [{ path: '/etc/api.conf', content: 'a=1' }]), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].files[].source'], change: (s) => (svc(s, 'api').files = [{ path: '/etc/api.conf', source: 'conf/api.conf' }]), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].files[].secret.'], change: (s) => (svc(s, 'api').files = [{ path: '/run/secrets/token', secret: { secret: 'api', key: 'token' } }]), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].writablePaths[]'], change: (s) => (svc(s, 'api').writablePaths = ['/cache']), kubernetes: 'rendered', compose: 'rendered' },
  {
    fields: ['services[].readOnlyRootFilesystem', 'services[].gateWaivers[].rule', 'services[].gateWaivers[].reason'],
    change: (s) => Object.assign(svc(s, 'api'), { readOnlyRootFilesystem: false, gateWaivers: [{ rule: 'read-only-root-filesystem', reason: 'the image writes where it likes' }] }),
    kubernetes: 'rendered',
    compose: 'rendered',
  },
  { fields: ['services[].dependsOn[].service'], change: (s) => (svc(s, 'api').dependsOn = []), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].dependsOn[].condition'], change: (s) => (svc(s, 'api').dependsOn = [{ service: 'db', condition: 'started' }]), kubernetes: 'parity', compose: 'rendered' },
  { fields: ['services[].talksTo[]'], change: (s) => (svc(s, 'db').talksTo = ['api']), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].ingressPath'], change: (s) => (svc(s, 'api').ingressPath = '/v1'), kubernetes: 'rendered', compose: 'parity' },
  { fields: ['services[].ingressPort'], change: (s) => (svc(s, 'api').ports.push({ name: 'admin', port: 9000 }), (svc(s, 'api').ingressPort = 'admin')), kubernetes: 'rendered', compose: 'parity' },
  { fields: ['services[].migration.command[]'], change: (s) => (svc(s, 'api').migration = { command: ['migrate'] }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].migration.entrypoint[]'], change: (s) => (svc(s, 'api').migration = { command: ['migrate'], entrypoint: ['/tini', '--'] }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].user.'], change: (s) => (svc(s, 'api').user = { uid: 1001, gid: 1001 }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].entrypoint[]'], change: (s) => (svc(s, 'api').entrypoint = ['/tini', '--']), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].command[]'], change: (s) => (svc(s, 'api').command = ['serve']), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].job.backoffLimit'], change: (s) => s.services.push({ name: 'seed', role: 'worker', image: { ref: 'x:1' }, job: { backoffLimit: 1 } }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].job.schedule'], change: (s) => s.services.push({ name: 'nightly', role: 'worker', image: { ref: 'x:1' }, job: { schedule: '0 3 * * *' } }), kubernetes: 'rendered', compose: 'parity' },
  { fields: ['services[].job.activeDeadlineSeconds'], change: (s) => s.services.push({ name: 'seed', role: 'worker', image: { ref: 'x:1' }, job: { activeDeadlineSeconds: 60 } }), kubernetes: 'rendered', compose: 'parity' },
  { fields: ['services[].restart'], change: (s) => (svc(s, 'api').restart = 'on-failure'), kubernetes: 'parity', compose: 'rendered' },
  { fields: ['services[].labels.*'], change: (s) => (svc(s, 'api').labels = { team: 'a' }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].annotations.*'], change: (s) => (svc(s, 'api').annotations = { 'example.com/owner': 'a' }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['services[].externalEgress[].'], change: (s) => (svc(s, 'api').externalEgress = [{ cidr: '0.0.0.0/0', ports: [443], reason: 'an API' }]), kubernetes: 'rendered', compose: 'parity' },
  { fields: ['services[].dev.mounts[].'], change: (s) => (svc(s, 'api').dev = { mounts: [{ source: 'src', target: '/app/src' }] }), kubernetes: 'parity', compose: 'rendered' },
  { fields: ['services[].dev.command[]'], change: (s) => (svc(s, 'api').dev = { command: ['serve', '--reload'] }), kubernetes: 'parity', compose: 'rendered' },
  { fields: ['services[].dev.env.*'], change: (s) => (svc(s, 'api').dev = { env: { DEBUG: '1' } }), kubernetes: 'parity', compose: 'rendered' },
  { fields: ['services[].profiles[]'], change: (s) => (svc(s, 'api').profiles = ['debug']), kubernetes: 'rendered', compose: 'rendered' },
  // Without the entry the value is refused (interpolation.test.ts); with it, both targets carry the text (compose as $${NAME}).
  { fields: ['services[].literalInterpolation[]'], change: (s) => Object.assign(svc(s, 'api'), { env: { ...svc(s, 'api').env, GREETING: 'hello ${NAME}' }, literalInterpolation: ['env.GREETING'] }), kubernetes: 'rendered', compose: 'rendered' },
  {
    fields: ['environments.*.profiles[]'],
    change: (s, env) => ((svc(s, 'api').profiles = ['debug']), (s.environments[env].profiles = ['debug'])),
    kubernetes: { na: 'enabling a profile renders the service as if it had none (replicas as set), which is the baseline; the scaled-to-0 difference belongs to services[].profiles (profiles.test.ts)' },
    compose: 'parity',
  },
  { fields: ['environments.*.target'], change: () => undefined, kubernetes: { na: 'chooses the target itself' }, compose: { na: 'chooses the target itself' } },
  { fields: ['environments.*.namespace'], change: (s, env) => (s.environments[env].namespace = 'elsewhere'), kubernetes: 'rendered', compose: 'rejected' },
  { fields: ['environments.*.allowSystemNamespace'], change: (s, env) => Object.assign(s.environments[env], { allowSystemNamespace: true }, env === 'k' && { namespace: 'default' }), kubernetes: 'rendered', compose: 'rejected' },
  { fields: ['environments.*.registry'], change: (s, env) => (s.environments[env].registry = 'registry.example.com/cov'), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['environments.*.imagePullPolicy'], change: (s, env) => (s.environments[env].imagePullPolicy = 'Always'), kubernetes: 'rendered', compose: 'rejected' },
  { fields: ['environments.*.ingress.'], change: (s, env) => (s.environments[env].ingress = { host: 'x.example.com', className: 'traefik', tlsSecret: 'tls', controllerNamespace: 'traefik' }), kubernetes: 'rendered', compose: 'rejected' },
  { fields: ['environments.*.podDisruptionBudgets'], change: (s, env) => ((s.environments[env].podDisruptionBudgets = !s.environments[env].podDisruptionBudgets), (svc(s, 'api').gateWaivers = [{ rule: 'pod-disruption-budget', reason: 'a test of the PDB switch' }]), (svc(s, 'api').replicas = 2)), kubernetes: 'rendered', compose: 'rejected' },
  { fields: ['environments.*.allowFloatingTags'], change: (s, env) => ((s.environments = { [env]: { ...s.environments[env], allowFloatingTags: true } }), (svc(s, 'db').image.ref = 'postgres:latest')), kubernetes: 'rejected', compose: 'rendered' },
  { fields: ['environments.*.services.*.image'], change: (s, env) => override(s, env, 'api', { image: 'example/api:2.0' }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['environments.*.services.*.entrypoint[]'], change: (s, env) => override(s, env, 'api', { entrypoint: ['/tini', '--'] }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['environments.*.services.*.command[]'], change: (s, env) => override(s, env, 'api', { command: ['serve', '--prod'] }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['environments.*.services.*.replicas'], change: (s, env) => override(s, env, 'api', { replicas: 3 }), kubernetes: 'rendered', compose: 'parity' },
  { fields: ['environments.*.services.*.env.*'], change: (s, env) => override(s, env, 'api', { env: { LOG_LEVEL: 'DEBUG' } }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['environments.*.services.*.secrets.'], change: (s, env) => override(s, env, 'api', { secrets: { API_TOKEN: { secret: 'api', key: 'token', optional: true, localDefault: 'dev-only' } } }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['environments.*.services.*.hostAddress'], change: (s, env) => override(s, env, 'api', { hostAddress: '0.0.0.0' }), kubernetes: 'parity', compose: 'rendered' },
  { fields: ['environments.*.services.*.labels.*'], change: (s, env) => override(s, env, 'api', { labels: { tier: 'gold' } }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['environments.*.services.*.annotations.*'], change: (s, env) => override(s, env, 'api', { annotations: { 'example.com/tier': 'gold' } }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['environments.*.services.*.resources.'], change: (s, env) => override(s, env, 'api', { resources: { cpuMillis: { request: 300, limit: 900 }, memoryMiB: { request: 300, limit: 600 } } }), kubernetes: 'rendered', compose: 'rendered' },
  { fields: ['environments.*.services.*.autoscaling.'], change: (s, env) => override(s, env, 'api', { autoscaling: { minReplicas: 2, maxReplicas: 5, cpuUtilization: 60 } }), kubernetes: 'rendered', compose: 'rejected' },
  { fields: ['environments.*.services.*.volumeSizeGiB.*'], change: (s, env) => override(s, env, 'db', { volumeSizeGiB: { data: 9 } }), kubernetes: 'rendered', compose: 'parity' },
  { fields: ['environments.*.patches.kubernetes[].'], change: (s, env) => (s.environments[env].patches = { kubernetes: [{ kind: 'Deployment', name: 'api', patch: [{ op: 'add', path: '/spec/minReadySeconds', value: 5 }] }] }), kubernetes: 'rendered', compose: 'rejected' },
  { fields: ['environments.*.patches.compose.*.*'], change: (s, env) => (s.environments[env].patches = { compose: { api: { shm_size: '256m' } } }), kubernetes: 'rejected', compose: 'rendered' },
  { fields: ['imageMirrors.*'], change: (s) => (s.imageMirrors = { 'postgres:16-alpine': 'mirror.example.com/postgres:16-alpine' }), kubernetes: 'rendered', compose: 'rendered' },
];

const ENV = { kubernetes: 'k', compose: 'c' } as const;

function render(spec: StackSpec, target: keyof typeof ENV) {
  const { files, warnings } = renderOutputs(spec, fixtureTags(spec), { readRepoFile: (p) => `text of ${p}` });
  const own = (path: string) => (target === 'kubernetes' ? path.startsWith(`dist/k8s/${ENV.kubernetes}/`) : path.startsWith('docker/'));
  return {
    output: files.filter((f) => own(f.path)).map((f) => `${f.path}\n${f.content}`).join('\n'),
    parity: warnings.filter((w) => w.environment === ENV[target]).map((w) => `${w.path}: ${w.message}`).join('\n'),
  };
}

describe('parity by construction: every spec field reaches both targets, a parity line, or a validation error', () => {
  const fields = specFieldPaths(TYPES_FILE);
  const covers = (entry: string, field: string) => (entry.endsWith('.') ? field.startsWith(entry) : entry === field);

  it('finds the fields of the spec types', () => {
    expect(fields.length).toBeGreaterThan(100);
    expect(fields).toContain('services[].entrypoint[]');
  });

  it('has a coverage entry for every field of the spec types', () => {
    expect(fields.filter((f) => !COVERAGE.some((c) => c.fields.some((e) => covers(e, f))))).toEqual([]);
  });

  it('names no field that the types no longer have', () => {
    expect(COVERAGE.flatMap((c) => c.fields).filter((e) => !fields.some((f) => covers(e, f)))).toEqual([]);
  });

  const baseline = { kubernetes: render(base(), 'kubernetes'), compose: render(base(), 'compose') };
  const cases = COVERAGE.flatMap((c) => (['kubernetes', 'compose'] as const).map((t) => [c.fields.join(', '), t, c[t], c] as const));

  it.each(cases)('%s on %s: %j', (_, target, outcome, c) => {
    const spec = base();
    c.change(spec, ENV[target]);
    if (typeof outcome === 'object') return void expect(outcome.na.length).toBeGreaterThan(20);
    if (outcome === 'rejected') return void expect(validate(spec).some((i) => i.path.startsWith(`environments.${ENV[target]}`))).toBe(true);
    expect(validate(spec)).toEqual([]);
    const after = render(spec, target);
    if (outcome === 'rendered') expect(after.output).not.toBe(baseline[target].output);
    else expect(after.parity).not.toBe(baseline[target].parity);
  });
});
