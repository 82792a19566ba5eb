// A public stack (apps/infra/test/fixtures/express-bull) rendered by the current synth and run on
// the pod runner: an image with an ENTRYPOINT given arguments (redis `--appendonly yes`) and a
// stateful service that is not a database (redis on a claim). Two mutated copies of the same
// manifests show what the renderer's fixes are for: the arguments rendered as `command` (which
// replaces the ENTRYPOINT) do not start, and without the claim redis cannot keep its data.
// Both mutations are what libs/k8s rendered before the spec had entrypoint/args (f1e521a^1):
// container.ts set `command: s.command`, and workload.ts mounted volumes only for role database.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './checks/target';
import { Cluster, loadMirrors } from './runner/cluster';
import { admit, loadDir, type K8sObject } from './runner/manifests';
import type { Pod } from './runner/pod';
import { poll, run, sleep } from './runner/sh';

const SPEC = 'apps/infra/test/fixtures/express-bull/spec.json';
const NS = 'express-bull';
const CACHE = 'redis';
const RECEIVER = 'http://app:3000/receiver';
const stamp = Date.now();
const summary: Record<string, unknown> = {};

const cli = (...args: string[]) => run(process.execPath, [join(repoRoot, 'tools/run-ts.mjs'), join(repoRoot, 'apps/infra/src/cli.ts'), ...args], { timeoutMs: 120_000 });
const seconds = (since: number) => Number(((Date.now() - since) / 1000).toFixed(1));


let dir = '';
let objects: K8sObject[] = [];
let mirrors: Record<string, string> = {};

/** The spec's images as the manifests name them -> as built here (stand-in bases), like stack.e2e.test.ts. */
async function builtHere(): Promise<Record<string, string>> {
  const plan = async (...args: string[]) => {
    const r = await cli('images', 'plan', '--spec', SPEC, ...args);
    if (r.code !== 0) throw new Error(`infra images plan: ${r.stderr}`);
    return JSON.parse(r.stdout).services as Record<string, { ref: string }>;
  };
  const [official, here] = [await plan('--official'), await plan()];
  return Object.fromEntries(Object.keys(here).filter((s) => official[s]).map((s) => [official[s].ref, here[s].ref]));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'e2ek8s-express-bull-'));
  const synth = await cli('synth', '--spec', SPEC, '--out', dir);
  if (synth.code !== 0) throw new Error(`infra synth: ${synth.stderr}${synth.stdout}`);
  const built = await builtHere();
  // The engine is the cache: a no-op when the content-hash tags are there.
  const build = await run(process.execPath, [join(repoRoot, 'scripts/docker-build.mjs'), '--spec', SPEC, 'app', 'worker'], { timeoutMs: 10 * 60_000 });
  if (build.code !== 0) throw new Error(`docker-build: ${build.stderr}${build.stdout}`);
  mirrors = { ...loadMirrors(), ...built };
  objects = loadDir(join(dir, 'dist', 'k8s', 'production')).objects;
}, 12 * 60_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  console.log(`e2e-k8s express-bull summary: ${JSON.stringify(summary, null, 2)}`);
});

/** A cluster of its own (unique prefix), the objects applied in the README's order (namespace first). */
async function up(name: string, objs: K8sObject[]): Promise<Cluster> {
  const prefix = `e2ek8s-eb-${name}-${process.pid}`;
  const cluster = new Cluster({ prefix, stateDir: join(repoRoot, 'tmp', 'e2e-k8s', prefix), mirrors, log: () => undefined });
  await cluster.start();
  const admitted = admit(objs, `${name} copy`).objects;
  await cluster.apply(admitted.filter((o) => o.kind === 'Namespace'));
  await cluster.apply(admitted.filter((o) => o.kind !== 'Namespace'));
  return cluster;
}

const podOf = (c: Cluster, workload: string) => c.workloads.find((w) => w.obj.metadata.name === workload)!.pods.find((p) => !p.deleted);
const readyPod = (c: Cluster, workload: string): Pod => {
  const p = podOf(c, workload);
  if (!p?.ready) throw new Error(`${workload} has no ready pod`);
  return p;
};
const redisCli = async (c: Cluster, ...args: string[]) => {
  const r = await readyPod(c, CACHE).exec(CACHE, ['redis-cli', ...args]);
  if (r.code !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};
const cacheContainer = (objs: K8sObject[]) => objs.find((o) => o.kind === 'Deployment' && o.metadata.name === CACHE)!.spec.template.spec.containers[0];

const MARKER = 'e2e-k8s-marker';
/** Writes a marker key (on disk within a second: appendfsync everysec), deletes the redis pod, waits for the replacement. */
async function markerAcrossPodDeletion(c: Cluster): Promise<string> {
  expect(await redisCli(c, 'set', MARKER, String(stamp))).toBe('OK');
  expect(await redisCli(c, 'get', MARKER)).toBe(String(stamp));
  await sleep(1500);
  const replaced = await replaceCachePod(c);
  await poll('redis to answer again', 30_000, async () => ((await redisCli(c, 'ping')) === 'PONG' ? true : undefined), { state: () => c.describe() });
  return replaced;
}

/** Deletes the redis pod and waits for its replacement to be ready. */
async function replaceCachePod(c: Cluster): Promise<string> {
  const old = podOf(c, CACHE)!;
  await c.deletePod(NS, old.name);
  await c.waitReady(120_000);
  return `${old.name} -> ${podOf(c, CACHE)!.name}`;
}

test('the rendered redis keeps the image ENTRYPOINT and passes the spec\'s arguments; its data is on a claim', () => {
  const c = cacheContainer(objects);
  expect({ command: c.command, args: c.args }).toEqual({ command: undefined, args: ['--appendonly', 'yes'] });
  const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === CACHE)!;
  expect(d.spec.template.spec.volumes).toEqual([{ name: 'data', persistentVolumeClaim: { claimName: 'redis-data', readOnly: false } }]);
  expect(objects.some((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'redis-data')).toBe(true);
});

describe('the rendered manifests', () => {
  let c: Cluster;
  let base = '';
  let webhookId = '';
  const json = async (path: string, init?: RequestInit): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(5_000) });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    const started = Date.now();
    c = await up('ok', structuredClone(objects));
    try {
      await c.waitReady(180_000);
    } catch (error) {
      await c.teardown(true);
      throw error;
    }
    summary.applyToAllReadyS = seconds(started);
    base = await c.portForward(NS, 'app', 3000);
    // No probes in this stack (upstream has none): "ready" is "started", so wait for the app to answer.
    await poll('the app to answer /healthz with redis reachable', 60_000, async () => ((await json('/healthz')).body.redis === 'PONG' ? true : undefined), { state: () => c.describe() });
    summary.applyToServingS = seconds(started);
  }, 5 * 60_000);
  afterAll(() => c?.teardown(true), 2 * 60_000);

  test('every workload is ready', () => {
    for (const w of c.workloads) expect({ workload: w.obj.metadata.name, ready: w.pods.filter((p) => p.ready).length }).toEqual({ workload: w.obj.metadata.name, ready: w.obj.spec.replicas ?? 1 });
  });

  test('redis runs through its ENTRYPOINT with the spec\'s arguments', async () => {
    // --appendonly yes reached redis-server; --protected-mode no is what the image's entrypoint adds, so it ran.
    expect(await redisCli(c, 'config', 'get', 'appendonly')).toBe('appendonly\nyes');
    expect(await redisCli(c, 'config', 'get', 'protected-mode')).toBe('protected-mode\nno');
    const dirList = await readyPod(c, CACHE).exec(CACHE, ['sh', '-c', 'cd /data/appendonlydir && echo *']);
    expect(dirList.stdout).toMatch(/appendonly\.aof/);
  });

  test('a webhook posted through the app\'s Service is delivered by the worker', async () => {
    const payload = { message: `k8s-${stamp}` };
    const r = await json('/webhooks', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ payload, urls: [RECEIVER] }) });
    expect(r.status).toBe(201);
    webhookId = r.body.id;
    const started = Date.now();
    await poll('the worker to deliver to the receiver', 60_000, async () => ((await json('/receiver')).body.some((e: any) => e.webhookId === webhookId) ? true : undefined), { state: () => c.describe() });
    expect((await json('/receiver')).body.find((e: any) => e.webhookId === webhookId).body).toEqual(payload);
    await poll('the delivery to be recorded', 30_000, async () => ((await json(`/webhooks/${webhookId}`)).body.deliveries?.[RECEIVER] ? true : undefined));
    expect((await json(`/webhooks/${webhookId}`)).body.deliveries[RECEIVER]).toMatchObject({ ok: true, status: 200 });
    summary.deliveredS = seconds(started);
  });

  test('deleting the redis pod keeps the data (the claim outlives the pod)', async () => {
    expect(webhookId).not.toBe('');
    const started = Date.now();
    summary.cachePodReplaced = await markerAcrossPodDeletion(c);
    expect(await redisCli(c, 'get', MARKER)).toBe(String(stamp));
    await poll('the webhook read back through the app', 60_000, async () => ((await json(`/webhooks/${webhookId}`)).status === 200 ? true : undefined));
    expect((await json(`/webhooks/${webhookId}`)).body).toMatchObject({ id: webhookId, deliveries: { [RECEIVER]: { ok: true, status: 200 } } });
    expect(await redisCli(c, 'exists', `relay:webhook:${webhookId}`)).toBe('1');
    summary.cachePodDeletedS = seconds(started);
  }, 3 * 60_000);
});

describe('the renderer fixes matter: mutated copies of the same manifests fail', () => {
  test('arguments rendered as `command` (replacing the ENTRYPOINT): redis does not start', async () => {
    const objs = structuredClone(objects);
    // What the renderer produced before `args`: the spec's arguments as the container's command.
    for (const o of objs.filter((x) => x.kind === 'Deployment')) {
      for (const ctr of o.spec.template.spec.containers) {
        if (ctr.args && !ctr.command) {
          ctr.command = ctr.args;
          delete ctr.args;
        }
      }
    }
    expect(cacheContainer(objs).command).toEqual(['--appendonly', 'yes']);
    const c = await up('cmd', objs);
    try {
      const reason = await poll('redis to fail to start', 90_000, async () => podOf(c, CACHE)?.statuses.get(CACHE)?.reason?.match(/^RunContainerError.*/)?.[0], { state: () => c.describe() });
      expect(podOf(c, CACHE)!.ready).toBe(false);
      summary.argsAsCommand = reason;
    } finally {
      await c.teardown(true);
    }
  }, 3 * 60_000);

  test('redis without its claim (what the renderer did with non-database volumes): the data does not outlive the pod', async () => {
    const objs = structuredClone(objects).filter((o) => !(o.kind === 'PersistentVolumeClaim' && o.metadata.name === 'redis-data'));
    const d = objs.find((o) => o.kind === 'Deployment' && o.metadata.name === CACHE)!;
    delete d.spec.template.spec.volumes;
    delete cacheContainer(objs).volumeMounts;
    const c = await up('novol', objs);
    try {
      // The image declares VOLUME /data; like containerd, the runtime gives each container a fresh
      // writable directory there, so redis starts on the read-only root, and its data dies with the pod.
      await c.waitReady(90_000);
      await poll('redis to answer', 30_000, async () => ((await redisCli(c, 'ping')) === 'PONG' ? true : undefined), { state: () => c.describe() });
      summary.withoutClaimPodReplaced = await markerAcrossPodDeletion(c);
      expect(await redisCli(c, 'get', MARKER)).toBe('');
      summary.withoutClaim = 'redis runs on the image\'s per-container /data, and the marker is gone after the pod is deleted';
    } finally {
      await c.teardown(true);
    }
  }, 4 * 60_000);
});
