// One pod on the Docker engine, as the kubelet runs it: a pause container holds the network
// and IPC namespaces; init containers run in order to completion; app containers are
// restarted with back-off when they exit or fail liveness; probes decide readiness.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { quantity } from './manifests';
import { DOCKER, docker, idle as sleep, run } from './sh';
import { applyFsGroup, makeEmptyDir, writeKeyFiles } from './volumes';

export interface PodHost {
  prefix: string;
  network: string;
  stateDir: string;
  dnsIp: string;
  pauseImage: string;
  configMap(ns: string, name: string): Record<string, string> | undefined;
  secret(ns: string, name: string): Record<string, string> | undefined;
  claimVolume(ns: string, claim: string): Promise<string | undefined>;
  resolveImage(ref: string): Promise<string>;
  networkReady(pod: Pod): Promise<void>;
  event(msg: string): void;
}

export interface ContainerStatus {
  name: string;
  id?: string;
  started: boolean;
  ready: boolean;
  restarts: number;
  lastExit?: number;
  reason?: string;
}

class ConfigError extends Error {}

const BACKOFF_START_S = Number(process.env.E2E_K8S_BACKOFF_S ?? 10);

export class Pod {
  ip = '';
  pid = 0;
  pauseId = '';
  deleted = false;
  gone = false;
  phase: 'Pending' | 'Running' | 'Terminating' = 'Pending';
  reason = 'ContainerCreating';
  readySince = 0;
  readonly statuses = new Map<string, ContainerStatus>();
  private readonly volumeDirs = new Map<string, { dir: string; tmpfs?: boolean }>();
  private readonly dir: string;

  constructor(
    private readonly host: PodHost,
    readonly namespace: string,
    readonly name: string,
    readonly labels: Record<string, string>,
    readonly spec: any,
    readonly hostname: string,
    readonly subdomain: string | undefined,
    readonly claims: Record<string, string> = {},
  ) {
    this.dir = join(host.stateDir, 'pods', `${namespace}_${name}_${Date.now()}`);
    for (const c of spec.containers) this.statuses.set(c.name, { name: c.name, started: false, ready: false, restarts: 0 });
  }

  get containerPorts() {
    return this.spec.containers.flatMap((c: any) => c.ports ?? []);
  }

  get ready(): boolean {
    return !this.deleted && this.phase === 'Running' && [...this.statuses.values()].every((s) => s.ready);
  }

  private cname(container: string) {
    return `${this.host.prefix}-${this.namespace}-${this.name}-${container}`.slice(0, 120);
  }

  async start(): Promise<void> {
    try {
      await this.startPause();
      await this.host.networkReady(this);
      await this.retryConfig('volumes', () => this.prepareVolumes());
      for (const c of this.spec.initContainers ?? []) await this.runInit(c);
      if (this.deleted) return;
      this.phase = 'Running';
      this.reason = '';
      await Promise.all(this.spec.containers.map((c: any) => this.supervise(c)));
    } catch (error) {
      if (!this.deleted) this.host.event(`pod ${this.namespace}/${this.name}: ${(error as Error).message}`);
      this.reason = (error as Error).message;
    }
  }

  private async startPause(): Promise<void> {
    const name = this.cname('pause');
    this.pauseId = await docker(['run', '-d', '-i', '--name', name, '--label', `e2e-k8s.run=${this.host.prefix}`, '--network', this.host.network, '--hostname', this.hostname, '--ipc', 'shareable', '--cap-drop', 'ALL', '--read-only', '--user', '65535:65535', '--security-opt', 'no-new-privileges', '--entrypoint', 'sh', this.host.pauseImage, '-c', 'read _']);
    const info = await docker(['inspect', '-f', `{{(index .NetworkSettings.Networks "${this.host.network}").IPAddress}} {{.State.Pid}}`, this.pauseId]);
    const [ip, pid] = info.split(' ');
    this.ip = ip;
    this.pid = Number(pid);
    mkdirSync(this.dir, { recursive: true });
    const resolv = `nameserver ${this.host.dnsIp}\nsearch ${this.namespace}.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n`;
    writeKeyFiles(join(this.dir, 'etc'), { 'resolv.conf': resolv }, undefined, 0o644);
  }

  /** Missing ConfigMaps, Secrets and claims are waited for, as the kubelet retries them. */
  private async retryConfig(what: string, fn: () => Promise<void>): Promise<void> {
    for (;;) {
      if (this.deleted) throw new Error('deleted');
      try {
        return await fn();
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        if (this.reason !== error.message) this.host.event(`pod ${this.namespace}/${this.name}: ${what}: ${error.message}`);
        this.reason = error.message;
        await sleep(2000);
      }
    }
  }

  private async prepareVolumes(): Promise<void> {
    const sc = this.spec.securityContext ?? {};
    for (const v of this.spec.volumes ?? []) {
      if (this.volumeDirs.has(v.name)) continue;
      const dir = join(this.dir, 'volumes', v.name);
      let readOnly = false;
      let tmpfs = false;
      if (v.emptyDir) {
        makeEmptyDir(dir);
        if (v.emptyDir.medium === 'Memory') {
          const size = v.emptyDir.sizeLimit ? `,size=${quantity(v.emptyDir.sizeLimit)}` : '';
          const r = await run('mount', ['-t', 'tmpfs', '-o', `mode=0777${size}`, 'tmpfs', dir]);
          if (r.code !== 0) throw new Error(`emptyDir ${v.name}: mount tmpfs: ${r.stderr}`);
          tmpfs = true;
        }
      } else if (v.configMap || v.secret) {
        const src = v.configMap ?? v.secret;
        const refName = v.configMap ? src.name : src.secretName;
        const data = v.configMap ? this.host.configMap(this.namespace, refName) : this.host.secret(this.namespace, refName);
        if (!data && !src.optional) throw new ConfigError(`MountVolume.SetUp failed for volume "${v.name}": ${v.configMap ? 'configmap' : 'secret'} "${refName}" not found`);
        const missing = writeKeyFiles(dir, data ?? {}, src.items, src.defaultMode ?? 0o644);
        if (missing && !src.optional) throw new ConfigError(`MountVolume.SetUp failed for volume "${v.name}": ${missing}`);
        readOnly = true;
      } else if (v.persistentVolumeClaim) {
        const claim = v.persistentVolumeClaim.claimName;
        const path = await this.host.claimVolume(this.namespace, claim);
        if (!path) throw new ConfigError(`persistentvolumeclaim "${claim}" not found`);
        this.volumeDirs.set(v.name, { dir: path });
        if (sc.fsGroup !== undefined) applyFsGroup(path, sc.fsGroup, sc.fsGroupChangePolicy, false);
        continue;
      }
      if (sc.fsGroup !== undefined) applyFsGroup(dir, sc.fsGroup, sc.fsGroupChangePolicy, readOnly);
      this.volumeDirs.set(v.name, { dir, tmpfs });
    }
    for (const [tpl, claim] of Object.entries(this.claims)) {
      const path = await this.host.claimVolume(this.namespace, claim);
      if (!path) throw new ConfigError(`persistentvolumeclaim "${claim}" not found`);
      if (sc.fsGroup !== undefined) applyFsGroup(path, sc.fsGroup, sc.fsGroupChangePolicy, false);
      this.volumeDirs.set(tpl, { dir: path });
    }
  }

  /** env and envFrom resolved as the kubelet does: envFrom first, env overrides, $(VAR) expanded. */
  private resolveEnv(c: any): Record<string, string> {
    const env: Record<string, string> = {};
    for (const from of c.envFrom ?? []) {
      const r = from.configMapRef ?? from.secretRef;
      const data = from.configMapRef ? this.host.configMap(this.namespace, r.name) : this.host.secret(this.namespace, r.name);
      if (!data) {
        if (r.optional) continue;
        throw new ConfigError(`CreateContainerConfigError: ${from.configMapRef ? 'configmap' : 'secret'} "${r.name}" not found`);
      }
      for (const [k, v] of Object.entries(data)) if (/^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(`${from.prefix ?? ''}${k}`)) env[`${from.prefix ?? ''}${k}`] = v;
    }
    for (const e of c.env ?? []) {
      if (e.value !== undefined) env[e.name] = expand(String(e.value), env);
      else if (e.valueFrom?.secretKeyRef || e.valueFrom?.configMapKeyRef) {
        const r = e.valueFrom.secretKeyRef ?? e.valueFrom.configMapKeyRef;
        const kind = e.valueFrom.secretKeyRef ? 'secret' : 'configmap';
        const data = kind === 'secret' ? this.host.secret(this.namespace, r.name) : this.host.configMap(this.namespace, r.name);
        if (!data || !(r.key in data)) {
          if (r.optional) continue;
          throw new ConfigError(`CreateContainerConfigError: ${!data ? `${kind} "${r.name}" not found` : `couldn't find key ${r.key} in ${kind === 'secret' ? 'Secret' : 'ConfigMap'} ${this.namespace}/${r.name}`}`);
        }
        env[e.name] = data[r.key];
      } else if (e.valueFrom?.fieldRef) {
        const f = e.valueFrom.fieldRef.fieldPath;
        env[e.name] = f === 'metadata.name' ? this.name : f === 'metadata.namespace' ? this.namespace : f === 'status.podIP' ? this.ip : 'e2e-k8s-node';
      } else env[e.name] = '';
    }
    return env;
  }

  /** `docker run` arguments that give the container spec its kubelet meaning. */
  private async runArgs(c: any, env: Record<string, string>, name: string): Promise<string[]> {
    const image = await this.host.resolveImage(c.image).catch((e) => {
      throw new ConfigError(`ErrImageNeverPull: ${e.message}`);
    });
    const cfg = JSON.parse(await docker(['image', 'inspect', '-f', '{{json .Config}}', image]));
    const args = ['run', '-d', '--name', name, '--label', `e2e-k8s.run=${this.host.prefix}`, '--network', `container:${this.pauseId}`, '--ipc', `container:${this.pauseId}`];
    args.push(...securityArgs(this.spec.securityContext ?? {}, c.securityContext ?? {}, String(cfg.User ?? '')));
    const limits = c.resources?.limits ?? {};
    if (limits.cpu !== undefined) args.push('--cpus', String(quantity(limits.cpu)));
    if (limits.memory !== undefined) args.push('--memory', String(quantity(limits.memory)), '--memory-swap', String(quantity(limits.memory)));
    for (const k of Object.keys(env)) args.push('-e', k); // values come from the client's environment, never argv
    args.push('--mount', `type=bind,src=${join(this.dir, 'etc', 'resolv.conf')},dst=/etc/resolv.conf,readonly`);
    for (const m of c.volumeMounts ?? []) {
      const vol = this.volumeDirs.get(m.name);
      if (!vol) throw new Error(`volumeMounts ${m.name}: no volume of that name in the pod`);
      let src = vol.dir;
      if (m.subPath) {
        src = join(vol.dir, m.subPath);
        if (!existsSync(src)) mkdirSync(src, { recursive: true }); // the kubelet creates a missing subPath as a directory
      }
      const ro = mountReadOnly(m, this.spec.volumes ?? []);
      args.push('--mount', `type=bind,src=${src},dst=${m.mountPath}${ro ? ',readonly' : ''}`);
    }
    if (c.workingDir) args.push('--workdir', c.workingDir);
    return [...args, ...processArgs(image, c.command, c.args, env)];
  }

  private async startContainer(c: any): Promise<string> {
    const name = this.cname(c.name);
    // -v: an image VOLUME (anonymous, as containerd makes one per container) goes with its container.
    await run(DOCKER, ['rm', '-f', '-v', name]);
    const env = this.resolveEnv(c);
    const args = await this.runArgs(c, env, name);
    return docker(args, { env: { ...process.env, ...env } });
  }

  private async runInit(c: any): Promise<void> {
    let backoff = BACKOFF_START_S;
    for (;;) {
      if (this.deleted) return;
      this.reason = `Init:${c.name}`;
      let id: string;
      try {
        id = await this.startContainer(c);
      } catch (error) {
        const config = error instanceof ConfigError;
        this.reason = config ? (error as Error).message : `Init:RunContainerError: ${(error as Error).message}`;
        await sleep(config ? 2000 : backoff * 1000);
        if (!config) backoff = Math.min(backoff * 2, 300);
        continue;
      }
      const code = Number((await run(DOCKER, ['wait', id])).stdout.trim());
      if (code === 0) return this.host.event(`pod ${this.namespace}/${this.name}: init container ${c.name} completed`);
      const logs = await run(DOCKER, ['logs', '--tail', '5', id]);
      this.host.event(`pod ${this.namespace}/${this.name}: init container ${c.name} exited ${code}: ${(logs.stdout + logs.stderr).trim().split('\n').slice(-3).join(' | ')}`);
      this.reason = `Init:CrashLoopBackOff (${c.name} exited ${code})`;
      await sleep(backoff * 1000);
      backoff = Math.min(backoff * 2, 300);
    }
  }

  private async supervise(c: any): Promise<void> {
    const status = this.statuses.get(c.name)!;
    let backoff = BACKOFF_START_S;
    while (!this.deleted) {
      try {
        status.id = await this.startContainer(c);
      } catch (error) {
        const message = (error as Error).message;
        if (status.reason !== message) this.host.event(`pod ${this.namespace}/${this.name} ${c.name}: ${message}`);
        if (error instanceof ConfigError) {
          status.reason = message;
          await sleep(2000);
          continue;
        }
        // The runtime could not start the process (e.g. a command that is not in the image): RunContainerError, then back-off.
        status.reason = `RunContainerError: ${message}`;
        status.restarts++;
        await sleep(backoff * 1000);
        backoff = Math.min(backoff * 2, 300);
        continue;
      }
      status.reason = undefined;
      const startedAt = Date.now();
      const alive = { value: true };
      void this.probe(c, status, alive);
      const code = Number((await run(DOCKER, ['wait', status.id])).stdout.trim());
      alive.value = false;
      status.ready = false;
      status.started = false;
      this.readySince = 0;
      if (this.deleted) return;
      const oom = (await run(DOCKER, ['inspect', '-f', '{{.State.OOMKilled}}', status.id])).stdout.trim() === 'true';
      const logs = await run(DOCKER, ['logs', '--tail', '5', status.id]);
      // The status and its event change together: a reader that sees the restart sees why.
      status.restarts++;
      status.lastExit = code;
      status.reason = `CrashLoopBackOff: exited ${code}${oom ? ' (OOMKilled)' : ''}`;
      this.host.event(`pod ${this.namespace}/${this.name} ${c.name}: exited ${code}${oom ? ' OOMKilled' : ''}, restart ${status.restarts}: ${(logs.stdout + logs.stderr).trim().split('\n').slice(-3).join(' | ')}`);
      if (Date.now() - startedAt > 600_000) backoff = BACKOFF_START_S;
      await sleep(backoff * 1000);
      backoff = Math.min(backoff * 2, 300);
    }
  }

  private async probe(c: any, status: ContainerStatus, alive: { value: boolean }): Promise<void> {
    const kill = async (why: string) => {
      this.host.event(`pod ${this.namespace}/${this.name} ${c.name}: ${why}, killing the container`);
      alive.value = false;
      await run(DOCKER, ['stop', '-t', String(this.spec.terminationGracePeriodSeconds ?? 30), status.id!]);
    };
    if (c.startupProbe) {
      const ok = await this.until(c.startupProbe, c, alive);
      if (!alive.value) return;
      if (!ok) return kill(`startup probe failed ${c.startupProbe.failureThreshold ?? 3} times`);
    }
    status.started = true;
    if (!c.readinessProbe) this.markReady(status, true);
    else void this.loop(c.readinessProbe, c, alive, (ok) => this.markReady(status, ok));
    if (c.livenessProbe) {
      let failures = 0;
      await this.loop(c.livenessProbe, c, alive, async (ok) => {
        failures = ok ? 0 : failures + 1;
        if (failures >= (c.livenessProbe.failureThreshold ?? 3)) await kill(`liveness probe failed ${failures} times`);
      });
    }
  }

  private markReady(status: ContainerStatus, ok: boolean): void {
    status.ready = ok;
    if (this.ready && !this.readySince) this.readySince = Date.now();
    if (!this.ready) this.readySince = 0;
  }

  /** Startup probe: polls until success (true) or failureThreshold failures (false). */
  private async until(p: any, c: any, alive: { value: boolean }): Promise<boolean> {
    await sleep((p.initialDelaySeconds ?? 0) * 1000);
    let failures = 0;
    while (alive.value) {
      if (await this.check(p, c)) return true;
      if (++failures >= (p.failureThreshold ?? 3)) return false;
      await sleep((p.periodSeconds ?? 10) * 1000);
    }
    return false;
  }

  /** Readiness and liveness: thresholds of consecutive results, every periodSeconds. */
  private async loop(p: any, c: any, alive: { value: boolean }, report: (ok: boolean) => void | Promise<void>): Promise<void> {
    await sleep((p.initialDelaySeconds ?? 0) * 1000);
    let ok = 0;
    let bad = 0;
    let state: boolean | undefined;
    while (alive.value && !this.deleted) {
      const r = await this.check(p, c);
      if (!alive.value) return;
      ok = r ? ok + 1 : 0;
      bad = r ? 0 : bad + 1;
      if (r && ok >= (p.successThreshold ?? 1) && state !== true) state = true;
      if (!r && bad >= (p.failureThreshold ?? 3) && state !== false) state = false;
      if (!r && state === undefined) state = false;
      await report(state === undefined ? r : state);
      await sleep((p.periodSeconds ?? 10) * 1000);
    }
  }

  private port(c: any, port: number | string): number {
    if (typeof port === 'number') return port;
    const found = (c.ports ?? []).find((p: any) => p.name === port);
    if (!found) throw new Error(`probe port ${port}: no container port of that name`);
    return found.containerPort;
  }

  /** One probe attempt from the node, bounded by timeoutSeconds. */
  async check(p: any, c: any): Promise<boolean> {
    const timeoutMs = (p.timeoutSeconds ?? 1) * 1000;
    if (p.exec) {
      const r = await run(DOCKER, ['exec', this.cname(c.name), ...p.exec.command], { timeoutMs });
      return r.code === 0;
    }
    if (p.tcpSocket) {
      return new Promise((resolve) => {
        const s = connect({ host: this.ip, port: this.port(c, p.tcpSocket.port), timeout: timeoutMs });
        s.on('connect', () => (s.destroy(), resolve(true)));
        s.on('error', () => resolve(false));
        s.on('timeout', () => (s.destroy(), resolve(false)));
      });
    }
    const g = p.httpGet;
    return new Promise((resolve) => {
      const headers = Object.fromEntries((g.httpHeaders ?? []).map((h: any) => [h.name, h.value]));
      const req = (g.scheme === 'HTTPS' ? httpsRequest : httpRequest)({ host: this.ip, port: this.port(c, g.port), path: g.path ?? '/', method: 'GET', headers: { 'user-agent': 'kube-probe/1.32', ...headers }, timeout: timeoutMs, rejectUnauthorized: false } as any, (res) => {
        res.resume();
        resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 400);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => (req.destroy(), resolve(false)));
      req.end();
    });
  }

  /** Graceful delete: out of the Service at once, SIGTERM, SIGKILL after the grace period. */
  async delete(): Promise<void> {
    this.deleted = true;
    this.phase = 'Terminating';
    const grace = String(this.spec.terminationGracePeriodSeconds ?? 30);
    const names = [...this.spec.containers, ...(this.spec.initContainers ?? [])].map((c: any) => this.cname(c.name));
    await Promise.all(names.map((n) => run(DOCKER, ['stop', '-t', grace, n])));
    await run(DOCKER, ['rm', '-f', '-v', ...names, this.cname('pause')]);
    for (const v of this.volumeDirs.values()) if (v.tmpfs) await run('umount', [v.dir]);
    rmSync(join(this.dir), { recursive: true, force: true });
    this.gone = true;
  }

  async exec(container: string, argv: string[], timeoutMs = 30_000) {
    return run(DOCKER, ['exec', this.cname(container), ...argv], { timeoutMs });
  }

  volumeDir(name: string): string | undefined {
    return this.volumeDirs.get(name)?.dir;
  }
}

/**
 * The pod and container securityContext as `docker run` options, refusing what the kubelet
 * refuses: runAsNonRoot with uid 0, or with an image user that is root or not numeric.
 */
export function securityArgs(psc: any, sc: any, imageUserSpec: string): string[] {
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  const runAsGroup = sc.runAsGroup ?? psc.runAsGroup;
  const nonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
  const imageUser = imageUserSpec.split(':')[0];
  if (nonRoot) {
    if (runAsUser === 0) throw new ConfigError("CreateContainerConfigError: container's runAsUser breaks non-root policy");
    if (runAsUser === undefined) {
      if (imageUser === '' || imageUser === '0' || imageUser === 'root') throw new ConfigError('CreateContainerConfigError: container has runAsNonRoot and image will run as root');
      if (!/^\d+$/.test(imageUser)) throw new ConfigError(`CreateContainerConfigError: container has runAsNonRoot and image has non-numeric user (${imageUser}), cannot verify user is non-root`);
    }
  }
  const args: string[] = [];
  if (runAsUser !== undefined || runAsGroup !== undefined) args.push('--user', `${runAsUser ?? (imageUser || 0)}${runAsGroup !== undefined ? `:${runAsGroup}` : ''}`);
  for (const g of [psc.fsGroup, ...(psc.supplementalGroups ?? [])]) if (g !== undefined) args.push('--group-add', String(g));
  if (sc.readOnlyRootFilesystem) args.push('--read-only');
  if (sc.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
  for (const cap of sc.capabilities?.drop ?? []) args.push('--cap-drop', cap);
  for (const cap of sc.capabilities?.add ?? []) args.push('--cap-add', cap);
  // The kubelet's default (no SeccompDefault) is Unconfined; RuntimeDefault is Docker's profile.
  const seccomp = sc.seccompProfile?.type ?? psc.seccompProfile?.type ?? 'Unconfined';
  if (seccomp === 'Unconfined') args.push('--security-opt', 'seccomp=unconfined');
  return args;
}

/**
 * The tail of `docker run` for a container's command and args: command replaces the image's
 * ENTRYPOINT and with it its CMD (Docker clears CMD when --entrypoint is given); args alone
 * replace CMD and keep ENTRYPOINT; neither keeps both. $(VAR) is expanded in each word.
 */
export function processArgs(image: string, command: string[] | undefined, args: string[] | undefined, env: Record<string, string>): string[] {
  const cmd = (command ?? []).map((s) => expand(s, env));
  const cargs = (args ?? []).map((s) => expand(s, env));
  return cmd.length ? ['--entrypoint', cmd[0], image, ...cmd.slice(1), ...cargs] : [image, ...cargs];
}

/** A mount is read-only when it says so, when its volume is a ConfigMap or Secret, or when its claim is mounted readOnly. */
export function mountReadOnly(mount: { name: string; readOnly?: boolean }, volumes: any[]): boolean {
  return !!mount.readOnly || volumes.some((v) => v.name === mount.name && (v.configMap || v.secret || v.persistentVolumeClaim?.readOnly === true));
}

/** $(VAR) expands to an earlier variable; $$(VAR) is a literal $(VAR); unknown names stay. */
export function expand(s: string, env: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([-._a-zA-Z0-9]+)\)/g, (m, name) => (m === '$$' ? '$' : name in env ? env[name] : m));
}
