// What the shared checks need from a back end: the pod runner on Docker, or a real cluster
// through kubectl. Both deploy dist/k8s/<env> the documented way.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster, loadMirrors } from '../runner/cluster';
import { admit, loadDir, parseObjects, type K8sObject } from '../runner/manifests';
import { run, sleep, type Result } from '../runner/sh';

export interface PodView {
  name: string;
  labels: Record<string, string>;
  ready: boolean;
}

export interface Target {
  kind: 'pod runner' | 'cluster';
  namespace: string;
  objects: K8sObject[];
  frontendUrl: string;
  /** The ingress controller (Host headers select rules), when one runs. */
  ingressUrl?: string;
  /** Seconds from the first apply to every workload ready. */
  applyToReadyS: number;
  notRun: string[];
  pods(): Promise<PodView[]>;
  deletePod(name: string): Promise<void>;
  waitAllReady(timeoutMs: number): Promise<void>;
  exec(pod: string, container: string, argv: string[]): Promise<Result>;
  close(): Promise<void>;
}

export const repoRoot = join(__dirname, '..', '..', '..');

/** The Secrets exactly as scripts/minikube-secrets.sh makes them (README), as YAML. */
export async function secretObjects(env: NodeJS.ProcessEnv): Promise<K8sObject[]> {
  if ((await run('sh', ['-c', 'command -v kubectl'])).code !== 0) throw new Error('kubectl (the client; no cluster needed) must be installed: the Secrets are made by the README\'s `kubectl create secret generic … --dry-run=client -o yaml` (https://kubernetes.io/docs/tasks/tools/)');
  const r = await run('bash', [join(repoRoot, 'scripts/minikube-secrets.sh'), '--print'], { env });
  if (r.code !== 0) throw new Error(`minikube-secrets.sh --print: ${r.stderr}`);
  return parseObjects(r.stdout, 'scripts/minikube-secrets.sh --print');
}

/** A minikube context that answers. Any other context needs E2E_K8S_BACKEND=cluster: a test must never deploy to a cluster by accident. */
/**
 * On stand-in bases (TODO_IMAGE_MIRRORS) the images are tagged apart from the official refs the
 * manifests name; like a node's registry mirror, the runner then finds them under the tag built
 * here. Needs the infra CLI's build plan; without it the manifests' refs are used as they are.
 */
async function builtHere(): Promise<Record<string, string>> {
  const cli = join(repoRoot, 'apps/infra/src/cli.ts');
  if (!process.env.TODO_IMAGE_MIRRORS || !existsSync(cli)) return {};
  const plan = async (...args: string[]) => {
    const r = await run(process.execPath, [join(repoRoot, 'tools/run-ts.mjs'), cli, 'images', 'plan', ...args]);
    if (r.code !== 0) throw new Error(`infra images plan: ${r.stderr}`);
    return JSON.parse(r.stdout).services as Record<string, { ref: string }>;
  };
  const [official, here] = [await plan('--official'), await plan()];
  return Object.fromEntries(Object.keys(here).filter((s) => official[s]).map((s) => [official[s].ref, here[s].ref]));
}

export async function kubectlReachesCluster(): Promise<boolean> {
  const ctx = await run('kubectl', ['config', 'current-context'], { timeoutMs: 10_000 }).catch(() => undefined);
  if (ctx?.stdout.trim() !== 'minikube') return false;
  const r = await run('kubectl', ['version', '--request-timeout=5s', '-o', 'json'], { timeoutMs: 10_000 }).catch(() => undefined);
  return !!r && r.code === 0 && r.stdout.includes('serverVersion');
}

export interface StartOptions {
  dir: string;
  namespace: string;
  frontend: { service: string; port: number };
  prefix?: string;
  log?: (line: string) => void;
  readyTimeoutMs?: number;
}

export async function startRunner(o: StartOptions): Promise<Target & { cluster: Cluster }> {
  const log = o.log ?? console.log;
  const loaded = loadDir(o.dir);
  for (const line of loaded.notRun) log(line);
  const env = { ...process.env, TODO_POSTGRES_PASSWORD: process.env.TODO_POSTGRES_PASSWORD ?? randomBytes(12).toString('hex') };
  const secrets = admit(await secretObjects(env), 'scripts/minikube-secrets.sh').objects;
  const prefix = o.prefix ?? `e2ek8s-${process.pid}`;
  const stateDir = join(repoRoot, 'tmp', 'e2e-k8s', prefix);
  mkdirSync(stateDir, { recursive: true });
  const cluster = new Cluster({ prefix, stateDir, mirrors: { ...loadMirrors(), ...(await builtHere()) }, log });
  await cluster.start();
  const started = Date.now();
  // README order: the namespace file, the Secrets, then the whole directory.
  const namespaces = loaded.objects.filter((x) => x.kind === 'Namespace');
  await cluster.apply(namespaces);
  await cluster.apply(secrets);
  await cluster.apply(loaded.objects.filter((x) => x.kind !== 'Namespace'));
  try {
    await cluster.waitReady(o.readyTimeoutMs ?? 6 * 60_000);
  } catch (error) {
    await cluster.teardown();
    throw error;
  }
  const applyToReadyS = Number(((Date.now() - started) / 1000).toFixed(1));
  const frontendUrl = await cluster.portForward(o.namespace, o.frontend.service, o.frontend.port);
  const find = (name: string) => {
    const p = cluster.pods.find((x) => x.name === name && !x.deleted);
    if (!p) throw new Error(`pods "${name}" not found`);
    return p;
  };
  return {
    kind: 'pod runner',
    cluster,
    namespace: o.namespace,
    objects: loaded.objects,
    frontendUrl,
    ingressUrl: cluster.ingressUrl,
    applyToReadyS,
    notRun: loaded.notRun,
    pods: async () => cluster.pods.filter((p) => !p.deleted && p.namespace === o.namespace).map((p) => ({ name: p.name, labels: p.labels, ready: p.ready })),
    deletePod: (name) => cluster.deletePod(o.namespace, name),
    waitAllReady: (ms) => cluster.waitReady(ms),
    exec: (pod, container, argv) => find(pod).exec(container, argv),
    close: () => cluster.teardown(),
  };
}

/** A real cluster: scripts/minikube-up.sh (the README's deploy), then kubectl for everything else. */
export async function startCluster(o: StartOptions): Promise<Target> {
  const log = o.log ?? console.log;
  const loaded = loadDir(o.dir);
  const kubectl = async (...args: string[]) => {
    const r = await run('kubectl', ['-n', o.namespace, ...args], { timeoutMs: 10 * 60_000 });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
    return r.stdout;
  };
  const env = { ...process.env, TODO_POSTGRES_PASSWORD: process.env.TODO_POSTGRES_PASSWORD ?? randomBytes(12).toString('hex') };
  const started = Date.now();
  const up = await run('bash', [join(repoRoot, 'scripts/minikube-up.sh')], { env, timeoutMs: 15 * 60_000 });
  log(up.stdout);
  if (up.code !== 0) throw new Error(`scripts/minikube-up.sh failed: ${up.stderr}`);
  const applyToReadyS = Number(((Date.now() - started) / 1000).toFixed(1));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const forward: ChildProcess = spawn('kubectl', ['-n', o.namespace, 'port-forward', `svc/${o.frontend.service}`, `${port}:${o.frontend.port}`], { stdio: 'ignore' });
  await sleep(3000);
  const waitAllReady = async (ms: number) => {
    for (const w of (await kubectl('get', 'statefulset,deployment', '-o', 'name')).split('\n').filter(Boolean)) await kubectl('rollout', 'status', w, `--timeout=${Math.ceil(ms / 1000)}s`);
  };
  return {
    kind: 'cluster',
    namespace: o.namespace,
    objects: loaded.objects,
    frontendUrl: `http://127.0.0.1:${port}`,
    ingressUrl: await run('minikube', ['ip'], { timeoutMs: 30_000 }).then((r) => (r.code === 0 ? `http://${r.stdout.trim()}` : undefined), () => undefined),
    applyToReadyS,
    notRun: [],
    pods: async () =>
      JSON.parse(await kubectl('get', 'pods', '-o', 'json')).items.filter((p: any) => !p.metadata.deletionTimestamp).map((p: any) => ({
        name: p.metadata.name,
        labels: p.metadata.labels ?? {},
        ready: (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
      })),
    deletePod: async (name) => void (await kubectl('delete', 'pod', name, '--wait=false')),
    waitAllReady,
    exec: (pod, container, argv) => run('kubectl', ['-n', o.namespace, 'exec', pod, '-c', container, '--', ...argv], { timeoutMs: 60_000 }),
    close: async () => void forward.kill(),
  };
}
