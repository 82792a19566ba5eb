// The pod runner's pure parts, without Docker: the refusal walk at every nesting level,
// NetworkPolicy to iptables, and $(VAR) expansion in command/args.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { match, type Route } from './runner/ingress';
import { admit } from './runner/manifests';
import { rulesFor, type NetState, type PeerPod } from './runner/netpol';
import { expand, mountReadOnly, processArgs, securityArgs } from './runner/pod';
import { applyFsGroup, writeKeyFiles } from './runner/volumes';

const pod = (name: string, ns: string, labels: Record<string, string>, ip: string, ports: PeerPod['ports'] = []): PeerPod => ({ namespace: ns, name, labels, ip, ports });
const refusals = (o: object): string => {
  try {
    admit([o as any], 'f.yaml');
  } catch (e) {
    return (e as Error).message;
  }
  return '';
};

describe('refusal walks every nesting level', () => {
  const workload = () => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'x', namespace: 'rt' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'x' } },
      template: {
        metadata: { labels: { app: 'x' } },
        spec: {
          automountServiceAccountToken: false,
          securityContext: { fsGroup: 1 },
          initContainers: [{ name: 'i', image: 'a', securityContext: { runAsUser: 1 } }],
          containers: [{ name: 'c', image: 'a', readinessProbe: { httpGet: { path: '/', port: 80 } }, volumeMounts: [{ name: 'v', mountPath: '/v' }] }],
          volumes: [{ name: 'v', emptyDir: {} }],
        },
      },
    },
  });

  test('the base workload is admitted', () => expect(refusals(workload())).toBe(''));

  test.each([
    ['spec.template.spec.initContainers[0].stdin', (o: any) => (o.spec.template.spec.initContainers[0].stdin = true)],
    ['spec.template.spec.initContainers[0].securityContext.procMount', (o: any) => (o.spec.template.spec.initContainers[0].securityContext.procMount = 'Unmasked')],
    ['spec.template.spec.containers[0].readinessProbe.grpc', (o: any) => (o.spec.template.spec.containers[0].readinessProbe.grpc = { port: 1 })],
    ['spec.template.spec.containers[0].readinessProbe.httpGet.host', (o: any) => (o.spec.template.spec.containers[0].readinessProbe.httpGet.host = 'h')],
    ['spec.template.spec.containers[0].volumeMounts[0].mountPropagation', (o: any) => (o.spec.template.spec.containers[0].volumeMounts[0].mountPropagation = 'Bidirectional')],
    ['spec.template.spec.volumes[0].hostPath', (o: any) => (o.spec.template.spec.volumes[0].hostPath = { path: '/' })],
    ['spec.template.spec.securityContext.sysctls', (o: any) => (o.spec.template.spec.securityContext.sysctls = [])],
    ['spec.template.spec.containers[0].lifecycle', (o: any) => (o.spec.template.spec.containers[0].lifecycle = {})],
    ['spec.template.spec.containers[1].tty', (o: any) => o.spec.template.spec.containers.push({ name: 'd', image: 'a', tty: true })],
  ])('%s is refused by path', (path, edit) => {
    const o = workload();
    edit(o);
    expect(refusals(o)).toContain(`f.yaml: Deployment x: unsupported: ${path}`);
  });

  test('Service, NetworkPolicy peers and ports, and Ingress backends are walked too', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'rt' }, spec: { selector: { app: 'x' }, ports: [{ port: 80, nodePort: 30000 }], sessionAffinity: 'ClientIP' } };
    expect(refusals(svc)).toMatch(/unsupported: spec\.ports\[0\]\.nodePort[\s\S]*unsupported: spec\.sessionAffinity/);
    const np = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'n', namespace: 'rt' },
      spec: { podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { a: 'b' } }, serviceAccountSelector: {} }], ports: [{ port: 80, portName: 'x' }] }] },
    };
    expect(refusals(np)).toMatch(/unsupported: spec\.ingress\[0\]\.from\[0\]\.serviceAccountSelector[\s\S]*unsupported: spec\.ingress\[0\]\.ports\[0\]\.portName/);
    const ing = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'i', namespace: 'rt' },
      spec: { ingressClassName: 'nginx', tls: [], rules: [{ host: 'a', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { resource: {}, service: { name: 's', port: { name: 'http' } } } }] } }] },
    };
    expect(refusals(ing)).toMatch(/unsupported: spec\.tls/);
    expect(refusals(ing)).toMatch(/unsupported: spec\.rules\[0\]\.http\.paths\[0\]\.backend\.resource/);
    expect(refusals(ing)).toMatch(/unsupported: spec\.rules\[0\]\.http\.paths\[0\]\.backend\.service\.port\.name/);
  });
});

describe('NetworkPolicy to iptables', () => {
  const web = pod('web', 'rt', { app: 'web' }, '10.0.0.2', [{ name: 'http', containerPort: 8080 }]);
  const api = pod('api', 'rt', { app: 'api' }, '10.0.0.3', [{ name: 'http', containerPort: 9000 }]);
  const other = pod('o', 'other', { app: 'web' }, '10.0.0.4');
  const policy = (spec: object) => ({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p', namespace: 'rt' }, spec });
  const state = (...policies: object[]): NetState => ({ namespaces: { rt: { 'kubernetes.io/metadata.name': 'rt' }, other: { 'kubernetes.io/metadata.name': 'other' } }, pods: [web, api, other], policies: policies as any, nodeIp: '10.0.0.1' });
  const inChain = (rules: string) => rules.split('\n').filter((l) => l.startsWith('-A K8S-POLICY-IN '));

  test('an unselected pod accepts everything; a selected one rejects what no rule allows', () => {
    expect(inChain(rulesFor(web, state()))).toContain('-A K8S-POLICY-IN -j ACCEPT');
    const r = inChain(rulesFor(web, state(policy({ podSelector: { matchLabels: { app: 'web' } } }))));
    expect(r).not.toContain('-A K8S-POLICY-IN -j ACCEPT');
    expect(r.slice(-2)).toEqual(['-A K8S-POLICY-IN -p tcp -j REJECT --reject-with tcp-reset', '-A K8S-POLICY-IN -j REJECT']);
    expect(r).toContain('-A K8S-POLICY-IN -s 10.0.0.1/32 -j ACCEPT'); // the node (probes) always reaches its pods
  });

  test('a named port resolves on the receiving pod; a podSelector peer stays in the policy namespace', () => {
    const r = inChain(rulesFor(api, state(policy({ podSelector: { matchLabels: { app: 'api' } }, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port: 'http' }] }] }))));
    expect(r).toContain('-A K8S-POLICY-IN -s 10.0.0.2/32 -p tcp --dport 9000 -j ACCEPT');
    expect(r.join('\n')).not.toContain('10.0.0.4');
    expect(r.join('\n')).not.toContain('--dport 8080');
  });

  test('namespaceSelector and podSelector in one peer are ANDed', () => {
    const r = inChain(rulesFor(api, state(policy({ podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'other' } }, podSelector: { matchLabels: { app: 'web' } } }] }] }))));
    expect(r).toContain('-A K8S-POLICY-IN -s 10.0.0.4/32 -p tcp -j ACCEPT');
    expect(r.join('\n')).not.toContain('10.0.0.2/');
  });

  test('a rule with an empty or missing from allows every source, as the API documents', () => {
    for (const rule of [{ ports: [{ port: 9000 }] }, { from: [], ports: [{ port: 9000 }] }]) {
      const r = inChain(rulesFor(api, state(policy({ podSelector: {}, ingress: [rule] }))));
      expect(r).toContain('-A K8S-POLICY-IN -s 0.0.0.0/0 -p tcp --dport 9000 -j K8S-IPBLOCK-I0');
    }
    const out = rulesFor(api, state(policy({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [] }] }))).split('\n');
    expect(out).toContain('-A K8S-POLICY-OUT -d 0.0.0.0/0 -p tcp -j K8S-IPBLOCK-E0');
  });

  test('egress only when listed or when egress rules exist; ipBlock except returns before accept', () => {
    const out = (rules: string) => rules.split('\n').filter((l) => l.startsWith('-A K8S-POLICY-OUT ') || l.startsWith('-A K8S-IPBLOCK-E'));
    expect(out(rulesFor(web, state(policy({ podSelector: {} }))))).toContain('-A K8S-POLICY-OUT -j ACCEPT');
    const r = out(rulesFor(web, state(policy({ podSelector: {}, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.0.0.3/32'] } }], ports: [{ port: 53, protocol: 'UDP' }] }] }))));
    expect(r).toEqual(expect.arrayContaining(['-A K8S-IPBLOCK-E0 -d 10.0.0.3/32 -j RETURN', '-A K8S-IPBLOCK-E0 -j ACCEPT', '-A K8S-POLICY-OUT -d 10.0.0.0/8 -p udp --dport 53 -j K8S-IPBLOCK-E0']));
    expect(r.indexOf('-A K8S-IPBLOCK-E0 -d 10.0.0.3/32 -j RETURN')).toBeLessThan(r.indexOf('-A K8S-IPBLOCK-E0 -j ACCEPT'));
    expect(r).not.toContain('-A K8S-POLICY-OUT -j ACCEPT');
  });
});

test('$(VAR) in command/args expands earlier variables; $$ escapes; unknown names stay', () => {
  const env = { A: 'x', 'B.c': 'y' };
  expect(expand('$(A)-$(B.c)', env)).toBe('x-y');
  expect(expand('$$(A)', env)).toBe('$(A)');
  expect(expand('$(NOPE) $A', env)).toBe('$(NOPE) $A');
});

test('a mount is read-only by its own flag, for ConfigMap/Secret volumes, and for a claim the volume marks readOnly', () => {
  const volumes = [{ name: 'cm', configMap: { name: 'c' } }, { name: 's', secret: { secretName: 's' } }, { name: 'ro', persistentVolumeClaim: { claimName: 'a', readOnly: true } }, { name: 'rw', persistentVolumeClaim: { claimName: 'b' } }, { name: 'tmp', emptyDir: {} }];
  const ro = (name: string, readOnly?: boolean) => mountReadOnly({ name, readOnly }, volumes);
  expect([ro('cm'), ro('s'), ro('ro'), ro('rw'), ro('tmp'), ro('tmp', true)]).toEqual([true, true, true, false, false, true]);
});

test('Ingress: a Prefix path with a trailing slash matches without it; a host with its own rules does not fall back to host-less ones', () => {
  const r = (host: string | undefined, path: string, service: string, exact = false): Route => ({ host, path, exact, namespace: 'n', service, port: 80 });
  const table = [r(undefined, '/', 'default'), r('a.test', '/api/', 'api'), r('a.test', '/exact', 'exact', true)];
  expect(match(table, 'a.test', '/api')?.service).toBe('api');
  expect(match(table, 'a.test', '/api/x')?.service).toBe('api');
  expect(match(table, 'a.test', '/apix')).toBeUndefined();
  expect(match(table, 'a.test', '/')).toBeUndefined();
  expect(match(table, 'b.test', '/api')?.service).toBe('default');
  expect(match([r(undefined, '/x', 'prefix'), r(undefined, '/x', 'exact', true)], 'h', '/x')?.service).toBe('exact');
});

// chown to another group needs root, as the kubelet has; elsewhere these two are skipped.
const asRoot = process.getuid?.() === 0 ? test : test.skip;

asRoot('fsGroup ownership as the kubelet applies it: group, g+rw (g+r read-only), setgid directories; OnRootMismatch skips a matching root', () => {
  const root = mkdtempSync(join(tmpdir(), 'fsgroup-'));
  try {
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'sub', 'f'), 'x');
    chmodSync(join(root, 'sub', 'f'), 0o600);
    applyFsGroup(root, 4242, undefined, false);
    const f = statSync(join(root, 'sub', 'f'));
    const d = statSync(join(root, 'sub'));
    expect([f.gid, f.mode & 0o7777, d.gid, d.mode & 0o2770]).toEqual([4242, 0o660, 4242, 0o2770]);
    writeFileSync(join(root, 'late'), 'y');
    chmodSync(join(root, 'late'), 0o600);
    applyFsGroup(root, 4242, 'OnRootMismatch', false);
    expect(statSync(join(root, 'late')).mode & 0o777).toBe(0o600); // root already matched: no walk
    applyFsGroup(root, 4242, 'Always', false);
    expect(statSync(join(root, 'late')).mode & 0o777).toBe(0o660);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

asRoot('ConfigMap/Secret volume files: one per key or item, mode from the item or defaultMode; fsGroup read-only adds g+r only', () => {
  const root = mkdtempSync(join(tmpdir(), 'keyfiles-'));
  try {
    expect(writeKeyFiles(root, { a: '1', b: '2' }, [{ key: 'b', path: 'dir/b.txt', mode: 0o400 }], 0o644)).toBeUndefined();
    expect(writeKeyFiles(join(root, 'all'), { a: '1' }, undefined, 0o600)).toBeUndefined();
    expect(writeKeyFiles(join(root, 'x'), { a: '1' }, [{ key: 'nope', path: 'n' }])).toBe("couldn't find key nope");
    applyFsGroup(root, 4242, undefined, true);
    expect(statSync(join(root, 'dir', 'b.txt')).mode & 0o777).toBe(0o440);
    expect(statSync(join(root, 'all', 'a')).mode & 0o777).toBe(0o640);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('command replaces ENTRYPOINT and CMD; args alone replace CMD; $(VAR) expands in both', () => {
  const env = { PORT: '8000' };
  expect(processArgs('img', ['python', '-m', 'app'], ['--port', '$(PORT)'], env)).toEqual(['--entrypoint', 'python', 'img', '-m', 'app', '--port', '8000']);
  expect(processArgs('img', ['run'], undefined, env)).toEqual(['--entrypoint', 'run', 'img']);
  expect(processArgs('img', undefined, ['serve', '$(PORT)'], env)).toEqual(['img', 'serve', '8000']);
  expect(processArgs('img', [], [], env)).toEqual(['img']);
  expect(processArgs('img', undefined, undefined, env)).toEqual(['img']);
});

test('securityContext: the container overrides the pod; runAsNonRoot refuses uid 0, a root image user and a non-numeric one', () => {
  const restricted = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } };
  expect(securityArgs({ runAsUser: 1000, runAsGroup: 1000, fsGroup: 2000, runAsNonRoot: true }, { ...restricted, runAsUser: 1001 }, 'root')).toEqual([
    '--user', '1001:1000', '--group-add', '2000', '--read-only', '--security-opt', 'no-new-privileges', '--cap-drop', 'ALL',
  ]);
  expect(securityArgs({}, {}, '')).toEqual(['--security-opt', 'seccomp=unconfined']); // the kubelet's default is Unconfined
  expect(securityArgs({ runAsNonRoot: true }, {}, '999:999')).toEqual(['--security-opt', 'seccomp=unconfined']);
  expect(() => securityArgs({ runAsNonRoot: true }, {}, '')).toThrow('image will run as root');
  expect(() => securityArgs({ runAsNonRoot: true }, {}, '0:0')).toThrow('image will run as root');
  expect(() => securityArgs({ runAsNonRoot: true }, {}, 'postgres')).toThrow('non-numeric user (postgres)');
  expect(() => securityArgs({ runAsNonRoot: true }, { runAsUser: 0 }, '1000')).toThrow("runAsUser breaks non-root policy");
  expect(() => securityArgs({ runAsNonRoot: true, runAsUser: 1000 }, {}, 'postgres')).not.toThrow();
  expect(securityArgs({ runAsGroup: 5 }, {}, 'app')).toContain('app:5');
});
