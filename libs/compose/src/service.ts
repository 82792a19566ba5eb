import { secretVariable, type ResolvedService, type ResolvedStack } from '@todo/service-spec';
import { posix } from 'node:path';
import { composeHealthCommand } from './health';
import { escapeDollars, secretInterpolation } from './secrets';

/** Compose durations are strings like "10s". */
const seconds = (n: number) => `${n}s`;
const literal = (values: readonly string[]) => values.map(escapeDollars);
const literalMap = (map: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(map).map(([k, v]) => [k, escapeDollars(v)]));

export type ComposeService = Record<string, unknown>;

/** Where the compose file is written, as its relative paths need it. */
export interface ComposeLayout {
  /** The repository root, relative to the compose file's directory. @default '..' (synth's docker/ under the repo root) */
  readonly repoRoot?: string;
}

/**
 * `build:` of an image built from this repository, so `up --build` builds it under
 * the image tag: the context relative to the compose file's directory (where
 * compose resolves it), the Dockerfile relative to the context (as compose reads
 * it), and the plan's build args (the base images, mirrors applied).
 */
function composeBuild(s: ResolvedService, layout: ComposeLayout): ComposeService | undefined {
  if (!s.build) return undefined;
  const { context, dockerfile, buildArgs } = s.build;
  return {
    context: escapeDollars(posix.join(layout.repoRoot ?? '..', context)),
    dockerfile: escapeDollars(posix.relative(context, dockerfile)),
    ...(Object.keys(buildArgs).length && { args: literalMap(buildArgs) }),
  };
}

/** Networks: one per service that others connect to, joined by it and by them, mirroring the NetworkPolicy edges. */
export function networkName(service: string): string {
  return `${service}-net`;
}

export function serviceNetworks(s: ResolvedService): string[] {
  const nets = s.connectsTo.map(networkName);
  if (s.connectedFrom.length) nets.push(networkName(s.name));
  return [...new Set(nets)].sort();
}

export function volumeName(s: ResolvedService, volume: string): string {
  return `${s.name}-${volume}`;
}

/** Where a config file is generated, relative to the compose file (so the bind works wherever the output goes). */
export function configFilePath(stack: ResolvedStack, s: ResolvedService, key: string): string {
  return `files/${stack.environment}/${s.name}/${key}`;
}

/** The host variable naming the file that holds a secret key, for secret files. */
export function secretFileVariable(ref: { secret: string; key: string }): string {
  return `${secretVariable(ref)}_FILE`;
}

function environment(s: ResolvedService): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of s.env) env[e.name] = escapeDollars(e.value);
  for (const ref of s.secrets) env[ref.name] = secretInterpolation(ref);
  return env;
}

/** Whether compose can tell that a service is healthy. */
export function hasComposeHealthcheck(s: ResolvedService): boolean {
  return composeHealthCommand(s) !== undefined;
}

function healthcheck(s: ResolvedService): Record<string, unknown> | undefined {
  const probe = s.readiness ?? s.liveness;
  const command = composeHealthCommand(s);
  if (!probe || !command) return undefined;
  const startPeriod = s.startup ? s.startup.periodSeconds * s.startup.failureThreshold : probe.initialDelaySeconds;
  return {
    test: ['CMD', ...literal(command)],
    interval: seconds(probe.periodSeconds),
    timeout: seconds(probe.timeoutSeconds),
    retries: probe.failureThreshold,
    start_period: seconds(Math.max(startPeriod, 5)),
  };
}

/**
 * Writable paths as tmpfs mounts owned by the service's uid/gid. `mode=1777`
 * alone is not enough: for a path the image already has, the engine copies the
 * image directory's mode up and leaves the mount root-owned (seen on Engine
 * 20.10 with docker-compose 1.29), so the process could not write there.
 */
function tmpfs(s: ResolvedService): string[] {
  return s.writablePaths.map((p) => `${p}:uid=${s.user.uid},gid=${s.user.gid},mode=1777`);
}

/** Persistent volumes, config files (read-only binds of generated files) and secret files (read-only binds of host files). */
function mounts(stack: ResolvedStack, s: ResolvedService): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = s.volumes.map((v) => ({ type: 'volume', source: volumeName(s, v.name), target: v.mountPath }));
  for (const f of s.files) {
    if (f.secret) {
      const v = secretFileVariable(f.secret);
      out.push({ type: 'bind', source: `\${${v}:?set ${v} to a file holding secret ${f.secret.secret} key ${f.secret.key}}`, target: f.path, read_only: true });
    } else {
      out.push({ type: 'bind', source: `./${configFilePath(stack, s, f.key)}`, target: f.path, read_only: true });
    }
  }
  return out;
}

/** Hardening every container gets, matching the Kubernetes restricted profile. */
function hardening(s: ResolvedService): ComposeService {
  return {
    user: `${s.user.uid}:${s.user.gid}`,
    read_only: s.readOnlyRootFilesystem,
    cap_drop: ['ALL'],
    security_opt: ['no-new-privileges:true'],
    ...(s.writablePaths.length && { tmpfs: tmpfs(s) }),
    cpus: s.resources.cpuMillis.limit / 1000,
    mem_limit: `${s.resources.memoryMiB.limit}m`,
    mem_reservation: `${s.resources.memoryMiB.request}m`,
  };
}

const CONDITION = { healthy: 'service_healthy', started: 'service_started', completed: 'service_completed_successfully' } as const;

/** The compose condition of each dependency; "healthy" on a service compose cannot check falls back to "started" (a parity line says so). */
export function composeDependsOn(stack: ResolvedStack, s: ResolvedService): Record<string, { condition: string }> {
  const byName = new Map(stack.services.map((x) => [x.name, x]));
  const deps: Record<string, { condition: string }> = {};
  for (const d of s.dependsOn) {
    const healthy = d.condition === 'healthy' && !hasComposeHealthcheck(byName.get(d.service)!);
    deps[d.service] = { condition: healthy ? CONDITION.started : CONDITION[d.condition] };
  }
  return deps;
}

export function migrationServiceName(s: ResolvedService): string {
  return `${s.name}-migrate`;
}

const RESTART = { always: 'unless-stopped', 'on-failure': 'on-failure', never: 'no' } as const;

/** Compose restart; a job retries as often as Kubernetes' backoffLimit allows. */
function restart(s: ResolvedService): string {
  return s.job && s.restart === 'on-failure' ? `on-failure:${s.job.backoffLimit}` : RESTART[s.restart];
}

function labels(stack: ResolvedStack, s: ResolvedService, component: string, name = s.name): Record<string, string> {
  // Compose has no annotations: they travel as labels, like the spec's own labels.
  return { ...literalMap(s.annotations), ...literalMap(s.labels), 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': stack.name, 'app.kubernetes.io/component': component };
}

/**
 * Bounded logs. Docker's default json-file driver never rotates, so a long-running
 * stack fills the disk; the local driver rotates (here 3 files of 10 MiB, as the
 * kubelet does for Kubernetes' containers) and `docker compose logs` reads it as before.
 * A stack that ships json-file logs sets its own `logging` through patches.compose.
 */
export const LOGGING = { driver: 'local', options: { 'max-size': '10m', 'max-file': '3' } } as const;

/**
 * Compose profiles: the service's own while no profile of it is enabled in this environment
 * (compose then starts it only with `--profile`), and `scheduled-jobs` for a scheduled job.
 */
function profiles(s: ResolvedService, scheduled: boolean): string[] {
  return [...new Set([...(s.onRequest ? s.profiles : []), ...(scheduled ? ['scheduled-jobs'] : [])])];
}

/** The service (long-running, or a job). */
export function composeService(stack: ResolvedStack, s: ResolvedService, layout: ComposeLayout = {}): ComposeService {
  const env = environment(s);
  const deps = composeDependsOn(stack, s);
  if (s.migration) deps[migrationServiceName(s)] = { condition: CONDITION.completed };
  const published = s.ports.filter((p) => p.hostPort !== undefined);
  const volumes = mounts(stack, s);
  return {
    image: s.image,
    ...(s.build && { build: composeBuild(s, layout) }),
    ...(s.entrypoint && { entrypoint: literal(s.entrypoint) }),
    ...(s.command && { command: literal(s.command) }),
    ...(Object.keys(env).length && { environment: env }),
    ...(published.length && {
      ports: published.map((p) => `${p.hostAddress}:${p.hostPort}:${p.port}${p.protocol === 'UDP' ? '/udp' : ''}`),
    }),
    ...(healthcheck(s) && { healthcheck: healthcheck(s) }),
    ...(Object.keys(deps).length && { depends_on: deps }),
    ...(volumes.length && { volumes }),
    networks: serviceNetworks(s),
    // A quoted "no": YAML 1.1 readers (compose v1) turn a bare no into false.
    restart: restart(s),
    // Compose cannot schedule: a scheduled job is left out of `up` and run by hand (`run --rm <job>`).
    ...(profiles(s, s.job?.schedule !== undefined).length && { profiles: profiles(s, s.job?.schedule !== undefined) }),
    ...(!s.job && { stop_grace_period: '30s' }),
    labels: labels(stack, s, s.role),
    logging: LOGGING,
    ...hardening(s),
  };
}

/** The one-shot migration that must succeed before the service starts. */
export function composeMigration(stack: ResolvedStack, s: ResolvedService, layout: ComposeLayout = {}): ComposeService {
  const deps = composeDependsOn(stack, s);
  const env = environment(s);
  const volumes = mounts(stack, s).filter((m) => m.type === 'bind');
  return {
    image: s.image,
    ...(s.build && { build: composeBuild(s, layout) }),
    ...(s.migration!.entrypoint && { entrypoint: literal(s.migration!.entrypoint) }),
    command: literal(s.migration!.command),
    ...(Object.keys(env).length && { environment: env }),
    ...(Object.keys(deps).length && { depends_on: deps }),
    ...(volumes.length && { volumes }),
    networks: s.connectsTo.map(networkName).sort(),
    // Started with its service: a profile that leaves the service out of `up` leaves its migration out too.
    ...(profiles(s, false).length && { profiles: profiles(s, false) }),
    restart: 'no',
    labels: labels(stack, s, 'migration', migrationServiceName(s)),
    logging: LOGGING,
    ...hardening(s),
  };
}
