// The voting-app fixture's one-shot Job (`seed`, from upstream's docker-compose.seed.yml) run
// to completion on the cluster: the stack rendered by the current synth, the seed and vote
// images built from the fixture (vote/app.py is the fixture's own ballot app, standard library
// only), redis through the mirror map (the redis stand-in). The seed posts its ballots to
// http://vote/ through the Service, vote pushes each onto redis, and the NetworkPolicies the
// synth wrote are enforced (seed talks to vote, vote to redis).
// Only the part of the stack the Job touches runs: result (Node) and worker (.NET) have no
// sources in the fixture, and db serves only them.
import { rmSync } from 'node:fs';
import { clusterContext, deleteNamespace, describe as describeNs, exec, kubectl, kubectlRaw, pods, preparedStack, rolloutAll, seconds, toYaml, type K8sObject } from './lib/kube';

const SPEC = 'apps/infra/test/fixtures/voting-app/spec.json';
const RUNS = new Set(['vote', 'redis', 'seed']);
const summary: Record<string, unknown> = {};
let dir = '';
let ns = '';
let objects: K8sObject[] = [];

const nameOf = (o: K8sObject) => (o.metadata.labels as Record<string, string> | undefined)?.['app.kubernetes.io/name'] ?? o.metadata.name;
const apply = (objs: K8sObject[]) => kubectl(['apply', '-f', '-'], { input: toYaml(objs) });

beforeAll(async () => {
  await clusterContext();
  // The namespace, every NetworkPolicy (default deny and the edges), and the objects of the
  // services the Job needs.
  ({ dir, objects } = await preparedStack(SPEC, 'production', ['vote', 'seed'], (o) => o.kind === 'Namespace' || o.kind === 'NetworkPolicy' || (o.kind !== 'Ingress' && RUNS.has(nameOf(o)))));
  ns = objects.find((o) => o.kind === 'Namespace')!.metadata.name;
  await deleteNamespace(ns);
  const started = Date.now();
  await apply(objects.filter((o) => o.kind === 'Namespace'));
  // The Job last, once vote serves, as compose's seed runs against a running stack.
  await apply(objects.filter((o) => o.kind !== 'Namespace' && o.kind !== 'Job'));
  await rolloutAll(ns, 240);
  summary.readyS = seconds(started);
}, 15 * 60_000);

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (ns) await deleteNamespace(ns, { wait: false });
  console.log(`e2e-k8s voting-app summary: ${JSON.stringify(summary, null, 2)}`);
}, 4 * 60_000);

const redisCli = async (...args: string[]) => {
  const pod = (await pods(ns, 'app.kubernetes.io/name=redis')).find((p) => p.ready);
  if (!pod) throw new Error(`redis has no ready pod\n${await describeNs(ns)}`);
  const r = await exec(ns, pod.name, 'redis', ['redis-cli', ...args]);
  if (r.code !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

test('the synth rendered the seed as a one-shot Job that never restarts its pod', () => {
  const job = objects.find((o) => o.kind === 'Job' && o.metadata.name === 'seed')!;
  expect(job).toBeDefined();
  expect(job.spec.template.spec.restartPolicy).toBe('Never');
  expect(objects.some((o) => o.kind === 'CronJob')).toBe(false);
});

test('the seed Job completes: every ballot reached vote through its Service and landed in redis', async () => {
  const before = Number(await redisCli('llen', 'votes'));
  const started = Date.now();
  await kubectl(['apply', '-f', '-'], { input: toYaml(objects.filter((o) => o.kind === 'Job')) });
  const done = await kubectlRaw(['-n', ns, 'wait', 'job/seed', '--for=condition=Complete', '--timeout=240s'], { timeoutMs: 260_000 });
  if (done.code !== 0) throw new Error(`job seed did not complete: ${done.stderr}\n${(await kubectlRaw(['-n', ns, 'logs', 'job/seed'])).stdout}\n${await describeNs(ns)}`);
  summary.jobS = seconds(started);
  const status = JSON.parse(await kubectl(['-n', ns, 'get', 'job', 'seed', '-o', 'json'])).status;
  expect({ succeeded: status.succeeded, failed: status.failed ?? 0 }).toEqual({ succeeded: 1, failed: 0 });
  // The pod's log merges its stdout and stderr, in no fixed order between the two. One line
  // is the tally (stdout). Every other line may only report refused connections that were
  // retried (stderr): a new pod can be refused for a moment while kube-router adds its
  // address to the policy's sets.
  const lines = (await kubectl(['-n', ns, 'logs', 'job/seed'])).trim().split('\n');
  const tally = lines.filter((l) => l.startsWith('cast '));
  expect(tally).toEqual(['cast 3000 of 3000 votes at http://vote/']);
  for (const line of lines.filter((l) => !l.startsWith('cast '))) expect(line).toMatch(/^vote \d+: .*; retrying for up to 30 s$|^\d+ connection attempts were refused and retried$/);
  summary.seedRetries = Number(lines.find((l) => / were refused and retried$/.test(l))?.split(' ')[0] ?? 0);
  const after = Number(await redisCli('llen', 'votes'));
  expect(after - before).toBe(3000);
  // Two to one, as seed.py casts them: i % 3 ? a : b.
  const sample = JSON.parse(await redisCli('lindex', 'votes', '-1')) as { vote: string; voter_id: string };
  expect(sample.voter_id).toMatch(/^[0-9a-f]{32}$/);
  summary.votes = after - before;
}, 5 * 60_000);

const PROBE = `
import socket, time
def attempt(host, port):
    try:
        socket.create_connection((host, port), timeout=3).close()
        return "open"
    except OSError as e:
        return "refused " + type(e).__name__
deadline = time.time() + 20
while (vote := attempt("vote", 80)) != "open" and time.time() < deadline:
    time.sleep(0.5)
print("vote", vote)
print("redis", attempt("redis", 6379))
`;

test('the policies hold: a pod of the seed Job reaches vote, and nothing lets it reach redis', async () => {
  // seed → redis is no edge of the spec: the default-deny egress refuses it. A one-off pod with
  // the seed's labels and image tries both (python's socket; the image has no shell tools).
  const job = objects.find((o) => o.kind === 'Job' && o.metadata.name === 'seed')!;
  const template = job.spec.template;
  const probe = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'seed-probe', namespace: ns, labels: template.metadata.labels },
    spec: {
      ...template.spec,
      restartPolicy: 'Never',
      containers: [
        {
          ...template.spec.containers[0],
          name: 'probe',
          // The policy engine admits a new pod's address within a few seconds of its start: vote
          // is tried until it opens (20 s at most), then redis once.
          command: ['python', '-c', PROBE],
        },
      ],
    },
  };
  await kubectl(['apply', '-f', '-'], { input: toYaml([probe as K8sObject]) });
  const ran = await kubectlRaw(['-n', ns, 'wait', 'pod/seed-probe', '--for=jsonpath={.status.phase}=Succeeded', '--timeout=90s'], { timeoutMs: 100_000 });
  const out = (await kubectl(['-n', ns, 'logs', 'seed-probe'])).trim();
  if (ran.code !== 0) throw new Error(`probe pod: ${ran.stderr}\n${out}`);
  expect(out.split('\n')[0]).toBe('vote open');
  expect(out.split('\n')[1]).toMatch(/^redis refused (TimeoutError|ConnectionRefusedError|OSError)/);
  summary.policy = out;
}, 3 * 60_000);
