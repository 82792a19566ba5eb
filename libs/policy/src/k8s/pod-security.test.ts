import { toK8sObject } from './model';
import { K8S_RULES } from './rules';
import { BACKEND, MIGRATE, POSTGRES, api, good, messages, withChange } from './__fixtures__/harness';
import { readOnlyRoot } from './rules/read-only-root';
import { runAsNonRoot } from './rules/run-as-non-root';
import { runAsUser } from './rules/run-as-user';

const B = 'backend.yaml: Deployment/todo/backend spec.template.spec';

describe('the realistic manifest set', () => {
  it('loads every object of the fixture directory', () => {
    expect(good().map((o) => `${o.file} ${o.kind}/${o.namespace}/${o.name}`)).toEqual([
      'backend.yaml Deployment/todo/backend',
      'backend.yaml Service/todo/backend',
      'backend.yaml PodDisruptionBudget/todo/backend',
      'backend.yaml ConfigMap/todo/backend-config',
      'migrate-job.yaml Job/todo/backend-migrate',
      'namespace.yaml Namespace/-/todo',
      'network-policies.yaml NetworkPolicy/todo/default-deny',
      'network-policies.yaml NetworkPolicy/todo/backend',
      'network-policies.yaml NetworkPolicy/todo/postgres',
      'network-policies.yaml NetworkPolicy/todo/backend-migrate',
      'postgres.yaml StatefulSet/todo/postgres',
      'postgres.yaml Service/todo/postgres',
    ]);
  });

  it.each(K8S_RULES.map((r) => [r.id, r]))('passes %s', (_id, rule) => {
    expect(rule.check(good())).toEqual([]);
  });
});

describe('Pod Security restricted', () => {
  it('runAsNonRoot: pod-level true covers containers, container false overrides it', () => {
    const objs = withChange(BACKEND, (d) => (api(d).securityContext.runAsNonRoot = false));
    expect(messages(runAsNonRoot, objs)).toEqual([
      `${B}.containers[0].securityContext.runAsNonRoot: container "api" may run as root; fix: set runAsNonRoot: true on the container or pod securityContext`,
    ]);
  });

  it('runAsNonRoot: missing everywhere fails for init containers too', () => {
    const objs = withChange(MIGRATE, (d) => delete d.spec.template.spec.securityContext.runAsNonRoot);
    expect(messages(runAsNonRoot, objs).map((m) => m.split(': ')[1])).toEqual([
      'Job/todo/backend-migrate spec.template.spec.initContainers[0].securityContext.runAsNonRoot',
      'Job/todo/backend-migrate spec.template.spec.containers[0].securityContext.runAsNonRoot',
    ]);
  });

  it('runAsUser 0 fails at pod and container level', () => {
    const objs = withChange(POSTGRES, (d) => {
      d.spec.template.spec.securityContext.runAsUser = 0;
      api(d).securityContext.runAsUser = 0;
    });
    const P = 'postgres.yaml: StatefulSet/todo/postgres spec.template.spec';
    expect(messages(runAsUser, objs)).toEqual([
      `${P}.securityContext.runAsUser: pod runs as uid 0; fix: use a non-zero uid (the image USER, e.g. 1000)`,
      `${P}.containers[0].securityContext.runAsUser: container "postgres" runs as uid 0; fix: use a non-zero uid (the image USER, e.g. 1000)`,
    ]);
  });

  it('readOnlyRootFilesystem must be true', () => {
    const objs = withChange(POSTGRES, (d) => (api(d).securityContext.readOnlyRootFilesystem = false));
    expect(messages(readOnlyRoot, objs)).toEqual([
      'postgres.yaml: StatefulSet/todo/postgres spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem: container "postgres" has a writable root filesystem; fix: set readOnlyRootFilesystem: true and mount an emptyDir on each path it writes',
    ]);
  });

  it('checks bare Pods and CronJob templates too', () => {
    const objs = [
      ...good(),
      ...[
        { kind: 'Pod', spec: { containers: [{ name: 'c', image: 'x:1' }] } },
        { kind: 'CronJob', spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'x:1' }] } } } } } },
      ].map((d) => toK8sObject('extra.yaml', { apiVersion: 'v1', metadata: { name: 'x', namespace: 'todo' }, ...d })),
    ];
    expect(messages(readOnlyRoot, objs).map((m) => m.split(' ').slice(1, 3).join(' '))).toEqual([
      'Pod/todo/x spec.containers[0].securityContext.readOnlyRootFilesystem:',
      'CronJob/todo/x spec.jobTemplate.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem:',
    ]);
  });
});
