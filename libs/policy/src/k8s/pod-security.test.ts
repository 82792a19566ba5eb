import { toK8sObject } from './model';
import { K8S_RULES } from './rules';
import { BACKEND, MIGRATE, POSTGRES, api, good, messages, withChange } from './__fixtures__/harness';
import { capabilities } from './rules/capabilities';
import { hostNamespaces } from './rules/host-namespaces';
import { hostPath } from './rules/host-path';
import { hostPorts } from './rules/host-ports';
import { privilegeEscalation } from './rules/privilege-escalation';
import { privileged } from './rules/privileged';
import { readOnlyRoot } from './rules/read-only-root';
import { runAsNonRoot } from './rules/run-as-non-root';
import { runAsUser } from './rules/run-as-user';
import { seccomp } from './rules/seccomp';

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

  it('allowPrivilegeEscalation must be explicitly false', () => {
    const objs = withChange(BACKEND, (d) => delete api(d).securityContext.allowPrivilegeEscalation);
    expect(messages(privilegeEscalation, objs)).toEqual([
      `${B}.containers[0].securityContext.allowPrivilegeEscalation: container "api" does not set allowPrivilegeEscalation: false; fix: set it to false`,
    ]);
  });

  it('capabilities: NET_BIND_SERVICE may be added, anything else or no drop ALL fails', () => {
    const ok = withChange(BACKEND, (d) => (api(d).securityContext.capabilities.add = ['NET_BIND_SERVICE']));
    expect(messages(capabilities, ok)).toEqual([]);
    const bad = withChange(BACKEND, (d) => (api(d).securityContext.capabilities = { drop: ['NET_RAW'], add: ['SYS_ADMIN', 'NET_BIND_SERVICE'] }));
    expect(messages(capabilities, bad)).toEqual([
      `${B}.containers[0].securityContext.capabilities.drop: container "api" does not drop ALL capabilities; fix: set drop: ["ALL"]`,
      `${B}.containers[0].securityContext.capabilities.add: container "api" adds SYS_ADMIN; fix: add nothing but NET_BIND_SERVICE`,
    ]);
  });

  it('seccomp: Localhost passes, Unconfined on a container and a missing profile fail', () => {
    const local = withChange(BACKEND, (d) => (d.spec.template.spec.securityContext.seccompProfile = { type: 'Localhost', localhostProfile: 'p.json' }));
    expect(messages(seccomp, local)).toEqual([]);
    const unconfined = withChange(BACKEND, (d) => (api(d).securityContext.seccompProfile = { type: 'Unconfined' }));
    expect(messages(seccomp, unconfined)).toEqual([
      `${B}.containers[0].securityContext.seccompProfile.type: container "api" has seccompProfile Unconfined; fix: set seccompProfile.type: RuntimeDefault on the pod securityContext`,
    ]);
    const missing = withChange(BACKEND, (d) => delete d.spec.template.spec.securityContext.seccompProfile);
    expect(messages(seccomp, missing)).toEqual([
      `${B}.securityContext.seccompProfile.type: container "api" has no seccompProfile; fix: set seccompProfile.type: RuntimeDefault on the pod securityContext`,
    ]);
  });

  it('privileged containers fail', () => {
    const objs = withChange(BACKEND, (d) => (api(d).securityContext.privileged = true));
    expect(messages(privileged, objs)).toEqual([
      `${B}.containers[0].securityContext.privileged: container "api" is privileged; fix: remove privileged: true`,
    ]);
  });

  it('host namespaces fail, one violation per field', () => {
    const objs = withChange(BACKEND, (d) => Object.assign(d.spec.template.spec, { hostNetwork: true, hostIPC: true, hostPID: false }));
    expect(messages(hostNamespaces, objs)).toEqual([
      `${B}.hostNetwork: pod shares the node's namespace; fix: remove hostNetwork: true`,
      `${B}.hostIPC: pod shares the node's namespace; fix: remove hostIPC: true`,
    ]);
  });

  it('hostPath volumes fail', () => {
    const objs = withChange(BACKEND, (d) => d.spec.template.spec.volumes.push({ name: 'docker', hostPath: { path: '/var/run/docker.sock' } }));
    expect(messages(hostPath, objs)).toEqual([
      `${B}.volumes[1].hostPath: volume "docker" mounts the node filesystem; fix: use emptyDir, a PVC or a projected volume`,
    ]);
  });

  it('hostPort fails, hostPort 0 is the same as unset', () => {
    const objs = withChange(BACKEND, (d) => api(d).ports.push({ containerPort: 9000, hostPort: 9000 }, { containerPort: 9001, hostPort: 0 }));
    expect(messages(hostPorts, objs)).toEqual([
      `${B}.containers[0].ports[1].hostPort: container "api" binds node port 9000; fix: remove hostPort and expose it with a Service`,
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
    expect(messages(privilegeEscalation, objs).map((m) => m.split(' ').slice(1, 3).join(' '))).toEqual([
      'Pod/todo/x spec.containers[0].securityContext.allowPrivilegeEscalation:',
      'CronJob/todo/x spec.jobTemplate.spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation:',
    ]);
  });
});
