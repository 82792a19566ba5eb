// The pod runner's own tests: it refuses what it does not model, and what it models behaves
// as on a cluster (volume ownership, runAsNonRoot, command vs ENTRYPOINT, NetworkPolicy).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './checks/target';
import { Cluster } from './runner/cluster';
import { match, type Route } from './runner/ingress';
import { admit, parseObjects } from './runner/manifests';
import { restrictedViolations } from './runner/psa';
import { docker, sleep } from './runner/sh';

// Local images (scripts/offline-bases.sh); any image with sh+sleep and one with python3 will do.
const SHELL_IMAGE = process.env.E2E_K8S_SHELL_IMAGE ?? 'todo-offline/debian:bookworm-minbase';
const PY_IMAGE = process.env.E2E_K8S_PY_IMAGE ?? 'todo-offline/python:3.11-bookworm';
const EP_IMAGE = 'e2e-k8s-test/entrypoint:1';

const deployment = (name: string, spec: object, labels: Record<string, string> = { app: name }) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'rt' },
  spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { automountServiceAccountToken: false, enableServiceLinks: false, terminationGracePeriodSeconds: 1, ...spec } } },
});

describe('refusals (no Docker needed)', () => {
  const base = deployment('x', { containers: [{ name: 'x', image: SHELL_IMAGE }] });

  test('an unsupported field fails with its path', () => {
    const o = structuredClone(base) as any;
    o.spec.template.spec.hostAliases = [{ ip: '1.2.3.4', hostnames: ['a'] }];
    expect(() => admit([o], 'f.yaml')).toThrow('f.yaml: Deployment x: unsupported: spec.template.spec.hostAliases');
  });

  test('an unsupported value and an unknown kind fail, all problems at once', () => {
    const o = structuredClone(base) as any;
    o.spec.template.spec.containers[0].imagePullPolicy = 'Always';
    const cron = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c' }, spec: {} };
    expect(() => admit([o, cron], 'f.yaml')).toThrow(/imagePullPolicy = "Always"[\s\S]*unsupported: kind batch\/v1\/CronJob/);
  });

  test('a Service port translation the runner cannot do is refused', () => {
    const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'rt' }, spec: { selector: { app: 'x' }, ports: [{ port: 80, targetPort: 8080 }] } };
    expect(() => admit([svc as any])).toThrow('spec.ports[0].targetPort 8080 differs from port 80');
  });

  test('objects without runtime meaning on one node print a "not run" line', () => {
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h', namespace: 'rt' }, spec: {} };
    expect(admit([hpa as any]).notRun).toEqual(['not run: HorizontalPodAutoscaler rt/h: no metrics server and one node: replicas stay as the workload declares']);
  });
});

test('Ingress Prefix paths match whole path elements, the longest wins, Exact is exact', () => {
  const r = (path: string, service: string, exact = false): Route => ({ host: 'a.test', path, exact, namespace: 'n', service, port: 80 });
  const table = [r('/', 'web'), r('/api', 'api'), r('/api/health', 'health', true)];
  expect(match(table, 'a.test', '/api/todos')?.service).toBe('api');
  expect(match(table, 'a.test', '/api')?.service).toBe('api');
  expect(match(table, 'a.test', '/apix')?.service).toBe('web');
  expect(match(table, 'a.test', '/api/health')?.service).toBe('health');
  expect(match(table, 'a.test', '/api/health/x')?.service).toBe('api');
  expect(match(table, 'b.test', '/')).toBeUndefined();
});

test('Pod Security "restricted" names what a pod template breaks, and passes the minikube manifests\' shape', () => {
  const hardened = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } };
  expect(restrictedViolations({ containers: [{ name: 'a', securityContext: hardened }] })).toEqual([]);
  expect(restrictedViolations({ containers: [{ name: 'a' }] })).toEqual([
    'allowPrivilegeEscalation != false (container "a")',
    'unrestricted capabilities: must set securityContext.capabilities.drop=["ALL"] (container "a")',
    'runAsNonRoot != true (container "a")',
    'seccompProfile: must be RuntimeDefault or Localhost (container "a")',
  ]);
});

describe('on the Docker engine', () => {
  let cluster: Cluster;
  const pod = (prefix: string) => cluster.pods.find((p) => p.name.startsWith(prefix) && !p.deleted)!;
  const waitFor = async (what: string, ms: number, fn: () => boolean) => {
    const end = Date.now() + ms;
    while (!fn()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}:\n  ${cluster.describe()}`);
      await sleep(500);
    }
  };

  beforeAll(async () => {
    await docker(['build', '-q', '-t', EP_IMAGE, '-'], {
      input: `FROM ${SHELL_IMAGE}\nENTRYPOINT ["/bin/sh", "-c", "echo \\"entrypoint:$*\\" > /w/out; exec sleep 3600", "ep"]\nCMD ["image-cmd"]\n`,
    });
    const prefix = `e2ek8s-rt-${process.pid}`;
    const stateDir = join(repoRoot, 'tmp', 'e2e-k8s', prefix);
    mkdirSync(stateDir, { recursive: true });
    cluster = new Cluster({ prefix, stateDir, log: () => undefined });
    await cluster.start();
    const writer = (name: string, fsGroup?: number) => ({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name, namespace: 'rt' },
      spec: {
        replicas: 1,
        serviceName: name,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            terminationGracePeriodSeconds: 1,
            securityContext: { runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true, ...(fsGroup ? { fsGroup } : {}) },
            containers: [{ name: 'w', image: SHELL_IMAGE, command: ['sh', '-c', 'echo x > /data/f && exec sleep 3600'], volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    });
    const ep = (name: string, c: object) => deployment(name, { volumes: [{ name: 'w', emptyDir: {} }], containers: [{ name: 'c', image: EP_IMAGE, volumeMounts: [{ name: 'w', mountPath: '/w' }], ...c }] });
    const server = `import http.server as h; h.HTTPServer(('', 8080), h.SimpleHTTPRequestHandler).serve_forever()`;
    const objects = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'rt' } },
      writer('no-fsgroup'),
      writer('with-fsgroup', 1000),
      deployment('root-image', { securityContext: { runAsNonRoot: true }, containers: [{ name: 'c', image: SHELL_IMAGE, command: ['sleep', '3600'] }] }),
      ep('ep-default', {}),
      ep('ep-args', { args: ['a1'] }),
      ep('ep-command', { command: ['/bin/sh', '-c', 'echo "command:$*" > /w/out; exec sleep 3600', 'c'] }),
      ep('ep-both', { command: ['/bin/sh', '-c', 'echo "command:$*" > /w/out; exec sleep 3600', 'c'], args: ['a1'] }),
      deployment('server', { containers: [{ name: 'c', image: PY_IMAGE, command: ['python3', '-c', server], ports: [{ containerPort: 8080 }], readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } }] }),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'server', namespace: 'rt' }, spec: { selector: { app: 'server' }, ports: [{ port: 8080 }] } },
      deployment('allowed', { containers: [{ name: 'c', image: PY_IMAGE, command: ['sleep', '3600'] }] }),
      deployment('other', { containers: [{ name: 'c', image: PY_IMAGE, command: ['sleep', '3600'] }] }),
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'server-from-allowed', namespace: 'rt' }, spec: { podSelector: { matchLabels: { app: 'server' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'allowed' } } }], ports: [{ port: 8080 }] }] } },
    ];
    const { objects: admitted } = admit(parseObjects(JSON.stringify({ kind: 'List', items: objects }), 'runner.test'));
    await cluster.apply(admitted);
  }, 5 * 60_000);

  afterAll(async () => {
    await cluster?.teardown();
  }, 2 * 60_000);

  test('a pod whose user cannot write its volume fails as on a cluster; fsGroup makes it writable', async () => {
    await waitFor('with-fsgroup ready', 120_000, () => pod('with-fsgroup-0')?.ready);
    await waitFor('no-fsgroup to crash', 120_000, () => (pod('no-fsgroup-0')?.statuses.get('w')?.restarts ?? 0) >= 1);
    expect(pod('no-fsgroup-0').ready).toBe(false);
    expect(cluster.events.join('\n')).toMatch(/no-fsgroup-0 w: exited [1-9]\d*, restart 1: .*Permission denied/);
  }, 3 * 60_000);

  test('runAsNonRoot refuses an image that runs as root', async () => {
    await waitFor('the kubelet error', 60_000, () => /image will run as root/.test(pod('root-image')?.statuses.get('c')?.reason ?? ''));
    expect(pod('root-image').ready).toBe(false);
  });

  test('command replaces ENTRYPOINT and drops CMD; args replace CMD', async () => {
    const out = async (name: string) => {
      await waitFor(name, 60_000, () => pod(name)?.ready);
      for (let i = 0; i < 20; i++) {
        const r = await pod(name).exec('c', ['cat', '/w/out']);
        if (r.code === 0) return r.stdout.trim();
        await sleep(500);
      }
      return 'no output';
    };
    expect(await out('ep-default')).toBe('entrypoint:image-cmd');
    expect(await out('ep-args')).toBe('entrypoint:a1');
    expect(await out('ep-command')).toBe('command:');
    expect(await out('ep-both')).toBe('command:a1');
  }, 3 * 60_000);

  test('a connection no NetworkPolicy allows is refused; the allowed one connects', async () => {
    await waitFor('server, allowed and other ready', 120_000, () => ['server', 'allowed', 'other'].every((n) => pod(n)?.ready));
    const connect = ['python3', '-c', "import socket\ntry:\n socket.create_connection(('server', 8080), 5); print('CONNECTED')\nexcept OSError as e: print(type(e).__name__)"];
    expect((await pod('allowed').exec('c', connect)).stdout.trim()).toBe('CONNECTED');
    expect((await pod('other').exec('c', connect)).stdout.trim()).toBe('ConnectionRefusedError');
  }, 3 * 60_000);
});
