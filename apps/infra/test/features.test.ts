import { K8S_RULES, parseManifests, runRules } from '@todo/policy';
import { parse } from 'yaml';
import { dockerComposeConfig, kubeObjects, renderCase, validateComposeSchema, validateKube } from './support';

/**
 * A stack that uses every capability the todo stack does not (entrypoint and
 * arguments, volumes on a non-database, config and secret files, TCP checks, a
 * service with no health check, dependency conditions, talksTo, a job, a
 * scheduled job, overrides, labels, annotations, both escape hatches): its
 * output must pass the same checks as the todo stack's.
 */
describe('the features stack', () => {
  const files = renderCase('features');
  const objects = kubeObjects(files);
  const compose = files.find((f) => f.path === 'docker/docker-compose.yml')!.content;

  it('renders the new kinds', () => {
    expect(new Set(objects.map((o) => o.object.kind))).toEqual(new Set(['Namespace', 'NetworkPolicy', 'ConfigMap', 'Service', 'StatefulSet', 'Deployment', 'PersistentVolumeClaim', 'Job', 'CronJob', 'Ingress']));
  });

  it.each(objects.map((o) => [`${o.file} ${o.object.kind}/${o.object.metadata.name}`, o.object]))('%s is valid against the Kubernetes schema with no unknown keys', (_, obj) => {
    expect(validateKube(obj)).toEqual([]);
  });

  it('passes every policy rule, with the spec-stated waiver for the service without health checks', () => {
    const manifests = files.filter((f) => f.path.startsWith('dist/k8s/')).flatMap((f) => parseManifests(f.content, f.path));
    const waivers = ['features', 'features-staging'].map((ns) => ({ rule: 'probes', object: `Deployment/${ns}/cache`, reason: 'the spec declares no health check' }));
    const result = runRules(K8S_RULES, manifests, waivers);
    expect(result.outcomes.flatMap((o) => o.violations.map((v) => v.message))).toEqual([]);
  });

  it('validates against the official compose schema and loads in the real docker compose', () => {
    expect(validateComposeSchema(parse(compose))).toEqual([]);
    const out = dockerComposeConfig({ 'docker-compose.yml': compose }, [], { FEATURES_APP_API_TOKEN_FILE: '/dev/null' });
    expect(out).toContain('app report --host $$HOSTNAME');
    expect(out).toContain('costs $$5');
  });

  it('never writes a secret value', () => {
    const all = files.map((f) => f.content).join('\n');
    expect(all).not.toMatch(/api-token:\s*\S/);
    for (const { object } of objects) expect(object.kind).not.toBe('Secret');
  });
});
