// The suite's only way to a cluster: kubectl, on whatever context it points at (minikube,
// the local cluster of tools/local-cluster, or any cluster with E2E_K8S_BACKEND=cluster).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { poll, run, sleep, type Result } from './sh';

export const repoRoot = join(__dirname, '..', '..', '..');
const LOCAL_KUBECONFIG = join(process.env.LOCAL_CLUSTER_STATE ?? join(repoRoot, 'tmp', 'local-cluster'), 'kubeconfig');

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: any;
}

export interface PodView {
  name: string;
  labels: Record<string, string>;
  ready: boolean;
  phase: string;
  /** Waiting/terminated reasons of its containers, e.g. CrashLoopBackOff, RunContainerError. */
  reasons: string[];
  restarts: number;
}

/** The YAML files of a directory as `kubectl apply -f DIR` reads them: files in name order, documents in file order. */
export function loadDir(dir: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const f of readdirSync(dir).filter((x) => /\.ya?ml$/.test(x)).sort()) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, f), 'utf8'))) {
      if (doc.errors.length) throw new Error(`${dir}/${f}: ${doc.errors[0].message}`);
      const o = doc.toJS();
      if (o) out.push(o);
    }
  }
  return out;
}

export async function kubectl(args: string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const r = await run('kubectl', args, { timeoutMs: opts.timeoutMs ?? 5 * 60_000, input: opts.input, env: opts.env });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}
export const kubectlRaw = (args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<Result> => run('kubectl', args, { timeoutMs: opts.timeoutMs ?? 5 * 60_000, input: opts.input });

// YAML 1.1, as the API server reads it: `yes`, `on` and `no` are quoted strings, not booleans.
export const toYaml = (objs: K8sObject[]) => objs.map((o) => stringify(o, { lineWidth: 0, version: '1.1' })).join('---\n');

/**
 * The context to run on. A test must never deploy to a cluster by accident: minikube and the
 * local cluster are ours; any other context needs E2E_K8S_BACKEND=cluster.
 */
export async function clusterContext(): Promise<string> {
  const ctx = (await run('kubectl', ['config', 'current-context'], { timeoutMs: 10_000 }).catch(() => undefined))?.stdout.trim() ?? '';
  const fix = 'Start one: `npx nx run local-cluster:up` (root, Linux) then `export KUBECONFIG=$PWD/tmp/local-cluster/kubeconfig`, or `minikube start --addons=ingress`; for another context set E2E_K8S_BACKEND=cluster.';
  if (!['minikube', 'local-cluster'].includes(ctx) && process.env.E2E_K8S_BACKEND !== 'cluster') {
    throw new Error(`e2e-k8s: kubectl's context is ${ctx ? `'${ctx}'` : 'not set'}, which is neither minikube nor the local cluster. ${fix}`);
  }
  if (ctx === 'local-cluster' && process.env.E2E_K8S_BACKEND !== 'cluster') {
    // A context that is only named so (a copied kubeconfig) is not this machine's cluster.
    const server = (await run('kubectl', ['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'], { timeoutMs: 10_000 })).stdout.trim();
    const ours = existsSync(LOCAL_KUBECONFIG) ? /server: (\S+)/.exec(readFileSync(LOCAL_KUBECONFIG, 'utf8'))?.[1] : undefined;
    if (!ours || server !== ours) throw new Error(`e2e-k8s: context 'local-cluster' points at ${server}, not at this checkout's local cluster (${ours ?? `no ${LOCAL_KUBECONFIG}`}). ${fix}`);
  }
  const v = await run('kubectl', ['version', '--request-timeout=5s', '-o', 'json'], { timeoutMs: 15_000 }).catch(() => undefined);
  if (!v || v.code !== 0 || !v.stdout.includes('serverVersion')) throw new Error(`e2e-k8s: context '${ctx}' does not answer (${v?.stderr.trim() ?? 'kubectl failed'}). ${fix}`);
  return ctx;
}

/** The address of the node's port 80 (the ingress controller's hostPort): minikube ip, or the node's InternalIP. */
export async function ingressUrl(ctx: string): Promise<string | undefined> {
  if (ctx === 'minikube') return run('minikube', ['ip'], { timeoutMs: 30_000 }).then((r) => (r.code === 0 ? `http://${r.stdout.trim()}` : undefined), () => undefined);
  const ip = (await kubectl(['get', 'nodes', '-o', 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}'])).trim();
  return ip ? `http://${ip}` : undefined;
}

export function selectorOf(w: K8sObject): string {
  return Object.entries(w.spec.selector.matchLabels as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
}

export async function pods(ns: string, selector?: string): Promise<PodView[]> {
  const items = JSON.parse(await kubectl(['-n', ns, 'get', 'pods', ...(selector ? ['-l', selector] : []), '-o', 'json'])).items as any[];
  return items
    .filter((p) => !p.metadata.deletionTimestamp)
    .map((p) => {
      const statuses = [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])];
      return {
        name: p.metadata.name,
        labels: p.metadata.labels ?? {},
        ready: (p.status.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True'),
        phase: p.status.phase,
        reasons: statuses.map((s: any) => s.state?.waiting?.reason ?? s.state?.terminated?.reason ?? s.lastState?.terminated?.reason).filter(Boolean),
        restarts: statuses.reduce((n: number, s: any) => n + (s.restartCount ?? 0), 0),
      };
    });
}

/** What a failed wait prints: the pods and the namespace's last events. */
export async function describe(ns: string): Promise<string> {
  const p = await kubectlRaw(['-n', ns, 'get', 'pods', '-o', 'wide']);
  const e = await kubectlRaw(['-n', ns, 'get', 'events', '--sort-by=.lastTimestamp']);
  return `${p.stdout}${e.stdout.split('\n').slice(-15).join('\n')}`;
}

/** kubectl's own log lines (klog: `E1207 13:45:48.238729   23800 websocket.go:296] …`), not the command's. */
const KLOG = /^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+ +\d+ [\w.-]+:\d+\] .*$/;

/** Runs argv in a container; stderr is the command's (kubectl's own log lines are dropped). */
export async function exec(ns: string, pod: string, container: string, argv: string[]): Promise<Result> {
  const r = await run('kubectl', ['-n', ns, 'exec', pod, '-c', container, '--', ...argv], { timeoutMs: 60_000 });
  return { ...r, stderr: r.stderr.split('\n').filter((l) => !KLOG.test(l)).join('\n') };
}

export async function rolloutAll(ns: string, timeoutS: number): Promise<void> {
  for (const w of (await kubectl(['-n', ns, 'get', 'statefulset,deployment', '-o', 'name'])).split('\n').filter(Boolean)) {
    await kubectl(['-n', ns, 'rollout', 'status', w, `--timeout=${timeoutS}s`], { timeoutMs: (timeoutS + 30) * 1000 }).catch(async (e) => {
      throw new Error(`${e.message}\n${await describe(ns)}`);
    });
  }
}

/**
 * Deletes a namespace and waits until it is gone: an apply into a Terminating one fails.
 * `wait: false` (a suite's last cleanup, of a namespace no later suite uses) returns at once.
 */
export async function deleteNamespace(ns: string, opts: { wait?: boolean } = {}): Promise<void> {
  await kubectlRaw(['delete', 'namespace', ns, '--ignore-not-found', '--wait=false']);
  if (opts.wait === false) return;
  await poll(`namespace ${ns} to be deleted`, 240_000, async () => ((await kubectlRaw(['get', 'namespace', ns])).code !== 0 ? true : undefined), { everyMs: 1000, state: () => describe(ns) });
}

export interface Forward {
  url: string;
  close(): void;
}

/** kubectl port-forward to a Service, on a free local port, once it accepts connections. */
export async function portForward(ns: string, service: string, port: number): Promise<Forward> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const local = 20000 + Math.floor(Math.random() * 20000);
    const child: ChildProcess = spawn('kubectl', ['-n', ns, 'port-forward', `svc/${service}`, `${local}:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let exited = false;
    child.on('exit', () => (exited = true));
    const up = await poll(`port-forward to ${ns}/${service}:${port}`, 20_000, async () => {
      if (exited) return false;
      return new Promise<boolean | undefined>((resolve) => {
        const s = createConnection(local, '127.0.0.1');
        s.on('connect', () => (s.destroy(), resolve(true)));
        s.on('error', () => resolve(undefined));
      });
    }).catch(() => false);
    if (up) return { url: `http://127.0.0.1:${local}`, close: () => void child.kill() };
    child.kill();
    await sleep(500);
  }
  throw new Error(`kubectl port-forward to ${ns}/${service}:${port} did not come up`);
}

/**
 * Puts a local engine image into the node, as scripts/load-images.sh does for the manifests'
 * images: minikube image load, or the local cluster's containerd.
 */
export async function loadImage(ctx: string, ref: string, docker: string): Promise<void> {
  let r: Result;
  if (ctx === 'minikube') r = await run('minikube', ['image', 'load', ref], { timeoutMs: 10 * 60_000 });
  else if (ctx === 'local-cluster') r = await run('bash', ['-c', '"$0" save "$1" | bash "$2" import', docker, ref, join(repoRoot, 'tools/local-cluster/images.sh')], { timeoutMs: 10 * 60_000 });
  else throw new Error(`cannot put ${ref} into the nodes of context '${ctx}': push it to a registry they pull from`);
  if (r.code !== 0) throw new Error(`loading ${ref} into ${ctx}: ${r.stderr}`);
}

export const seconds = (since: number) => Number(((Date.now() - since) / 1000).toFixed(1));

/** The project's CLI (apps/infra), as a user runs it. */
export const infra = (...args: string[]) => run(process.execPath, [join(repoRoot, 'tools/run-ts.mjs'), join(repoRoot, 'apps/infra/src/cli.ts'), ...args], { timeoutMs: 120_000 });

/**
 * A fixture stack made ready to apply, as a user would: `infra synth` into a temporary
 * directory, its images built (the engine is the cache: a no-op when the content-hash tags are
 * there), and put into the node with scripts/load-images.sh --spec (the plan's images, and the
 * others through the mirror map). Returns the directory and the manifests of ENV.
 */
export async function preparedStack(spec: string, env: string, services: string[], keep?: (o: K8sObject) => boolean): Promise<{ dir: string; manifests: string; objects: K8sObject[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'e2ek8s-stack-'));
  const synth = await infra('synth', '--spec', spec, '--out', dir);
  if (synth.code !== 0) throw new Error(`infra synth: ${synth.stderr}${synth.stdout}`);
  if (services.length) {
    const build = await run(process.execPath, [join(repoRoot, 'scripts/docker-build.mjs'), '--spec', spec, ...services], { timeoutMs: 10 * 60_000 });
    if (build.code !== 0) throw new Error(`docker-build: ${build.stderr}${build.stdout}`);
  }
  let manifests = join(dir, 'dist', 'k8s', env);
  if (keep) {
    // Part of a stack: only the kept objects are loaded and applied.
    const part = join(dir, 'part', env);
    mkdirSync(part, { recursive: true });
    writeFileSync(join(part, 'objects.yaml'), toYaml(loadDir(manifests).filter(keep)));
    manifests = part;
  }
  const load = await run('bash', [join(repoRoot, 'scripts/load-images.sh'), '--spec', join(repoRoot, spec), '--dir', manifests], { timeoutMs: 10 * 60_000 });
  if (load.code !== 0) throw new Error(`load-images: ${load.stderr}${load.stdout}`);
  return { dir, manifests, objects: loadDir(manifests) };
}
