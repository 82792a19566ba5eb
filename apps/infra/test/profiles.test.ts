// Profiles: a service that compose starts only on request. Compose carries `profiles:`;
// Kubernetes writes the workload scaled to 0 (a Job or CronJob suspended), and the parity
// report says how each target expresses it. An environment can enable a profile.
import { validate, type StackSpec } from '@todo/service-spec';
import { parse, parseAllDocuments } from 'yaml';
import { importCompose } from '../src/import/compose-import';
import { renderOutputs } from '../src/outputs';
import { fixtureTags, validateComposeSchema } from './support';

const stack = (): any => ({
  name: 'prof',
  services: [
    {
      name: 'db',
      role: 'database',
      image: { ref: 'postgres:16-alpine' },
      ports: [{ name: 'pg', port: 5432 }],
      health: { liveness: { exec: { command: ['pg_isready'] } } },
      volumes: [{ name: 'data', mountPath: '/data' }],
      user: { uid: 70, gid: 70 },
    },
    {
      name: 'api',
      role: 'api',
      image: { ref: 'example/api:1.0' },
      ports: [{ name: 'http', port: 8000 }],
      health: { liveness: { http: { path: '/health', port: 'http' } } },
      dependsOn: ['db'],
    },
    {
      name: 'adminer',
      role: 'web',
      image: { ref: 'adminer:4.8.1' },
      ports: [{ name: 'http', port: 8080, hostPort: 8080 }],
      health: { liveness: { tcp: { port: 'http' } } },
      talksTo: ['db'],
      migration: { command: ['true'] },
      profiles: ['debug'],
    },
    { name: 'seed', role: 'worker', image: { ref: 'example/api:1.0' }, job: {}, profiles: ['tools', 'debug'] },
    { name: 'report', role: 'worker', image: { ref: 'example/api:1.0' }, job: { schedule: '0 3 * * *' }, profiles: ['tools'] },
  ],
  environments: {
    local: { target: 'compose' },
    dev: { target: 'compose', profiles: ['debug'] },
    production: { target: 'kubernetes', podDisruptionBudgets: true, services: { api: { replicas: 2 } } },
    staging: { target: 'kubernetes', profiles: ['debug'] },
  },
});

function render(spec: StackSpec) {
  expect(validate(spec)).toEqual([]);
  const { files, warnings } = renderOutputs(spec, fixtureTags(spec), { readRepoFile: () => '' });
  const compose = (env: string) => parse(files.find((f) => f.path === `docker/docker-compose${env === 'local' ? '' : `.${env}`}.yml`)!.content);
  const kube = (env: string) => files.filter((f) => f.path.startsWith(`dist/k8s/${env}/`)).flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJS()));
  const workload = (env: string, name: string) => kube(env).find((o: any) => ['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(o.kind) && o.metadata.name === name);
  const parity = (env: string) => warnings.filter((w) => w.environment === env && w.path.endsWith('.profiles')).map((w) => `${w.path}: ${w.message}`);
  return { compose, kube, workload, parity };
}

describe('profiles on compose', () => {
  const r = render(stack());
  it('a profiled service carries profiles:, and so does its migration; a scheduled job keeps scheduled-jobs beside its own', () => {
    const c = r.compose('local');
    expect(c.services.adminer.profiles).toEqual(['debug']);
    expect(c.services['adminer-migrate'].profiles).toEqual(['debug']);
    expect(c.services.seed.profiles).toEqual(['tools', 'debug']);
    expect(c.services.report.profiles).toEqual(['tools', 'scheduled-jobs']);
    expect(c.services.api.profiles).toBeUndefined();
    expect(c.services.db.profiles).toBeUndefined();
    expect(validateComposeSchema(c)).toEqual([]);
  });

  it('an environment that enables the profile writes the service without profiles:, and the parity report says so', () => {
    const c = r.compose('dev');
    expect(c.services.adminer.profiles).toBeUndefined();
    expect(c.services['adminer-migrate'].profiles).toBeUndefined();
    expect(c.services.seed.profiles).toBeUndefined();
    expect(c.services.report.profiles).toEqual(['tools', 'scheduled-jobs']);
    expect(r.parity('dev')).toEqual([
      'services.adminer.profiles: environment "dev" enables profile(s) debug: written without `profiles:`, so `up` starts it like any other service',
      'services.seed.profiles: environment "dev" enables profile(s) debug: written without `profiles:`, so `up` starts it like any other service',
    ]);
    // compose expresses profiles itself: no parity line where it carries them as the source had them.
    expect(r.parity('local')).toEqual([]);
  });
});

describe('profiles on Kubernetes', () => {
  const r = render(stack());
  it('a profiled workload is written scaled to 0, a Job and a CronJob suspended; the others run as before', () => {
    expect(r.workload('production', 'adminer').spec.replicas).toBe(0);
    expect(r.workload('production', 'seed').spec.suspend).toBe(true);
    expect(r.workload('production', 'report').spec.suspend).toBe(true);
    expect(r.workload('production', 'api').spec.replicas).toBe(2);
    expect(r.workload('production', 'db').spec.replicas).toBe(1);
    expect(r.workload('production', 'api').spec.suspend).toBeUndefined();
  });

  it('nothing scales a workload at 0 back up: no HorizontalPodAutoscaler, no PodDisruptionBudget selects it', () => {
    const objects = r.kube('production');
    expect(objects.filter((o: any) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    expect(objects.filter((o: any) => o.kind === 'PodDisruptionBudget').map((o: any) => o.metadata.name)).toEqual(['api']);
  });

  it('an environment that enables the profile runs it: replicas 1, the Job not suspended', () => {
    expect(r.workload('staging', 'adminer').spec.replicas).toBe(1);
    expect(r.workload('staging', 'seed').spec.suspend).toBeUndefined();
    expect(r.workload('staging', 'report').spec.suspend).toBe(true);
  });

  it('the parity report says how Kubernetes expresses it and how to start it', () => {
    expect(r.parity('production')).toEqual([
      'services.adminer.profiles: runs only with profile(s) debug, which environment "production" does not enable: Kubernetes has no profiles, so the Deployment is written with replicas 0 (compose: `--profile debug`); start it with `kubectl -n prof scale deployment adminer --replicas=1`, or enable the profile in environments.production.profiles',
      'services.report.profiles: runs only with profile(s) tools, which environment "production" does not enable: Kubernetes has no profiles, so the CronJob is written suspended (compose: `--profile tools`); start it with `kubectl -n prof patch cronjob report -p \'{"spec":{"suspend":false}}\'`, or enable the profile in environments.production.profiles',
      'services.seed.profiles: runs only with profile(s) tools, debug, which environment "production" does not enable: Kubernetes has no profiles, so the Job is written suspended (compose: `--profile tools`); start it with `kubectl -n prof patch job seed -p \'{"spec":{"suspend":false}}\'`, or enable the profile in environments.production.profiles',
    ]);
  });
});

describe('profiles: validation', () => {
  const issues = (change: (s: any) => void) => {
    const s = stack();
    change(s);
    return validate(s);
  };
  const svc = (s: any, name: string) => s.services.find((x: any) => x.name === name);

  it.each([
    ['a service without profiles depends on a profiled one', (s: any) => (svc(s, 'api').dependsOn = ['db', 'adminer']), 'services.api.dependsOn[1]', '"api" depends on "adminer", which runs only with profile(s) "debug"; "api" runs without a profile: compose refuses to start "api" while "adminer" is disabled, and Kubernetes scales "adminer" to 0; fix: give "api" profiles among "debug", or remove the profiles of "adminer"'],
    ['a service without profiles talks to a profiled one', (s: any) => (svc(s, 'api').talksTo = ['adminer']), 'services.api.talksTo[0]', '"api" talks to "adminer", which runs only with profile(s) "debug"; "api" runs without a profile'],
    ['a profiled service depends on one its profiles do not start', (s: any) => (svc(s, 'adminer').dependsOn = [{ service: 'report', condition: 'completed' }], delete svc(s, 'report').job.schedule), 'services.adminer.dependsOn[0]', '"adminer" runs with profile(s) "debug", which do not start "report"'],
    ['a profile name compose refuses', (s: any) => (svc(s, 'adminer').profiles = ['-debug']), 'services.adminer.profiles[0]', 'is not a compose profile name'],
    ['a profile listed twice', (s: any) => (svc(s, 'adminer').profiles = ['debug', 'debug']), 'services.adminer.profiles[1]', '"debug" is listed twice'],
    ['an environment enables a profile no service has', (s: any) => (s.environments.dev.profiles = ['debgu']), 'environments.dev.profiles[0]', 'no service has profile "debgu" (profiles: "debug", "tools")'],
    ['autoscaling a service its environment leaves at 0', (s: any) => (s.environments.production.services.adminer = { autoscaling: { minReplicas: 2, maxReplicas: 3 } }), 'environments.production.services.adminer.autoscaling', 'a HorizontalPodAutoscaler would scale it up'],
    ['replicas for a service its environment leaves at 0', (s: any) => (s.environments.production.services.adminer = { replicas: 3 }), 'environments.production.services.adminer.replicas', '3 replicas would not apply'],
  ])('%s', (_name, change, path, message) => {
    expect(issues(change)).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('a profiled service may depend on one that shares its profiles, or has none', () => {
    expect(issues((s) => (svc(s, 'seed').dependsOn = ['db']))).toEqual([]);
    expect(issues((s) => (svc(s, 'adminer').dependsOn = [{ service: 'seed', condition: 'completed' }]))).toEqual([]);
  });
});

describe('profiles: import', () => {
  it('maps compose profiles to the field, named at the compose path', () => {
    const { spec, report } = importCompose(
      { services: { web: { image: 'nginx:1.27' }, adminer: { image: 'adminer:4.8.1', profiles: ['debug', 'tools'] } } },
      { name: 'demo', repoPath: (p: string) => p },
    );
    expect((spec as any).services.find((s: any) => s.name === 'adminer').profiles).toEqual(['debug', 'tools']);
    expect((spec as any).services.find((s: any) => s.name === 'web').profiles).toBeUndefined();
    expect(report.filter((e) => e.path.startsWith('services.adminer.profiles'))).toEqual([
      { path: 'services.adminer.profiles', status: 'mapped', message: expect.stringContaining('profiles debug, tools') },
    ]);
  });
});
