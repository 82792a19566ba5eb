// The nextcloud fixture's CronJob run on the cluster: the whole stack rendered by the current
// synth (MariaDB, Redis, the app and the `*/5 * * * *` cron), every image through the mirror
// map (mariadb, redis and nextcloud stand-ins: docker/standins/*), the Secret created as the
// parity report says. A Job made from the CronJob (`kubectl create job --from=cronjob/cron`)
// runs `php -f /var/www/html/cron.php` from the app's ReadWriteMany claim, which the spec's
// JSON patch mounts into the job: it reads the config the app wrote there, and reaches MariaDB
// and Redis through the NetworkPolicies (talksTo).
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { clusterContext, deleteNamespace, describe as describeNs, exec, kubectl, kubectlRaw, pods, preparedStack, rolloutAll, seconds, type K8sObject } from './lib/kube';
import { poll } from './lib/sh';

const SPEC = 'apps/infra/test/fixtures/nextcloud/spec.json';
const stamp = Date.now();
const summary: Record<string, unknown> = {};
let dir = '';
let ns = '';
let objects: K8sObject[] = [];

beforeAll(async () => {
  await clusterContext();
  let manifests: string;
  ({ dir, manifests, objects } = await preparedStack(SPEC, 'production', []));
  ns = objects.find((o) => o.kind === 'Namespace')!.metadata.name;
  await deleteNamespace(ns);
  const started = Date.now();
  await kubectl(['apply', '-f', join(manifests, '00-namespace.yaml')]);
  const [root, user] = [randomBytes(12).toString('hex'), randomBytes(12).toString('hex')];
  await kubectl(['-n', ns, 'create', 'secret', 'generic', 'nextcloud-db', `--from-literal=root-password=${root}`, `--from-literal=password=${user}`]);
  await kubectl(['apply', '-f', manifests]);
  await rolloutAll(ns, 300);
  summary.applyToAllReadyS = seconds(started);
  // The app writes config/config.php into the claim on its first start.
  await poll('the app to write its config into the volume', 60_000, async () => {
    const pod = (await pods(ns, 'app.kubernetes.io/name=app')).find((p) => p.ready);
    if (!pod) return undefined;
    const r = await exec(ns, pod.name, 'app', ['php', '-r', 'echo is_file("/var/www/html/config/config.php") ? "yes" : "no";']);
    return r.stdout.trim() === 'yes' ? true : undefined;
  }, { state: () => describeNs(ns) });
}, 15 * 60_000);

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (ns) await deleteNamespace(ns, { wait: false });
  console.log(`e2e-k8s nextcloud summary: ${JSON.stringify(summary, null, 2)}`);
}, 4 * 60_000);

async function runFromCronJob(name: string): Promise<string> {
  await kubectl(['-n', ns, 'create', 'job', '--from=cronjob/cron', name]);
  const done = await kubectlRaw(['-n', ns, 'wait', `job/${name}`, '--for=condition=Complete', '--timeout=180s'], { timeoutMs: 200_000 });
  const log = (await kubectlRaw(['-n', ns, 'logs', `job/${name}`])).stdout.trim();
  if (done.code !== 0) throw new Error(`job ${name} did not complete: ${done.stderr}\n${log}\n${await describeNs(ns)}`);
  return log;
}

test('the synth rendered cron as a CronJob on its schedule, with the app claim mounted by the spec patch', () => {
  const cron = objects.find((o) => o.kind === 'CronJob' && o.metadata.name === 'cron')!;
  expect(cron.spec.schedule).toBe('*/5 * * * *');
  const pod = cron.spec.jobTemplate.spec.template.spec;
  expect(pod.volumes).toContainEqual({ name: 'nextcloud', persistentVolumeClaim: { claimName: 'app-nextcloud' } });
  expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'nextcloud', mountPath: '/var/www/html' });
});

test('the app claim (ReadWriteMany) is bound and shared', async () => {
  const claim = JSON.parse(await kubectl(['-n', ns, 'get', 'pvc', 'app-nextcloud', '-o', 'json']));
  expect(claim.status.phase).toBe('Bound');
  expect(claim.spec.accessModes).toEqual(['ReadWriteMany']);
});

test('a Job made from the CronJob runs cron.php as www-data against MariaDB and Redis, twice', async () => {
  const started = Date.now();
  const first = await runFromCronJob(`cron-${stamp}-1`);
  summary.cronJobS = seconds(started);
  expect(first).toBe('cron ran as uid 33: database rows 1, redis runs 1');
  // The second run sees the first one's rows: the same database and the same Redis.
  const second = await runFromCronJob(`cron-${stamp}-2`);
  expect(second).toBe('cron ran as uid 33: database rows 2, redis runs 2');
  summary.cron = [first, second];
}, 8 * 60_000);
