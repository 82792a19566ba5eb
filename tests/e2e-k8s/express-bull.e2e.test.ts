// A public stack (apps/infra/test/fixtures/express-bull) rendered by the current synth and run on
// the cluster kubectl points at (images loaded by scripts/load-images.sh --spec): an image with an ENTRYPOINT given arguments (redis `--appendonly yes`) and a
// stateful service that is not a database (redis on a claim). Two mutated copies of the same
// manifests show what the renderer's fixes are for: the arguments rendered as `command` (which
// replaces the ENTRYPOINT) do not start, and without the claim redis cannot keep its data.
// Both mutations are what libs/k8s rendered before the spec had entrypoint/args (f1e521a^1):
// container.ts set `command: s.command`, and workload.ts mounted volumes only for role database.
import { rmSync } from 'node:fs';
import { clusterContext, deleteNamespace, describe as describeNs, exec, kubectl, pods, portForward, preparedStack, rolloutAll, seconds, selectorOf, toYaml, type Forward, type K8sObject, type PodView } from './lib/kube';
import { poll, sleep } from './lib/sh';

const SPEC = 'apps/infra/test/fixtures/express-bull/spec.json';
const NS = 'express-bull';
// The two mutated copies run beside the rendered stack, each in its own namespace.
const NS_ARGS = 'express-bull-args';
const NS_NOCLAIM = 'express-bull-noclaim';
const CACHE = 'redis';
const RECEIVER = 'http://app:3000/receiver';
const stamp = Date.now();
const summary: Record<string, unknown> = {};

let dir = '';
let objects: K8sObject[] = [];
let argsAsCommand: K8sObject[] = [];
let withoutClaim: K8sObject[] = [];
let applied: Promise<unknown> = Promise.resolve();

/** The same objects in namespace NS (the Ingress left out: one host, one stack). */
function inNamespace(objs: K8sObject[], ns: string): K8sObject[] {
  return structuredClone(objs)
    .filter((o) => o.kind !== 'Ingress')
    .map((o) => {
      if (o.kind === 'Namespace') o.metadata.name = ns;
      else o.metadata.namespace = ns;
      return o;
    });
}

beforeAll(async () => {
  await clusterContext();
  ({ dir, objects } = await preparedStack(SPEC, 'production', ['app', 'worker']));
  // What the renderer produced before `args`: the spec's arguments as the container's command.
  argsAsCommand = inNamespace(objects, NS_ARGS);
  for (const o of argsAsCommand.filter((x) => x.kind === 'Deployment')) {
    for (const ctr of o.spec.template.spec.containers) {
      if (ctr.args && !ctr.command) {
        ctr.command = ctr.args;
        delete ctr.args;
      }
    }
  }
  // What the renderer did with non-database volumes: no claim.
  withoutClaim = inNamespace(objects, NS_NOCLAIM).filter((o) => !(o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'redis-data'));
  const d = withoutClaim.find((o) => o.kind === 'Deployment' && o.metadata.name === CACHE)!;
  delete d.spec.template.spec.volumes;
  delete cacheContainer(withoutClaim).volumeMounts;
  // The mutated copies start now and are checked after the rendered stack's tests.
  applied = Promise.all([up(NS_ARGS, argsAsCommand), up(NS_NOCLAIM, withoutClaim)]);
  applied.catch(() => undefined);
}, 15 * 60_000);

afterAll(async () => {
  await applied.catch(() => undefined);
  if (dir) rmSync(dir, { recursive: true, force: true });
  await Promise.all([NS, NS_ARGS, NS_NOCLAIM].map((ns) => deleteNamespace(ns, { wait: false })));
  console.log(`e2e-k8s express-bull summary: ${JSON.stringify(summary, null, 2)}`);
}, 4 * 60_000);

/** A clean namespace, then the objects in the README's order (namespace first). */
async function up(ns: string, objs: K8sObject[]): Promise<void> {
  await deleteNamespace(ns);
  await kubectl(['apply', '-f', '-'], { input: toYaml(objs.filter((o) => o.kind === 'Namespace')) });
  await kubectl(['apply', '-f', '-'], { input: toYaml(objs.filter((o) => o.kind !== 'Namespace')) });
}

const cachePod = async (ns: string): Promise<PodView | undefined> => (await pods(ns, `app.kubernetes.io/name=${CACHE}`))[0];
const readyCachePod = async (ns: string): Promise<PodView> => {
  const p = await cachePod(ns);
  if (!p?.ready) throw new Error(`${CACHE} has no ready pod`);
  return p;
};
const redisCliIn = async (ns: string, ...args: string[]) => {
  const r = await exec(ns, (await readyCachePod(ns)).name, CACHE, ['redis-cli', ...args]);
  if (r.code !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};
const redisCli = (...args: string[]) => redisCliIn(NS, ...args);
const cacheContainer = (objs: K8sObject[]) => objs.find((o) => o.kind === 'Deployment' && o.metadata.name === CACHE)!.spec.template.spec.containers[0];

const MARKER = 'e2e-k8s-marker';
/** Writes a marker key (on disk within a second: appendfsync everysec), deletes the redis pod, waits for the replacement. */
async function markerAcrossPodDeletion(ns: string): Promise<string> {
  expect(await redisCliIn(ns, 'set', MARKER, String(stamp))).toBe('OK');
  expect(await redisCliIn(ns, 'get', MARKER)).toBe(String(stamp));
  await sleep(1500);
  const old = (await cachePod(ns))!;
  await kubectl(['-n', ns, 'delete', 'pod', old.name, '--wait=true']);
  await rolloutAll(ns, 120);
  const fresh = await poll('a new redis pod to answer', 60_000, async () => {
    const p = await cachePod(ns);
    return p && p.name !== old.name && p.ready && (await redisCliIn(ns, 'ping')) === 'PONG' ? p : undefined;
  }, { state: () => describeNs(ns) });
  return `${old.name} -> ${fresh.name}`;
}

test('the rendered redis keeps the image ENTRYPOINT and passes the spec\'s arguments; its data is on a claim', () => {
  const c = cacheContainer(objects);
  expect({ command: c.command, args: c.args }).toEqual({ command: undefined, args: ['--appendonly', 'yes'] });
  const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === CACHE)!;
  expect(d.spec.template.spec.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'redis-data', readOnly: false } }]);
  expect(objects.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'redis-data')).toBe(true);
});

describe('the rendered manifests', () => {
  let forward: Forward;
  let base = '';
  let webhookId = '';
  const json = async (path: string, init?: RequestInit): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    const started = Date.now();
    await up(NS, objects);
    await rolloutAll(NS, 180);
    summary.applyToAllReadyS = seconds(started);
    forward = await portForward(NS, 'app', 3000);
    base = forward.url;
    // No probes in this stack (upstream has none): "ready" is "started", so wait for the app to answer.
    await poll('the app to answer /healthz with redis reachable', 60_000, async () => ((await json('/healthz')).body.redis === 'PONG' ? true : undefined), { state: () => describeNs(NS) });
    summary.applyToServingS = seconds(started);
  }, 5 * 60_000);
  afterAll(() => forward?.close());

  test('every workload is ready', async () => {
    for (const w of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
      const ready = (await pods(NS, selectorOf(w))).filter((p) => p.ready).length;
      expect({ workload: w.metadata.name, ready }).toEqual({ workload: w.metadata.name, ready: w.spec.replicas ?? 1 });
    }
  });

  test('redis runs through its ENTRYPOINT with the spec\'s arguments', async () => {
    // --appendonly yes reached redis-server; --protected-mode no is what the image's entrypoint adds, so it ran.
    expect(await redisCli('config', 'get', 'appendonly')).toBe('appendonly\nyes');
    expect(await redisCli('config', 'get', 'protected-mode')).toBe('protected-mode\nno');
    const dirList = await exec(NS, (await readyCachePod(NS)).name, CACHE, ['sh', '-c', 'cd /data/appendonlydir && echo *']);
    expect(dirList.stdout).toMatch(/appendonly\.aof/);
  });

  test('a webhook posted through the app\'s Service is delivered by the worker', async () => {
    const payload = { message: `k8s-${stamp}` };
    const r = await json('/webhooks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payload, urls: [RECEIVER] }) });
    expect(r.status).toBe(201);
    webhookId = r.body.id;
    const started = Date.now();
    await poll('the worker to deliver to the receiver', 60_000, async () => ((await json('/receiver')).body.some((e: any) => e.webhookId === webhookId) ? true : undefined), { state: () => describeNs(NS) });
    expect((await json('/receiver')).body.find((e: any) => e.webhookId === webhookId).body).toEqual(payload);
    await poll('the delivery to be recorded', 30_000, async () => ((await json(`/webhooks/${webhookId}`)).body.deliveries?.[RECEIVER] ? true : undefined));
    expect((await json(`/webhooks/${webhookId}`)).body.deliveries[RECEIVER]).toMatchObject({ ok: true, status: 200 });
    summary.deliveredS = seconds(started);
  });

  test('deleting the redis pod keeps the data (the claim outlives the pod)', async () => {
    expect(webhookId).not.toBe('');
    const started = Date.now();
    summary.cachePodReplaced = await markerAcrossPodDeletion(NS);
    expect(await redisCli('get', MARKER)).toBe(String(stamp));
    await poll('the webhook read back through the app', 60_000, async () => ((await json(`/webhooks/${webhookId}`)).status === 200 ? true : undefined));
    expect((await json(`/webhooks/${webhookId}`)).body).toMatchObject({ id: webhookId, deliveries: { [RECEIVER]: { ok: true, status: 200 } } });
    expect(await redisCli('exists', `relay:webhook:${webhookId}`)).toBe('1');
    summary.cachePodDeletedS = seconds(started);
  }, 3 * 60_000);
});

describe('the renderer fixes matter: mutated copies of the same manifests fail', () => {
  beforeAll(() => applied, 5 * 60_000);

  test('arguments rendered as `command` (replacing the ENTRYPOINT): redis does not start', async () => {
    expect(cacheContainer(argsAsCommand).command).toEqual(['--appendonly', 'yes']);
    // The kubelet cannot start "--appendonly" as a program: the runtime's error, then back-off.
    const reasons = await poll('redis to fail to start', 120_000, async () => {
      const p = await cachePod(NS_ARGS);
      return p && p.reasons.some((r) => /^(RunContainerError|StartError|CrashLoopBackOff)$/.test(r)) ? p.reasons : undefined;
    }, { state: () => describeNs(NS_ARGS) });
    expect((await cachePod(NS_ARGS))!.ready).toBe(false);
    summary.argsAsCommand = reasons.join(', ');
  }, 8 * 60_000);

  test('redis without its claim (what the renderer did with non-database volumes): the data does not outlive the pod', async () => {
    expect(withoutClaim.some((o) => o.kind === 'PersistentVolumeClaim')).toBe(false);
    // The image declares VOLUME /data; containerd gives each container a fresh writable
    // directory there, so redis starts on the read-only root, and its data dies with the pod.
    await rolloutAll(NS_NOCLAIM, 120);
    await poll('redis to answer', 60_000, async () => ((await redisCliIn(NS_NOCLAIM, 'ping').catch(() => '')) === 'PONG' ? true : undefined), { state: () => describeNs(NS_NOCLAIM) });
    summary.withoutClaimPodReplaced = await markerAcrossPodDeletion(NS_NOCLAIM);
    expect(await redisCliIn(NS_NOCLAIM, 'get', MARKER)).toBe('');
    summary.withoutClaim = 'redis runs on the image\'s per-container /data, and the marker is gone after the pod is deleted';
  }, 12 * 60_000);
});
