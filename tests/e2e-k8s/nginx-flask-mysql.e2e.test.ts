// A public stack (apps/infra/test/fixtures/nginx-flask-mysql: nginx in front of a Flask app on
// MariaDB) rendered by the current synth and run on the cluster with its checks from the
// compose suite (tests/e2e-stacks): the notes page through nginx, read live from MariaDB,
// with the password mounted from a Secret file and in no environment variable; MariaDB on its
// image's entrypoint with the spec's arguments as uid 999; the data kept when the database
// pod is deleted (a StatefulSet's claim).
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { clusterContext, deleteNamespace, describe as describeNs, exec, kubectl, pods, portForward, preparedStack, rolloutAll, seconds, type Forward, type K8sObject } from './lib/kube';
import { poll } from './lib/sh';

const SPEC = 'apps/infra/test/fixtures/nginx-flask-mysql/spec.json';
const stamp = Date.now();
const password = randomBytes(12).toString('hex');
const summary: Record<string, unknown> = {};
let dir = '';
let ns = '';
let objects: K8sObject[] = [];
let forward: Forward | undefined;

const dbPod = async () => (await pods(ns, 'app.kubernetes.io/name=db')).find((p) => p.ready);
const sql = async (query: string) => {
  const pod = await dbPod();
  if (!pod) throw new Error('no ready db pod');
  const r = await exec(ns, pod.name, 'db', ['sh', '-c', `mysql -uroot -p"$(cat /run/secrets/db-password)" example -N -e '${query}'`]);
  if (r.code !== 0) throw new Error(`mysql: ${r.stderr}`);
  return r.stdout.trim();
};
const page = async () => {
  const res = await fetch(`${forward!.url}/`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, text: await res.text() };
};

beforeAll(async () => {
  await clusterContext();
  let manifests: string;
  ({ dir, manifests, objects } = await preparedStack(SPEC, 'production', ['backend', 'proxy']));
  ns = objects.find((o) => o.kind === 'Namespace')!.metadata.name;
  const started = Date.now();
  await deleteNamespace(ns);
  // The README's order: the namespace, the Secrets the parity report lists, the directory.
  await kubectl(['apply', '-f', join(manifests, '00-namespace.yaml')]);
  await kubectl(['-n', ns, 'create', 'secret', 'generic', 'db-password', `--from-literal=password=${password}`]);
  await kubectl(['apply', '-f', manifests]);
  await rolloutAll(ns, 300);
  summary.applyToAllReadyS = seconds(started);
  forward = await portForward(ns, 'proxy', 80);
  await poll('the notes page through nginx', 120_000, async () => ((await page()).status === 200 ? true : undefined), { state: () => describeNs(ns) });
  summary.applyToServingS = seconds(started);
}, 15 * 60_000);

afterAll(async () => {
  forward?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (ns) await deleteNamespace(ns, { wait: false });
  console.log(`e2e-k8s nginx-flask-mysql summary: ${JSON.stringify(summary, null, 2)}`);
}, 4 * 60_000);

test('serves the notes page through nginx, from MariaDB, with the password read from a Secret file', async () => {
  const r = await page();
  expect(r.status).toBe(200);
  expect(r.text).toContain('<h1>Notes (3)</h1>');
  expect(r.text).toContain('<li data-id="1">Requests reach this page through nginx</li>');
  // A row written straight into MariaDB shows on the page: the backend reads the database live.
  await sql(`INSERT INTO notes (body) VALUES ("e2e-${stamp}")`);
  expect((await page()).text).toContain(`<li data-id="4">e2e-${stamp}</li>`);
  // The backend has only the file: the password is in no variable of its environment.
  const backend = (await pods(ns, 'app.kubernetes.io/name=backend')).find((p) => p.ready)!;
  expect((await exec(ns, backend.name, 'backend', ['cat', '/run/secrets/db-password'])).stdout).toBe(password);
  expect((await exec(ns, backend.name, 'backend', ['env'])).stdout).not.toContain(password);
});

test('runs MariaDB with the arguments of the spec on the image entrypoint, as uid 999', async () => {
  const pod = (await dbPod())!;
  const cmdline = await exec(ns, pod.name, 'db', ['sh', '-c', 'tr "\\0" " " < /proc/1/cmdline']);
  expect(cmdline.stdout).toContain('--default-authentication-plugin=mysql_native_password');
  expect((await exec(ns, pod.name, 'db', ['id', '-u'])).stdout.trim()).toBe('999');
});

test('deleting the database pod keeps the data (the StatefulSet claim)', async () => {
  const old = (await dbPod())!;
  const started = Date.now();
  await kubectl(['-n', ns, 'delete', 'pod', old.name, '--wait=true']);
  await rolloutAll(ns, 300);
  await poll('the notes page with the row written before', 180_000, async () => ((await page()).text.includes(`<li data-id="4">e2e-${stamp}</li>`) ? true : undefined), { state: () => describeNs(ns) });
  expect(await sql('SELECT body FROM notes WHERE id = 4')).toBe(`e2e-${stamp}`);
  expect((await page()).text).toContain('<h1>Notes (4)</h1>');
  summary.databasePodDeletedS = seconds(started);
}, 6 * 60_000);
