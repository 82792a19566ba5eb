// Two stacks of the import corpus (apps/infra/test/fixtures/import), imported, answered as the
// report asks and synthesized (tests/e2e-stacks/support/corpus.ts), applied to the cluster on
// stand-in images (loaded by scripts/load-images.sh through the mirror map; the application
// images are the reach probe), each in its own namespace with the Secrets the parity report
// lists: every service reaches each service its dependsOn and talksTo name, each probe exactly
// the peers its environment names; and a connection the NetworkPolicies do not allow is refused.
// The same stacks run on compose in tests/e2e-stacks/corpus-both.e2e.test.ts.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
// eslint-disable-next-line @nx/enforce-module-boundaries -- the corpus stacks' preparation and reach checks, shared with the compose suite (test code)
import { BOTH_TARGETS, prepareCorpusStack, reachCheck, unreached, type CorpusStack, type Exec } from '../e2e-stacks/support/corpus';
import { clusterContext, deleteNamespace, exec, kubectl, pods, preparedStack, rolloutAll, seconds, type K8sObject } from './lib/kube';
import { poll } from './lib/sh';

interface Running {
  stack: CorpusStack;
  ns: string;
  dir: string;
  objects: K8sObject[];
}

const summary: Record<string, Record<string, unknown>> = {};
const running: Record<string, Running> = {};

/** Runs argv in the container of a service of namespace ns (its ready pod, else a running one). */
const execIn = (ns: string): Exec => async (service, argv) => {
  const all = await pods(ns, `app.kubernetes.io/name=${service}`);
  const pod = all.find((p) => p.ready) ?? all.find((p) => p.phase === 'Running');
  if (!pod) throw new Error(`${ns}: ${service} has no running pod`);
  return exec(ns, pod.name, service, argv);
};

/** The namespace, the Secrets the parity report says to create (with the compose values), then the directory. */
async function apply(r: Running, manifests: string): Promise<void> {
  await deleteNamespace(r.ns);
  await kubectl(['apply', '-f', join(manifests, '00-namespace.yaml')]);
  const bySecret = new Map<string, string[]>();
  for (const s of r.stack.secrets) bySecret.set(s.secret, [...(bySecret.get(s.secret) ?? []), `--from-literal=${s.key}=${s.value}`]);
  for (const [secret, literals] of bySecret) await kubectl(['-n', r.ns, 'create', 'secret', 'generic', secret, ...literals]);
  await kubectl(['apply', '-f', manifests]);
}

beforeAll(async () => {
  await clusterContext();
  const prepared: { r: Running; manifests: string; started: number }[] = [];
  for (const { fixture, answers } of BOTH_TARGETS) {
    const started = Date.now();
    const stack = await prepareCorpusStack(fixture, `e2e-corpus-${fixture}`, answers);
    // synth (again, into a directory of its own), the built images, every image into the node.
    const { dir, manifests, objects } = await preparedStack(stack.specFile, 'kubernetes', stack.built);
    const ns = objects.find((o) => o.kind === 'Namespace')!.metadata.name;
    running[fixture] = { stack, ns, dir, objects };
    summary[fixture] = { ...stack.timings, prepareAndLoadS: seconds(started) };
    prepared.push({ r: running[fixture], manifests, started: Date.now() });
  }
  // Both stacks start together: the cross-namespace check needs both, and the cluster starts them in parallel.
  await Promise.all(prepared.map(async ({ r, manifests, started }) => {
    await apply(r, manifests);
    await rolloutAll(r.ns, 180);
    summary[r.stack.fixture].applyToReadyS = seconds(started);
  }));
}, 10 * 60_000);

afterAll(async () => {
  for (const r of Object.values(running)) {
    await deleteNamespace(r.ns, { wait: false });
    rmSync(r.dir, { recursive: true, force: true });
    if (!process.env.KEEP_E2E_CORPUS) rmSync(r.stack.work, { recursive: true, force: true });
  }
  console.log(`e2e-k8s corpus stacks summary (seconds): ${JSON.stringify(summary, null, 2)}`);
}, 2 * 60_000);

describe.each(BOTH_TARGETS.map((s) => s.fixture))('corpus stack %s on the cluster', (fixture) => {
  const r = () => running[fixture];

  test('every workload is ready', async () => {
    for (const w of r().objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
      const ready = (await pods(r().ns, `app.kubernetes.io/name=${w.metadata.name}`)).filter((p) => p.ready).length;
      expect({ workload: w.metadata.name, ready }).toEqual({ workload: w.metadata.name, ready: w.spec.replicas ?? 1 });
    }
  });

  test('every service reaches each service it depends on or talks to, and each probe exactly the peers its environment names', async () => {
    const started = Date.now();
    expect(r().stack.probes.length).toBeGreaterThan(0);
    let failed = ['no check ran'];
    // Nothing waits for a service without probes to serve: the first checks may come early.
    const attempt = async () => (failed = await unreached(r().stack, execIn(r().ns)).catch((e: Error) => [`the check failed: ${e.message}`])).length ? undefined : true;
    await poll(`${fixture}: every edge to answer`, 60_000, attempt, { everyMs: 1000 }).catch(() => undefined);
    expect(failed).toEqual([]);
    summary[fixture].reachS = seconds(started);
  }, 2 * 60_000);
});

describe('a connection the NetworkPolicies do not allow is refused', () => {
  test('v1-web-worker: the worker cannot reach web:8000 (web admits no one), though web listens there', async () => {
    const { ns } = running['v1-web-worker'];
    // web listens on 8000 (its command's --bind): the probe answers from inside the pod.
    expect((await reachCheck(execIn(ns), 'web', '127.0.0.1:8000')).ok).toBe(true);
    const denied = await reachCheck(execIn(ns), 'worker', 'web:8000');
    // The name resolves (DNS egress is allowed), and the connection is dropped or rejected.
    expect(denied.peers.map((p) => ({ host: p.host, ok: p.ok, resolved: p.tcp !== 'unresolved' }))).toEqual([{ host: 'web', ok: false, resolved: true }]);
    summary['v1-web-worker'].workerToWeb = denied.peers[0].tcp;
  });

  test("outline: a pod of another namespace (v1-web-worker's worker, whose egress is open) cannot reach outline's postgres", async () => {
    const outline = running.outline;
    const target = `postgres.${outline.ns}.svc.cluster.local:5432`;
    // outline's own pod reaches it (the positive check above covers it too).
    expect((await reachCheck(execIn(outline.ns), 'outline', target)).ok).toBe(true);
    const denied = await reachCheck(execIn(running['v1-web-worker'].ns), 'worker', target);
    expect(denied.peers.map((p) => ({ ok: p.ok, resolved: p.tcp !== 'unresolved' }))).toEqual([{ ok: false, resolved: true }]);
    summary.outline.otherNamespaceToPostgres = denied.peers[0].tcp;
  });
});
