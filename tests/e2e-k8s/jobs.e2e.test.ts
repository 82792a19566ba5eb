// A one-shot Job and a CronJob as the renderer writes them, run on the cluster: a small stack
// spec (written here) whose two services are jobs on the backend image the todo stack
// deployed, synthesized by the current `infra synth`, applied in the README's order.
// The public stacks with jobs (voting-app's seed, nextcloud's cron) need upstream images that
// cannot be built here; this runs the same rendered kinds with an image that can.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clusterContext, deleteNamespace, describe as describeNs, infra, kubectl, kubectlRaw, loadDir, repoRoot, type K8sObject } from './lib/kube';

const NS = 'jobs-probe';
const stamp = Date.now();
const summary: Record<string, unknown> = {};
let dir = '';
let objects: K8sObject[] = [];

beforeAll(async () => {
  await clusterContext();
  // The image the todo stack's manifests name; scripts/deploy-k8s.sh put it into the node.
  const backend = loadDir(join(repoRoot, 'dist/k8s/minikube')).find((o) => o.kind === 'Deployment' && o.metadata.name === 'backend')!;
  const image = backend.spec.template.spec.containers[0].image as string;
  const present = await kubectlRaw(['get', 'nodes', '-o', 'jsonpath={.items[*].status.images[*].names}']);
  if (!present.stdout.includes(image.split(':')[0])) throw new Error(`${image} is not on the node: run the todo stack first (scripts/deploy-k8s.sh)`);
  dir = mkdtempSync(join(tmpdir(), 'e2ek8s-jobs-'));
  const py = (what: string) => ['python', '-c', `import os; print("${what} ran", os.environ.get("RUN_ID", ""), "as uid", os.getuid())`];
  const spec = {
    name: NS,
    services: [
      { name: 'once', role: 'worker', image: { ref: image }, command: py('once'), env: { RUN_ID: String(stamp) }, job: { backoffLimit: 1, activeDeadlineSeconds: 120 }, restart: 'never' },
      { name: 'nightly', role: 'worker', image: { ref: image }, command: py('nightly'), env: { RUN_ID: String(stamp) }, job: { schedule: '30 2 * * *' }, restart: 'never' },
    ],
    environments: { cluster: { target: 'kubernetes' } },
  };
  writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec, null, 2));
  const synth = await infra('synth', '--spec', join(dir, 'spec.json'), '--out', join(dir, 'out'));
  if (synth.code !== 0) throw new Error(`infra synth: ${synth.stderr}${synth.stdout}`);
  objects = loadDir(join(dir, 'out', 'dist', 'k8s', 'cluster'));
  await deleteNamespace(NS);
  await kubectl(['apply', '-f', join(dir, 'out', 'dist', 'k8s', 'cluster', '00-namespace.yaml')]);
  await kubectl(['apply', '-f', join(dir, 'out', 'dist', 'k8s', 'cluster')]);
}, 5 * 60_000);

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await deleteNamespace(NS, { wait: false });
  console.log(`e2e-k8s jobs summary: ${JSON.stringify(summary, null, 2)}`);
}, 4 * 60_000);

async function completes(job: string): Promise<string> {
  const r = await kubectlRaw(['-n', NS, 'wait', `job/${job}`, '--for=condition=Complete', '--timeout=180s'], { timeoutMs: 200_000 });
  if (r.code !== 0) throw new Error(`job ${job} did not complete: ${r.stderr}\n${await describeNs(NS)}`);
  return (await kubectl(['-n', NS, 'logs', `job/${job}`])).trim();
}

test('the renderer wrote a Job and a CronJob', () => {
  expect(objects.filter((o) => o.kind === 'Job').map((o) => o.metadata.name)).toEqual(['once']);
  expect(objects.filter((o) => o.kind === 'CronJob').map((o) => [o.metadata.name, o.spec.schedule])).toEqual([['nightly', '30 2 * * *']]);
});

test('the one-shot Job runs to completion under Pod Security restricted', async () => {
  const log = await completes('once');
  expect(log).toMatch(new RegExp(`^once ran ${stamp} as uid [1-9]\\d*$`));
  const status = JSON.parse(await kubectl(['-n', NS, 'get', 'job', 'once', '-o', 'json'])).status;
  expect({ succeeded: status.succeeded, failed: status.failed ?? 0 }).toEqual({ succeeded: 1, failed: 0 });
  summary.job = log;
});

test('a Job made from the CronJob (kubectl create job --from=cronjob/…) runs to completion', async () => {
  await kubectl(['-n', NS, 'create', 'job', '--from=cronjob/nightly', `nightly-${stamp}`]);
  const log = await completes(`nightly-${stamp}`);
  expect(log).toMatch(new RegExp(`^nightly ran ${stamp} as uid [1-9]\\d*$`));
  summary.cronJob = log;
});
