// dist/k8s/minikube deployed with scripts/deploy-k8s.sh (the README's deploy) on the cluster
// kubectl points at: the local cluster (tools/local-cluster, built from upstream Kubernetes) in
// CI, minikube, or any context with E2E_K8S_BACKEND=cluster. Everything else goes through kubectl.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { clusterContext, deleteNamespace, infra, seconds, describe as describeNs, exec, ingressUrl, kubectl, kubectlRaw, loadDir, loadImage, pods as podsIn, portForward, repoRoot, rolloutAll, selectorOf, toYaml, type Forward, type K8sObject } from './lib/kube';
import { poll, run } from './lib/sh';

// The todo stack's roles (names of its Services and workloads in the spec).
const FRONTEND = 'frontend';
const BACKEND = 'backend';
const DATABASE = 'postgres';
const NAMESPACE = 'todo';
const DIR = process.env.E2E_K8S_DIR ?? join(repoRoot, 'dist/k8s/minikube');

const objects: K8sObject[] = loadDir(DIR);
let forward: Forward;
let ingress: string | undefined;
let context = '';
const summary: Record<string, unknown> = {};
const stamp = Date.now();
const frontendUrl = () => forward.url;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${frontendUrl()}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}
async function expectStatus(method: string, path: string, status: number, body?: unknown): Promise<any> {
  const r = await call(method, path, body);
  if (r.status !== status) throw new Error(`${method} ${path} answered ${r.status}, expected ${status}: ${JSON.stringify(r.json)}`);
  return r.json;
}
const titles = async () => ((await expectStatus('GET', '/api/todos?limit=100', 200)).items as { title: string }[]).map((x) => x.title);

const workloads = () => objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
const workload = (name: string) => workloads().find((w) => w.metadata.name === name)!;
const podsOf = (w: K8sObject) => podsIn(NAMESPACE, selectorOf(w));
const t = {
  exec: (pod: string, container: string, argv: string[]) => exec(NAMESPACE, pod, container, argv),
  deletePod: async (name: string) => void (await kubectl(['-n', NAMESPACE, 'delete', 'pod', name, '--wait=false'])),
  waitAllReady: (ms: number) => rolloutAll(NAMESPACE, Math.ceil(ms / 1000)),
};

beforeAll(async () => {
  const ctx = await clusterContext();
  context = ctx;
  summary.context = ctx;
  // A clean namespace: the deploy below is a first install, as a new user's is. On a cluster
  // that is not the local one, a `todo` namespace this suite did not make is someone's: kept.
  const existing = await kubectlRaw(['get', 'namespace', NAMESPACE, '-o', 'jsonpath={.metadata.annotations.e2e-k8s/owned}']);
  if (existing.code === 0 && existing.stdout.trim() !== 'true' && ctx !== 'local-cluster' && process.env.E2E_K8S_REPLACE !== '1') {
    throw new Error(`e2e-k8s: namespace ${NAMESPACE} exists on '${ctx}' and was not made by this suite; set E2E_K8S_REPLACE=1 to let the suite delete and redeploy it`);
  }
  await deleteNamespace(NAMESPACE);
  const env = { ...process.env, TODO_POSTGRES_PASSWORD: process.env.TODO_POSTGRES_PASSWORD ?? randomBytes(12).toString('hex') };
  const started = Date.now();
  const up = await run('bash', [join(repoRoot, 'scripts/deploy-k8s.sh'), '--dir', DIR], { env, timeoutMs: 15 * 60_000 });
  console.log(up.stdout + up.stderr);
  if (up.code !== 0) throw new Error(`scripts/deploy-k8s.sh failed (${up.code}):\n${up.stderr}\n${await describeNs(NAMESPACE)}`);
  summary.deployToAllReadyS = seconds(started);
  await kubectl(['annotate', 'namespace', NAMESPACE, 'e2e-k8s/owned=true', '--overwrite']);
  forward = await portForward(NAMESPACE, FRONTEND, 3000);
  ingress = await ingressUrl(ctx);
  console.log(`e2e-k8s (${ctx}): ${summary.deployToAllReadyS} s from scripts/deploy-k8s.sh to every rollout done`);
}, 16 * 60_000);

afterAll(async () => {
  const out = join(repoRoot, 'tmp', 'e2e-k8s');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2));
  console.log(`e2e-k8s summary: ${JSON.stringify(summary, null, 2)}`);
  forward?.close();
  // The stack ran with a password nobody keeps: removed unless E2E_K8S_KEEP=1.
  if (process.env.E2E_K8S_KEEP !== '1') await deleteNamespace(NAMESPACE, { wait: false });
}, 5 * 60_000);

test('every workload has its replicas ready', async () => {
  for (const w of workloads()) {
    const ready = (await podsOf(w)).filter((p) => p.ready).length;
    expect({ workload: w.metadata.name, ready }).toEqual({ workload: w.metadata.name, ready: w.spec.replicas ?? 1 });
  }
});

test('creates, lists, completes and deletes a todo through the frontend', async () => {
  const title = `e2e-k8s ${stamp}`;
  const created = await expectStatus('POST', '/api/todos', 201, { title });
  expect(created).toMatchObject({ title, completed: false });
  expect(await titles()).toContain(title);
  expect(await expectStatus('PATCH', `/api/todos/${created.id}`, 200, { completed: true })).toMatchObject({ completed: true });
  await expectStatus('DELETE', `/api/todos/${created.id}`, 204);
  expect((await call('GET', `/api/todos/${created.id}`)).status).toBe(404);
  expect(await titles()).not.toContain(title);
});

test('"add buy milk" to the assistant adds a todo', async () => {
  const before = (await titles()).filter((x) => x === 'buy milk').length;
  const reply = await expectStatus('POST', '/api/chat', 200, { message: 'add buy milk' });
  expect(reply.todos_changed).toBe(true);
  expect((await titles()).filter((x) => x === 'buy milk').length).toBe(before + 1);
});

/**
 * Runs the first of these programs the container has: the todo images have no shell (only
 * python or node), the postgres image has no runtime but sh. A missing program is skipped;
 * any other failure is the answer.
 */
async function runWithFirst(pod: string, container: string, forms: Array<{ python: string } | { node: string } | { sh: string }>, ...args: string[]) {
  let last: Awaited<ReturnType<typeof t.exec>> | undefined;
  for (const form of forms) {
    const argv = 'python' in form ? ['python', '-c', form.python, ...args] : 'node' in form ? ['node', '-e', form.node, ...args] : ['sh', '-c', form.sh, 'sh', ...args];
    last = await t.exec(pod, container, argv);
    if (!/executable file not found in \$PATH/.test(`${last.stdout}${last.stderr}`)) return last;
  }
  throw new Error(`${pod}/${container}: none of python, node, sh is in the image (${last?.stderr.trim()})`);
}

test('every emptyDir mount is writable by the pod user; the root filesystem is read-only where declared', async () => {
  const seen: string[] = [];
  const writeProbe = [
    { python: 'import os, sys; f = os.path.join(sys.argv[1], ".e2e-k8s-probe"); open(f, "w").write("ok"); os.remove(f)' },
    { node: 'const f = require("path").join(process.argv[1], ".e2e-k8s-probe"); require("fs").writeFileSync(f, "ok"); require("fs").unlinkSync(f)' },
    // Shell builtins only: runtime images may ship sh without coreutils.
    { sh: 'f="$1/.e2e-k8s-probe" && echo ok > "$f" && { rm -f "$f" 2>/dev/null || : > "$f"; }' },
  ];
  const readMounts = [
    { python: 'print(open("/proc/mounts").read(), end="")' },
    { node: 'process.stdout.write(require("fs").readFileSync("/proc/mounts", "utf8"))' },
    { sh: 'while read -r l; do echo "$l"; done < /proc/mounts' },
  ];
  const writeRoot = [
    { python: 'open("/.e2e-k8s-root-write", "w").write("x")' },
    { node: 'require("fs").writeFileSync("/.e2e-k8s-root-write", "x")' },
    { sh: 'echo x > /.e2e-k8s-root-write' },
  ];
  for (const w of workloads()) {
    const spec = w.spec.template.spec;
    const emptyDirs = new Set((spec.volumes ?? []).filter((v: any) => v.emptyDir).map((v: any) => v.name));
    const pod = (await podsOf(w)).find((p) => p.ready)!;
    for (const c of spec.containers) {
      for (const m of (c.volumeMounts ?? []).filter((m: any) => emptyDirs.has(m.name))) {
        const r = await runWithFirst(pod.name, c.name, writeProbe, m.mountPath);
        expect({ path: `${w.metadata.name}/${c.name}:${m.mountPath}`, code: r.code, err: r.stderr.trim() }).toEqual({ path: `${w.metadata.name}/${c.name}:${m.mountPath}`, code: 0, err: '' });
        seen.push(`${c.name}:${m.mountPath} writable`);
      }
      const mounts = (await runWithFirst(pod.name, c.name, readMounts)).stdout;
      const rootOpts = mounts.split('\n').find((l) => l.split(' ')[1] === '/')?.split(' ')[3].split(',') ?? [];
      expect({ container: c.name, readOnlyRoot: rootOpts.includes('ro') }).toEqual({ container: c.name, readOnlyRoot: c.securityContext?.readOnlyRootFilesystem === true });
      const root = await runWithFirst(pod.name, c.name, writeRoot);
      if (c.securityContext?.readOnlyRootFilesystem) expect(root.code).not.toBe(0);
      seen.push(`${c.name}: / read-only`);
    }
  }
  summary.writablePaths = seen;
});

test('the frontend cannot reach the database directly; the backend can (NetworkPolicy)', async () => {
  const fe = (await podsOf(workload(FRONTEND))).find((p) => p.ready)!;
  const be = (await podsOf(workload(BACKEND))).find((p) => p.ready)!;
  // Name resolution works from the frontend (DNS egress is allowed), so a failure is the policy.
  const probe = `const s=require('net').connect(5432,'${DATABASE}');s.setTimeout(5000);s.on('connect',()=>{console.log('CONNECTED');process.exit(0)});s.on('timeout',()=>{console.log('ETIMEDOUT');process.exit(1)});s.on('error',e=>{console.log(e.code);process.exit(1)})`;
  const fromFrontend = await t.exec(fe.name, FRONTEND, ['node', '-e', probe]);
  expect(fromFrontend.stdout.trim()).toMatch(/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT)$/);
  const fromBackend = await t.exec(be.name, BACKEND, ['python', '-c', `import socket; socket.create_connection(('${DATABASE}', 5432), 5); print('CONNECTED')`]);
  expect(fromBackend.stdout.trim()).toBe('CONNECTED');
  summary.policy = { frontendToDatabase: fromFrontend.stdout.trim(), backendToDatabase: 'CONNECTED' };
});

/** GET through the ingress with a Host header (fetch cannot set Host). */
function viaIngress(host: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${ingress}${path}`, { headers: { host }, signal: AbortSignal.timeout(15_000) }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('every Ingress path answers through the ingress controller', async () => {
  if (!ingress) throw new Error('no ingress address: minikube ip failed, or the node has no InternalIP');
  const seen: Record<string, number> = {};
  for (const ing of objects.filter((o) => o.kind === 'Ingress')) {
    for (const rule of ing.spec.rules) {
      for (const p of rule.http.paths) {
        // The backend's todo list for an /api prefix, the page for anything else.
        const path = p.path === '/' ? '/' : `${p.path.replace(/\/$/, '')}/todos`;
        const r = await viaIngress(rule.host, path);
        seen[`${rule.host}${path} -> ${p.backend.service.name}`] = r.status;
      }
    }
  }
  summary.ingress = seen;
  expect(Object.values(seen).every((s) => s === 200)).toBe(true);
  const unknown = await viaIngress('unknown.example', '/');
  expect(unknown.status).toBe(404);
});

test('the frontend browser suite passes through the port-forward', async () => {
  const started = Date.now();
  const env = { ...process.env, E2E_BASE_URL: frontendUrl(), NEXT_TELEMETRY_DISABLED: '1' };
  const r = await run(process.execPath, ['--test', '--test-reporter=spec', join(repoRoot, 'apps/frontend/e2e/todo.e2e.test.mjs')], { env, timeoutMs: 5 * 60_000 });
  const count = (k: string) => Number(new RegExp(`^ℹ ${k} (\\d+)`, 'm').exec(r.stdout)?.[1] ?? -1);
  summary.browser = { pass: count('pass'), fail: count('fail'), skipped: count('skipped'), seconds: seconds(started) };
  if (r.code !== 0) throw new Error(`browser suite failed (${r.code}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
  expect(count('fail')).toBe(0);
  expect(count('pass')).toBeGreaterThan(0);
  // Exactly the skips the suite declares against an external stack (the tests that stop the backend); a new skip fails here.
  expect(count('skipped')).toBe(2);
  expect(r.stdout.match(/E2E_BASE_URL is set: the backend of an external stack is not ours to stop/g)).toHaveLength(2);
  expect(count('todo')).toBe(0);
}, 6 * 60_000);

/** One request through the frontend that never throws: its status (0: no answer) and Retry-After. */
async function attempt(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter: string | null; json: any }> {
  try {
    const res = await fetch(`${frontendUrl()}${path}`, { method, headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(15_000) });
    const text = await res.text();
    let json: any = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, retryAfter: res.headers.get('retry-after'), json };
  } catch (e) {
    return { status: 0, retryAfter: null, json: String((e as Error).cause ?? e) };
  }
}

// Issue 18's chaos test on the cluster: the PostgreSQL pod deleted again and again while 20
// clients create and read todos through the frontend. Every answer is a success or a 503 with
// Retry-After (never a 500 or a bare 502); the API serves again within 5 s of each new database
// pod being ready, with no manual step; every acknowledged create is there at the end.
test('deleting the database pod repeatedly under 20 clients: only 503 with Retry-After, serving within 5 s of each return, no acknowledged write lost', async () => {
  const rounds = Number(process.env.E2E_K8S_CHAOS_ROUNDS ?? 6);
  const acknowledged = new Map<string, string>();
  const statuses = new Map<string, number>();
  const bad: string[] = [];
  let running = true;
  const note = (what: string, r: { status: number; retryAfter: string | null; json: any }) => {
    const key = r.status === 0 ? 'no answer' : String(r.status);
    statuses.set(key, (statuses.get(key) ?? 0) + 1);
    if (r.status >= 500 && !(r.status === 503 && r.retryAfter)) bad.push(`${what}: ${r.status} ${JSON.stringify(r.json).slice(0, 160)}`);
  };
  const client = async (c: number) => {
    for (let i = 0; running; i++) {
      const title = `chaos ${stamp} ${c}-${i}`;
      const key = `${stamp}-${c}-${i}`;
      // A client that obeys Retry-After retries its create with the same key until it is acknowledged.
      for (let tries = 0; running || tries === 0; tries++) {
        const r = await attempt('POST', '/api/todos', { title }, { 'idempotency-key': key });
        note('POST /api/todos', r);
        if (r.status === 201) {
          acknowledged.set(r.json.id, title);
          break;
        }
        await new Promise((res) => setTimeout(res, r.status === 503 ? 250 : 500));
      }
      note('GET /api/todos', await attempt('GET', '/api/todos?limit=5'));
    }
  };
  const clients = Array.from({ length: 20 }, (_, c) => client(c));
  const rows: { round: number; readyS: number; servingAfterReadyS: number }[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      const [pod] = await podsOf(workload(DATABASE));
      const uid = (await kubectl(['-n', NAMESPACE, 'get', 'pod', pod.name, '-o', 'jsonpath={.metadata.uid}'])).trim();
      const started = Date.now();
      await t.deletePod(pod.name);
      await poll('a new database pod to be ready', 3 * 60_000, async () => {
        const p = (await podsOf(workload(DATABASE))).find((x) => x.ready);
        if (!p) return undefined;
        const now = (await kubectlRaw(['-n', NAMESPACE, 'get', 'pod', p.name, '-o', 'jsonpath={.metadata.uid}'])).stdout.trim();
        return now && now !== uid ? true : undefined;
      }, { everyMs: 250 });
      const ready = Date.now();
      await poll('a create through the frontend after the database is back', 30_000, async () => ((await attempt('POST', '/api/todos', { title: `chaos ${stamp} probe ${round}` })).status === 201 ? true : undefined), { everyMs: 100 });
      rows.push({ round, readyS: seconds(started), servingAfterReadyS: seconds(ready) });
    }
  } finally {
    running = false;
    await Promise.all(clients);
  }
  // Every acknowledged create, read back by id.
  const missing: string[] = [];
  const ids = [...acknowledged.keys()];
  for (let i = 0; i < ids.length; i += 20) {
    await Promise.all(ids.slice(i, i + 20).map(async (id) => {
      const r = await attempt('GET', `/api/todos/${id}`);
      if (r.status !== 200 || r.json.title !== acknowledged.get(id)) missing.push(`${id}: ${r.status}`);
    }));
  }
  summary.databaseChaos = { rounds: rows, acknowledgedCreates: ids.length, answers: Object.fromEntries(statuses), maxServingAfterReadyS: Math.max(...rows.map((r) => r.servingAfterReadyS)) };
  expect(bad).toEqual([]);
  expect(missing).toEqual([]);
  expect(ids.length).toBeGreaterThan(50);
  for (const r of rows) expect(r.servingAfterReadyS).toBeLessThanOrEqual(5);
}, 15 * 60_000);

test('deleting a backend pod: a replacement becomes ready and serves', async () => {
  const [old] = await podsOf(workload(BACKEND));
  const started = Date.now();
  await t.deletePod(old.name);
  const fresh = await poll('a replacement backend pod to be ready', 5 * 60_000, async () => (await podsOf(workload(BACKEND))).find((p) => p.ready && p.name !== old.name), { everyMs: 1000 });
  await poll('GET /api/todos through the frontend', 2 * 60_000, async () => ((await call('GET', '/api/todos')).status === 200 ? true : undefined), { everyMs: 1000 });
  summary.backendPodDeleted = `${old.name} -> ${fresh.name}, serving in ${seconds(started)} s`;
}, 10 * 60_000);

test('a Service whose port differs from its targetPort reaches the pods through its virtual IP (kube-proxy)', async () => {
  const be = workload(BACKEND);
  const svc: K8sObject = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'vip-probe', namespace: NAMESPACE },
    spec: { selector: be.spec.selector.matchLabels, ports: [{ port: 18080, targetPort: 8000, protocol: 'TCP' }] },
  };
  await kubectl(['apply', '-f', '-'], { input: toYaml([svc]) });
  try {
    const ip = (await kubectl(['-n', NAMESPACE, 'get', 'service', 'vip-probe', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    const fe = (await podsOf(workload(FRONTEND))).find((p) => p.ready)!;
    // From the frontend, whose policy allows egress to the backend's pod port 8000: the
    // virtual IP's port 18080 is translated to it, and the policy sees the pod port.
    const probe = "fetch('http://vip-probe:18080/health',{signal:AbortSignal.timeout(5000)}).then(r=>console.log(r.status)).catch(e=>console.log(e.cause?.code??e.name))";
    const r = await poll('the backend through vip-probe:18080', 60_000, async () => {
      const x = await t.exec(fe.name, FRONTEND, ['node', '-e', probe]);
      return x.stdout.trim() === '200' ? x : undefined;
    });
    expect(r.stdout.trim()).toBe('200');
    summary.virtualIp = `vip-probe ${ip}:18080 -> backend pods :8000 answered 200`;
  } finally {
    await kubectlRaw(['-n', NAMESPACE, 'delete', 'service', 'vip-probe', '--wait=false']);
  }
});

test('a rolling update of the backend under load: no failed request, the old pods gone', async () => {
  const docker = process.env.DOCKER ?? 'docker';
  const current = backendImage();
  // The image as the node holds it may be a stand-in tagged under the manifest's name; the
  // engine's own ref of it is what scripts/load-images.sh loaded (TODO_IMAGE_MIRRORS).
  const source = await engineRefOf(current, docker);
  const ctxDir = mkdtempSync(join(tmpdir(), 'e2ek8s-rollout-'));
  const next = `todo-backend:rollout-${stamp}`;
  try {
    writeFileSync(join(ctxDir, 'Dockerfile'), `FROM ${source}\nCOPY rollout.txt /app/rollout.txt\n`);
    writeFileSync(join(ctxDir, 'rollout.txt'), `${stamp}\n`);
    const b = await run(docker, ['build', '-q', '-t', next, ctxDir], { timeoutMs: 5 * 60_000 });
    if (b.code !== 0) throw new Error(`docker build ${next}: ${b.stderr}`);
    await loadImage(context, next, docker);
  } finally {
    rmSync(ctxDir, { recursive: true, force: true });
    // The node has its copy; the engine keeps no test tag.
    await run(docker, ['rmi', next]);
  }
  const before = (await podsOf(workload(BACKEND))).map((p) => p.name);
  // Light load through the frontend (and so through the backend Service) for the whole rollout.
  let ok = 0;
  const failures: string[] = [];
  let loading = true;
  const load = (async () => {
    while (loading) {
      try {
        const r = await call('GET', '/api/todos?limit=1');
        if (r.status === 200) ok++;
        else failures.push(`HTTP ${r.status}`);
      } catch (e) {
        failures.push(String(e));
      }
      await new Promise((res) => setTimeout(res, 50));
    }
  })();
  const started = Date.now();
  try {
    await kubectl(['-n', NAMESPACE, 'set', 'image', 'deployment/backend', `backend=${next}`, `backend-migrate=${next}`]);
    await kubectl(['-n', NAMESPACE, 'rollout', 'status', 'deployment/backend', '--timeout=300s'], { timeoutMs: 330_000 });
    // Rollout status returns when the new pods are ready; the old ones still drain (preStop).
    await poll('the old backend pods to be gone', 120_000, async () => {
      const names = (await kubectl(['-n', NAMESPACE, 'get', 'pods', '-l', selectorOf(workload(BACKEND)), '-o', 'jsonpath={.items[*].metadata.name}'])).split(' ').filter(Boolean);
      return names.some((n) => before.includes(n)) ? undefined : names;
    });
    await new Promise((res) => setTimeout(res, 2000));
  } finally {
    loading = false;
    await load;
  }
  const after = await podsOf(workload(BACKEND));
  const images = JSON.parse(await kubectl(['-n', NAMESPACE, 'get', 'pods', '-l', selectorOf(workload(BACKEND)), '-o', 'json'])).items.map((p: any) => p.spec.containers[0].image);
  summary.rollingUpdate = { seconds: seconds(started), requests: ok + failures.length, failed: failures.length, before, after: after.map((p) => p.name) };
  expect(failures).toEqual([]);
  expect(ok).toBeGreaterThan(20);
  expect(after.every((p) => p.ready && !before.includes(p.name))).toBe(true);
  expect(new Set(images)).toEqual(new Set([next]));
}, 10 * 60_000);

test('the PodDisruptionBudget the production environment renders refuses an eviction that would break it (HTTP 429)', async () => {
  // production runs 2 backend replicas with a PDB of maxUnavailable 1. The same PDB here,
  // selecting this environment's backend, scaled to 2 the way the production HPA's minimum does.
  const prod = loadDir(join(repoRoot, 'dist/k8s/production')).find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === BACKEND)!;
  expect(prod.spec.maxUnavailable).toBe(1);
  const pdb = structuredClone(prod);
  pdb.spec.selector = workload(BACKEND).spec.selector;
  pdb.metadata.labels = {};
  await kubectl(['-n', NAMESPACE, 'scale', 'deployment/backend', '--replicas=2']);
  await kubectl(['apply', '-f', '-'], { input: toYaml([pdb]) });
  try {
    await kubectl(['-n', NAMESPACE, 'rollout', 'status', 'deployment/backend', '--timeout=180s'], { timeoutMs: 200_000 });
    await poll('the PDB to allow one disruption', 60_000, async () => {
      const st = JSON.parse(await kubectl(['-n', NAMESPACE, 'get', 'pdb', BACKEND, '-o', 'json'])).status;
      return st.disruptionsAllowed === 1 && st.currentHealthy === 2 ? st : undefined;
    });
    const [a, b] = (await podsOf(workload(BACKEND))).map((p) => p.name);
    const evict = (pod: string) =>
      kubectlRaw(['create', '--raw', `/api/v1/namespaces/${NAMESPACE}/pods/${pod}/eviction`, '-f', '-'], {
        input: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace: NAMESPACE } }),
      });
    const first = await evict(a);
    expect({ code: first.code, stderr: first.stderr.trim() }).toEqual({ code: 0, stderr: '' });
    const second = await evict(b);
    expect(second.code).not.toBe(0);
    // kubectl create --raw prints the API error; 429 TooManyRequests is the eviction API's refusal.
    expect(second.stderr).toMatch(/Cannot evict pod as it would violate the pod's disruption budget|TooManyRequests|429/);
    summary.podDisruptionBudget = { firstEviction: 'allowed', secondEviction: second.stderr.trim().split('\n')[0] };
  } finally {
    await kubectlRaw(['-n', NAMESPACE, 'delete', 'pdb', BACKEND, '--wait=false']);
    await kubectl(['-n', NAMESPACE, 'scale', 'deployment/backend', '--replicas=1']);
  }
}, 6 * 60_000);

function backendImage(): string {
  return workload(BACKEND).spec.template.spec.containers[0].image;
}

/** The local engine's ref for an image the manifests name (its stand-in build, when TODO_IMAGE_MIRRORS is set). */
async function engineRefOf(ref: string, docker: string): Promise<string> {
  if ((await run(docker, ['image', 'inspect', ref])).code === 0) return ref;
  const r = await infra('images', 'ref', BACKEND);
  if (r.code !== 0) throw new Error(`infra images ref backend: ${r.stderr}`);
  return r.stdout.trim();
}
