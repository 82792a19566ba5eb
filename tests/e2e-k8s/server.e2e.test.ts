// The API server's own validation and admission, before anything runs: every environment
// directory of dist/k8s and every fixture stack's Kubernetes output (the goldens the infra
// tests keep equal to a fresh synth) applied with --dry-run=server. Needs only etcd and the
// API server (tools/local-cluster/up.sh --control-plane-only is enough).
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { clusterContext, deleteNamespace, kubectl, kubectlRaw, loadDir, repoRoot, toYaml, type K8sObject } from './lib/kube';

const FIXTURES = join(repoRoot, 'apps/infra/test/fixtures');
const dirs: string[] = [];
for (const env of readdirSync(join(repoRoot, 'dist/k8s'))) dirs.push(join(repoRoot, 'dist/k8s', env));
for (const stack of readdirSync(FIXTURES).sort()) {
  const k8s = join(FIXTURES, stack, 'expected', 'k8s');
  if (existsSync(k8s)) for (const env of readdirSync(k8s).sort()) dirs.push(join(k8s, env));
}
const created: string[] = [];

beforeAll(async () => {
  await clusterContext();
}, 60_000);

afterAll(async () => {
  // Only the namespaces this file created (a stack test may own the others).
  for (const ns of created) await kubectlRaw(['delete', 'namespace', ns, '--wait=false']);
});

test('there are directories to check', () => {
  expect(dirs.length).toBeGreaterThanOrEqual(10);
});

test.each(dirs.map((d) => [relative(repoRoot, d), d]))('%s: kubectl apply --dry-run=server accepts every object', async (_name, dir) => {
  const objects = loadDir(dir);
  expect(objects.length).toBeGreaterThan(0);
  // A dry-run Namespace does not exist for the objects after it, so namespaces are created first.
  // A namespace still terminating (a stack suite's cleanup does not wait) takes no new objects.
  const phases = new Map<string, string>(JSON.parse(await kubectl(['get', 'namespaces', '-o', 'json'])).items.map((n: K8sObject) => [n.metadata.name, n.status?.phase]));
  for (const ns of objects.filter((o) => o.kind === 'Namespace')) {
    if (phases.get(ns.metadata.name) === 'Terminating') await deleteNamespace(ns.metadata.name);
    else if (phases.has(ns.metadata.name)) continue;
    await kubectl(['apply', '-f', '-'], { input: toYaml([ns]) });
    created.push(ns.metadata.name);
  }
  const r = await kubectlRaw(['apply', '--dry-run=server', '-f', dir]);
  expect({ dir: relative(repoRoot, dir), code: r.code, stderr: r.stderr.trim() }).toEqual({ dir: relative(repoRoot, dir), code: 0, stderr: '' });
  // kubectl prints one line per object: every object reached the server.
  expect(r.stdout.trim().split('\n').filter((l) => l.includes('(server dry run)'))).toHaveLength(objects.length);
});

test('Pod Security admission: a pod that breaks `restricted` is denied in the stack\'s namespace', async () => {
  const ns = loadDir(join(repoRoot, 'dist/k8s/minikube')).find((o) => o.kind === 'Namespace')!;
  expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  const existing = (await kubectlRaw(['get', 'namespace', ns.metadata.name])).code === 0;
  if (!existing) {
    await kubectl(['apply', '-f', '-'], { input: toYaml([ns]) });
    created.push(ns.metadata.name);
  }
  const pod = (securityContext: object): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'psa-probe', namespace: ns.metadata.name },
    spec: { containers: [{ name: 'c', image: 'todo-probe:none', securityContext }] },
  });
  // A container with no securityContext at all (the usual mistake), and a privileged one.
  const bare = await kubectlRaw(['apply', '--dry-run=server', '-f', '-'], { input: toYaml([pod({})]) });
  expect(bare.code).not.toBe(0);
  expect(bare.stderr).toMatch(/violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false.*runAsNonRoot != true/s);
  const privileged = await kubectlRaw(['apply', '--dry-run=server', '-f', '-'], { input: toYaml([pod({ privileged: true })]) });
  expect(privileged.code).not.toBe(0);
  expect(privileged.stderr).toMatch(/violates PodSecurity "restricted:latest": privileged/);
  // The same pod made compliant is admitted: the denial is the policy, not a broken request.
  const ok = await kubectlRaw(['apply', '--dry-run=server', '-f', '-'], {
    input: toYaml([pod({ allowPrivilegeEscalation: false, runAsNonRoot: true, runAsUser: 1000, capabilities: { drop: ['ALL'] }, seccompProfile: { type: 'RuntimeDefault' } })]),
  });
  expect({ code: ok.code, stderr: ok.stderr.trim() }).toEqual({ code: 0, stderr: '' });
});
