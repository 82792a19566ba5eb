import { resolve, type StackSpec } from '@todo/service-spec';
import { kubernetesWarnings } from './warnings';
import { renderKubernetes } from './render';
import { writableVolumeName } from './workload';

const spec: StackSpec = {
  name: 'mini',
  services: [
    { name: 'db', role: 'database', image: { ref: 'postgres:16-alpine' }, ports: [{ name: 'pg', port: 5432 }], health: { liveness: { exec: { command: ['pg_isready'] } } }, volumes: [{ name: 'data', mountPath: '/data', sizeGiB: 3 }], user: { uid: 70, gid: 70 } },
    { name: 'worker', role: 'worker', image: { ref: 'example/worker:1.0' }, health: { liveness: { exec: { command: ['true'] } } }, dependsOn: ['db'] },
  ],
  environments: { k: { target: 'kubernetes' }, c: { target: 'compose' } },
};

const objects = (env = 'k') => renderKubernetes(resolve(spec, env)).flatMap((f) => f.objects as any[]);

describe('renderKubernetes', () => {
  it('numbers files so the namespace comes first and dependencies before dependents', () => {
    expect(renderKubernetes(resolve(spec, 'k')).map((f) => f.name)).toEqual(['00-namespace.yaml', '10-network-policies.yaml', '20-db.yaml', '30-worker.yaml']);
  });

  it('refuses a compose environment', () => {
    expect(() => renderKubernetes(resolve(spec, 'c'))).toThrow('environment "c" targets compose, not kubernetes');
  });

  it('gives a worker without ports no Service, and a database a headless one', () => {
    const services = objects().filter((o) => o.kind === 'Service');
    expect(services.map((s) => [s.metadata.name, s.spec.clusterIP])).toEqual([['db', 'None']]);
  });

  it('writes explicit names and selectors without construct-path hashes', () => {
    const text = JSON.stringify(objects());
    expect(text).not.toContain('cdk8s.io/metadata.addr');
    expect(objects().filter((o) => o.metadata).every((o) => /^[a-z0-9-]+$/.test(o.metadata.name))).toBe(true);
  });

  it('sizes the PVC from the spec', () => {
    const sts = objects().find((o) => o.kind === 'StatefulSet');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('3Gi');
    expect(sts.spec.template.spec.containers[0].volumeMounts).toEqual([{ mountPath: '/data', name: 'data' }]);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(objects())).toBe(JSON.stringify(objects()));
  });
});

describe('writableVolumeName', () => {
  it.each([
    ['/tmp', 'writable-tmp'],
    ['/app/.next/cache', 'writable-app-next-cache'],
    ['/var/run/postgresql', 'writable-var-run-postgresql'],
    ['/', 'writable-root'],
  ])('%s -> %s', (path, name) => expect(writableVolumeName(path)).toBe(name));
});

describe('kubernetesWarnings', () => {
  it('reports published host ports and local-only secret defaults it cannot express', () => {
    const withPort: StackSpec = {
      ...spec,
      services: [{ ...spec.services[0], ports: [{ name: 'pg', port: 5432, hostPort: 5432 }], secrets: { PW: { secret: 'db', key: 'pw', localDefault: 'x' } } }, spec.services[1]],
    };
    expect(kubernetesWarnings(resolve(withPort, 'k')).map((w) => w.path)).toEqual(['services.db.ports[0].hostPort', 'services.db.secrets.PW.localDefault']);
  });
});
