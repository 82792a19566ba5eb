// A one-node "cluster" on the Docker engine: the API server's part (apply order, admission,
// Pod Security), the controllers' part (Deployment, StatefulSet, PVCs), the network's part
// (pod network, cluster DNS, NetworkPolicy) and the kubelet's part (./pod.ts).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { ClusterDns } from './dns';
import { routes, startRouter } from './ingress';
import { kindKey, matches, quantity, ref, type K8sObject } from './manifests';
import { HOOKS, rulesFor, type NetState, type PeerPod } from './netpol';
import { Pod } from './pod';
import { restrictedViolations } from './psa';
import { DOCKER, docker, run, sleep } from './sh';

export interface RunnerOptions {
  /** Prefix of every container, network and volume this cluster creates. */
  prefix: string;
  stateDir: string;
  /** Image mirror map (TODO_IMAGE_MIRRORS): the node's registry mirror for images not in the engine. */
  mirrors?: Record<string, string>;
  pauseImage?: string;
  log?: (line: string) => void;
}

interface Workload {
  obj: K8sObject;
  pods: Pod[];
  failedCreate?: string;
}

/** Pods that exist outside the applied manifests, as on minikube with the ingress addon. */
const SYSTEM_NAMESPACES: Record<string, Record<string, string>> = {
  'kube-system': { 'kubernetes.io/metadata.name': 'kube-system' },
  'ingress-nginx': { 'kubernetes.io/metadata.name': 'ingress-nginx' },
};
const CONTROLLER_LABELS = { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' };

export class Cluster {
  readonly events: string[] = [];
  readonly network: string;
  nodeIp = '';
  dnsIp = '';
  controllerIp = '';
  /** The ingress controller's node port (an http URL); Host headers select the rule. */
  ingressUrl = '';
  private readonly ingresses: K8sObject[] = [];
  private readonly namespaces: Record<string, Record<string, string>> = { ...SYSTEM_NAMESPACES };
  private readonly configMaps = new Map<string, Record<string, string>>();
  private readonly secrets = new Map<string, Record<string, string>>();
  private readonly services: K8sObject[] = [];
  private readonly policies: K8sObject[] = [];
  private readonly claims = new Map<string, string>();
  readonly workloads: Workload[] = [];
  private dns?: ClusterDns;
  private bridge = '';
  private reconciler?: NodeJS.Timeout;
  private syncing: Promise<void> = Promise.resolve();
  private readonly forwards: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private lastEviction = 0;
  private reconciling = false;

  constructor(readonly opts: RunnerOptions) {
    this.network = `${opts.prefix}-podnet`;
  }

  get prefix() {
    return this.opts.prefix;
  }
  get stateDir() {
    return this.opts.stateDir;
  }
  get pauseImage() {
    return this.opts.pauseImage ?? process.env.E2E_K8S_PAUSE_IMAGE ?? 'todo-offline/runtime:bookworm';
  }

  private log(line: string) {
    (this.opts.log ?? console.log)(line);
  }

  event(msg: string) {
    this.events.push(`${new Date().toISOString().slice(11, 19)} ${msg}`);
    this.log(`  event: ${msg}`);
  }

  /** The pod network, the node's address on it, and the cluster DNS on an address of its own. */
  async start(): Promise<void> {
    if (process.getuid?.() !== 0) throw new Error('the pod runner needs root: it programs iptables inside pod network namespaces (nsenter) and gives the cluster DNS an address');
    for (const tool of ['ip', 'nsenter', 'iptables-restore', 'mount']) {
      if ((await run('sh', ['-c', `command -v ${tool}`])).code !== 0) throw new Error(`the pod runner needs ${tool} (Debian: apt-get install -y iproute2 util-linux iptables mount)`);
    }
    await this.teardown(true);
    const id = await docker(['network', 'create', '--label', `e2e-k8s.run=${this.opts.prefix}`, this.network]);
    const ipam = JSON.parse(await docker(['network', 'inspect', '-f', '{{json .IPAM.Config}}', this.network]))[0];
    this.nodeIp = ipam.Gateway;
    const [a, b] = ipam.Subnet.split('.');
    // Docker hands out addresses from the bottom of the subnet; DNS takes one from the top.
    const top = (n: number) => (ipam.Subnet.endsWith('/16') ? `${a}.${b}.255.${n}` : ipam.Subnet.replace(/\.0\/\d+$/, `.${n}`));
    this.dnsIp = top(253);
    this.controllerIp = top(252);
    this.bridge = `br-${id.slice(0, 12)}`;
    for (const ip of [this.dnsIp, this.controllerIp]) {
      const r = await run('ip', ['addr', 'add', `${ip}/32`, 'dev', this.bridge]);
      if (r.code !== 0) throw new Error(`cannot give the cluster DNS and ingress controller addresses (${r.stderr.trim()}); the pod runner needs root`);
    }
    const router = await startRouter(
      () => routes(this.ingresses),
      (route) => {
        const svc = this.services.find((s) => s.metadata.name === route.service && (s.metadata.namespace ?? 'default') === route.namespace);
        return svc ? this.endpoints(svc)[0]?.ip : undefined;
      },
      this.controllerIp,
    );
    this.forwards.push(router.server);
    this.ingressUrl = router.url;
    this.dns = new ClusterDns((name) => this.lookup(name));
    await this.dns.listen(this.dnsIp);
    this.reconciler = setInterval(() => void this.reconcile(), 1000);
  }

  /** Objects in order, as `kubectl apply -f DIR` sends them; a namespaced object needs its namespace. */
  async apply(objects: K8sObject[]): Promise<void> {
    for (const o of objects) {
      const ns = o.metadata.namespace ?? 'default';
      if (o.kind !== 'Namespace' && !this.namespaces[ns] && ns !== 'default') throw new Error(`Error from server (NotFound): error when creating ${ref(o)}: namespaces "${ns}" not found`);
      const key = `${ns}/${o.metadata.name}`;
      switch (o.kind) {
        case 'Namespace':
          this.namespaces[o.metadata.name] = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name };
          break;
        case 'ConfigMap':
          this.configMaps.set(key, Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, String(v)])));
          break;
        case 'Secret':
          this.secrets.set(key, { ...Object.fromEntries(Object.entries(o.data ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString('utf8')])), ...(o.stringData ?? {}) });
          break;
        case 'Service':
          this.services.push(o);
          break;
        case 'NetworkPolicy':
          this.policies.push(o);
          await this.syncPolicies();
          break;
        case 'Ingress':
          this.ingresses.push(o);
          break;
        case 'PersistentVolumeClaim':
          await this.createClaim(ns, o.metadata.name);
          break;
        case 'Deployment':
        case 'StatefulSet':
          this.workloads.push({ obj: o, pods: [] });
          break;
        default:
          throw new Error(`unsupported: kind ${kindKey(o)}`);
      }
      this.log(`  ${o.kind.toLowerCase()}/${o.metadata.name} created`);
    }
    await this.reconcile();
  }

  configMap = (ns: string, name: string) => this.configMaps.get(`${ns}/${name}`);
  secret = (ns: string, name: string) => this.secrets.get(`${ns}/${name}`);

  /** A claim is a Docker volume: it outlives every pod that mounts it. Fresh, it is a new filesystem: root:root 0755. */
  private async createClaim(ns: string, name: string): Promise<string> {
    const key = `${ns}/${name}`;
    if (!this.claims.has(key)) {
      const vol = `${this.opts.prefix}-pvc-${ns}-${name}`;
      await docker(['volume', 'create', '--label', `e2e-k8s.run=${this.opts.prefix}`, vol]);
      const path = await docker(['volume', 'inspect', '-f', '{{.Mountpoint}}', vol]);
      await run('chmod', ['0755', path]);
      this.claims.set(key, path);
    }
    return this.claims.get(key)!;
  }

  async claimVolume(ns: string, claim: string): Promise<string | undefined> {
    return this.claims.get(`${ns}/${claim}`);
  }

  async resolveImage(image: string): Promise<string> {
    for (const candidate of [image, this.opts.mirrors?.[image]]) {
      if (candidate && (await run(DOCKER, ['image', 'inspect', candidate])).code === 0) return candidate;
    }
    throw new Error(`image ${image} is not in the engine${this.opts.mirrors ? ' nor in the mirror map' : ''} and the runner has no registry: build it first`);
  }

  get pods(): Pod[] {
    return this.workloads.flatMap((w) => w.pods);
  }

  /** Controllers: keep replicas, StatefulSet identities in order, PVCs from claim templates. */
  private async reconcile(): Promise<void> {
    // One pass at a time: a slow pass (a new claim's volume) must not create a pod twice.
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      await this.reconcileOnce();
    } finally {
      this.reconciling = false;
    }
  }

  private async reconcileOnce(): Promise<void> {
    for (const w of this.workloads) {
      w.pods = w.pods.filter((p) => !p.gone);
      const spec = w.obj.spec;
      const replicas = spec.replicas ?? 1;
      const ns = w.obj.metadata.namespace ?? 'default';
      if (w.obj.kind === 'Deployment') {
        while (w.pods.filter((p) => !p.deleted).length < replicas) {
          const hash = Buffer.from(JSON.stringify(spec.template)).toString('base64url').slice(-10).toLowerCase().replace(/[^a-z0-9]/g, 'x');
          if (!(await this.createPod(w, `${w.obj.metadata.name}-${hash}-${randomBytes(3).toString('hex').slice(0, 5)}`, undefined, {}))) break;
        }
      } else {
        for (let i = 0; i < replicas; i++) {
          const name = `${w.obj.metadata.name}-${i}`;
          const existing = w.pods.find((p) => p.name === name);
          if (existing) {
            if (!existing.ready && spec.podManagementPolicy !== 'Parallel') break;
            continue;
          }
          const claims: Record<string, string> = {};
          for (const t of spec.volumeClaimTemplates ?? []) {
            claims[t.metadata.name] = `${t.metadata.name}-${name}`;
            await this.createClaim(ns, claims[t.metadata.name]);
          }
          await this.createPod(w, name, spec.serviceName, claims);
          if (spec.podManagementPolicy !== 'Parallel') break;
        }
      }
    }
    await this.evictOverfullEmptyDirs();
  }

  private async createPod(w: Workload, name: string, subdomain: string | undefined, claims: Record<string, string>): Promise<boolean> {
    const ns = w.obj.metadata.namespace ?? 'default';
    const template = w.obj.spec.template;
    const level = this.namespaces[ns]?.['pod-security.kubernetes.io/enforce'];
    if (level === 'restricted') {
      const v = restrictedViolations(template.spec);
      if (v.length) {
        const msg = `FailedCreate: pods "${name}" is forbidden: violates PodSecurity "restricted:latest": ${v.join(', ')}`;
        if (w.failedCreate !== msg) this.event(`${ref(w.obj)}: ${msg}`);
        w.failedCreate = msg;
        return false;
      }
    }
    const pod = new Pod(this, ns, name, template.metadata?.labels ?? {}, template.spec, name, subdomain, claims);
    w.pods.push(pod);
    this.event(`pod ${ns}/${name} created by ${ref(w.obj)}`);
    void pod.start();
    return true;
  }

  /** The kubelet evicts a pod whose emptyDir outgrows its sizeLimit (checked every 10 s). */
  private async evictOverfullEmptyDirs(): Promise<void> {
    if (Date.now() - this.lastEviction < 10_000) return;
    this.lastEviction = Date.now();
    for (const pod of this.pods.filter((p) => !p.deleted)) {
      for (const v of pod.spec.volumes ?? []) {
        const dir = pod.volumeDir(v.name);
        if (!v.emptyDir?.sizeLimit || !dir || v.emptyDir.medium === 'Memory') continue;
        const used = Number((await run('du', ['-sb', dir])).stdout.split('\t')[0]);
        if (used > quantity(v.emptyDir.sizeLimit)) {
          this.event(`pod ${pod.namespace}/${pod.name}: Evicted: Usage of EmptyDir volume "${v.name}" exceeds the limit "${v.emptyDir.sizeLimit}"`);
          void this.deletePod(pod.namespace, pod.name);
        }
      }
    }
  }

  /** Cluster DNS: <svc>.<ns>.svc and <pod>.<svc>.<ns>.svc, ready pods only. */
  lookup(name: string): string[] | undefined {
    const parts = name.split('.');
    if (parts[parts.length - 1] !== 'svc') return undefined;
    if (parts.length === 3) {
      const svc = this.services.find((s) => s.metadata.name === parts[0] && (s.metadata.namespace ?? 'default') === parts[1]);
      if (!svc) return undefined;
      return this.endpoints(svc).map((p) => p.ip);
    }
    if (parts.length === 4) {
      const pod = this.pods.find((p) => p.hostname === parts[0] && p.subdomain === parts[1] && p.namespace === parts[2] && p.ready);
      return pod ? [pod.ip] : undefined;
    }
    return undefined;
  }

  endpoints(svc: K8sObject): Pod[] {
    const ns = svc.metadata.namespace ?? 'default';
    return this.pods.filter((p) => p.namespace === ns && p.ready && matches({ matchLabels: svc.spec.selector }, p.labels));
  }

  /** Called by each pod once its network namespace exists: hook the policy chains, then sync every pod. */
  async networkReady(pod: Pod): Promise<void> {
    await this.syncPolicies(); // declares this pod's chains before they are hooked in
    for (const hook of HOOKS) {
      const r = await run('nsenter', ['-t', String(pod.pid), '-n', 'iptables', '-w', ...hook.split(' ')]);
      if (r.code !== 0) throw new Error(`iptables in pod ${pod.name}: ${r.stderr.trim()}`);
    }
  }

  private netState(): NetState {
    const pods: PeerPod[] = this.pods.filter((p) => p.ip && !p.gone).map((p) => ({ namespace: p.namespace, name: p.name, labels: p.labels, ip: p.ip, ports: p.containerPorts }));
    pods.push({ namespace: 'kube-system', name: 'kube-dns', labels: { 'k8s-app': 'kube-dns' }, ip: this.dnsIp, ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }] });
    pods.push({ namespace: 'ingress-nginx', name: 'ingress-nginx-controller', labels: CONTROLLER_LABELS, ip: this.controllerIp, ports: [] });
    return { namespaces: this.namespaces, pods, policies: this.policies, nodeIp: this.nodeIp };
  }

  /** Rewrites every pod's policy chains (peer IPs change whenever a pod comes or goes). */
  syncPolicies(): Promise<void> {
    this.syncing = this.syncing.then(async () => {
      const state = this.netState();
      for (const pod of this.pods.filter((p) => p.pid && !p.gone)) {
        const rules = rulesFor({ namespace: pod.namespace, name: pod.name, labels: pod.labels, ip: pod.ip, ports: pod.containerPorts }, state);
        const ensure = await run('nsenter', ['-t', String(pod.pid), '-n', 'iptables-restore', '-w', '--noflush'], { input: rules });
        if (ensure.code !== 0 && !pod.deleted) this.event(`policy sync for ${pod.name} failed: ${ensure.stderr.trim()}`);
      }
    });
    return this.syncing;
  }

  async deletePod(ns: string, name: string): Promise<void> {
    const pod = this.pods.find((p) => p.namespace === ns && p.name === name && !p.deleted);
    if (!pod) throw new Error(`pods "${name}" not found`);
    this.event(`pod ${ns}/${name} deleted`);
    await pod.delete();
    await this.syncPolicies();
  }

  /** Every workload has its replicas ready (for minReadySeconds); throws with the pods' state. */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const waiting = this.workloads.filter((w) => {
        const min = (w.obj.spec.minReadySeconds ?? 0) * 1000;
        return w.pods.filter((p) => p.ready && p.readySince && Date.now() - p.readySince >= min).length < (w.obj.spec.replicas ?? 1);
      });
      if (!waiting.length) return;
      const failed = waiting.find((w) => w.failedCreate);
      if (failed) throw new Error(`${ref(failed.obj)}: ${failed.failedCreate}`);
      if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs / 1000} s: ${this.describe(waiting)}`);
      await sleep(500);
    }
  }

  describe(workloads = this.workloads): string {
    return workloads
      .map((w) => `${ref(w.obj)} [${w.pods.map((p) => `${p.name} ${p.phase}${p.reason ? ` (${p.reason})` : ''} ${[...p.statuses.values()].map((s) => `${s.name}:${s.ready ? 'ready' : 'not-ready'} restarts=${s.restarts}${s.reason ? ` ${s.reason}` : ''}`).join(' ')}`).join('; ') || 'no pods'}]`)
      .join('\n  ');
  }

  /** `kubectl port-forward svc/NAME`: connections enter a ready pod from the node. */
  async portForward(ns: string, service: string, port: number): Promise<string> {
    const svc = this.services.find((s) => s.metadata.name === service && (s.metadata.namespace ?? 'default') === ns);
    if (!svc) throw new Error(`services "${service}" not found`);
    const server = createServer((client) => {
      const pod = this.endpoints(svc)[0];
      if (!pod) return client.destroy();
      const upstream = connect({ host: pod.ip, port });
      client.pipe(upstream).pipe(client);
      // One side gone: the other gets its FIN (after what is in flight) and what it still sends is
      // discarded, then it goes after a short linger. Destroying it at once would reset it while its
      // peer is still sending (a server answering 413 mid-upload), and a reset can discard the answer.
      // It must go in the end: a deleted pod's address never answers a FIN, and a half-open socket
      // would keep the test process alive after teardown.
      this.sockets.add(client).add(upstream);
      for (const [a, b] of [[client, upstream], [upstream, client]]) {
        a.on('error', () => b.destroy());
        a.on('close', () => {
          this.sockets.delete(a);
          b.unpipe(a);
          b.resume();
          b.end();
          setTimeout(() => b.destroy(), 2_000).unref();
        });
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    this.forwards.push(server);
    const addr = server.address();
    return `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  }

  /** Removes every container, volume and network with this cluster's prefix. */
  async teardown(quiet = false): Promise<void> {
    if (this.reconciler) clearInterval(this.reconciler);
    for (const f of this.forwards) f.close();
    for (const sock of this.sockets) sock.destroy();
    this.dns?.close();
    for (const p of this.pods) p.deleted = true;
    const label = `label=e2e-k8s.run=${this.opts.prefix}`;
    // Twice: a container start already in flight when the pods were marked deleted lands late.
    for (const pass of [1, 2]) {
      const ids = (await run(DOCKER, ['ps', '-aq', '--filter', label])).stdout.split('\n').filter(Boolean);
      if (ids.length) await run(DOCKER, ['rm', '-f', '-v', ...ids]);
      if (pass === 1 && !quiet) await sleep(2000);
    }
    if (this.bridge) for (const ip of [this.dnsIp, this.controllerIp]) await run('ip', ['addr', 'del', `${ip}/32`, 'dev', this.bridge]);
    const vols = (await run(DOCKER, ['volume', 'ls', '-q', '--filter', label])).stdout.split('\n').filter(Boolean);
    if (vols.length) await run(DOCKER, ['volume', 'rm', '-f', ...vols]);
    const nets = (await run(DOCKER, ['network', 'ls', '-q', '--filter', label])).stdout.split('\n').filter(Boolean);
    if (nets.length) await run(DOCKER, ['network', 'rm', ...nets]);
    if (!quiet) this.log(`  cluster ${this.opts.prefix} removed`);
  }
}

export function loadMirrors(file = process.env.TODO_IMAGE_MIRRORS): Record<string, string> | undefined {
  return file ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}
