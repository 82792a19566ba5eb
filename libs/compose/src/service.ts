import type { ResolvedService, ResolvedStack } from '@todo/service-spec';
import { escapeDollars, secretInterpolation } from './secrets';

/** Compose durations are strings like "10s". */
const seconds = (n: number) => `${n}s`;

export type ComposeService = Record<string, unknown>;

/** Networks: one per service that others depend on, joined by it and its dependents, mirroring the NetworkPolicy edges. */
export function networkName(service: string): string {
  return `${service}-net`;
}

export function serviceNetworks(s: ResolvedService): string[] {
  const nets = s.dependsOn.map(networkName);
  if (s.dependents.length) nets.push(networkName(s.name));
  return [...new Set(nets)].sort();
}

export function volumeName(s: ResolvedService, volume: string): string {
  return `${s.name}-${volume}`;
}

function environment(s: ResolvedService): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of s.env) env[e.name] = escapeDollars(e.value);
  for (const ref of s.secrets) env[ref.name] = secretInterpolation(ref);
  return env;
}

function healthcheck(s: ResolvedService): Record<string, unknown> | undefined {
  const probe = s.readiness ?? s.liveness;
  if (!probe || !s.composeHealthCommand) return undefined;
  const startPeriod = s.startup ? s.startup.periodSeconds * s.startup.failureThreshold : probe.initialDelaySeconds;
  return {
    test: ['CMD', ...s.composeHealthCommand],
    interval: seconds(probe.periodSeconds),
    timeout: seconds(probe.timeoutSeconds),
    retries: probe.failureThreshold,
    start_period: seconds(Math.max(startPeriod, 5)),
  };
}

/** Hardening every container gets, matching the Kubernetes restricted profile. */
function hardening(s: ResolvedService): ComposeService {
  return {
    user: `${s.user.uid}:${s.user.gid}`,
    read_only: s.readOnlyRootFilesystem,
    cap_drop: ['ALL'],
    security_opt: ['no-new-privileges:true'],
    // Owned by the service's uid/gid: when the image already has the directory, runc gives the
    // tmpfs that directory's mode (e.g. 755) after mounting it root-owned, so mode=1777 alone
    // left the frontend's /app/.next/cache unwritable for uid 1000.
    ...(s.writablePaths.length && { tmpfs: s.writablePaths.map((p) => `${p}:uid=${s.user.uid},gid=${s.user.gid},mode=1777`) }),
    cpus: s.resources.cpuMillis.limit / 1000,
    mem_limit: `${s.resources.memoryMiB.limit}m`,
    mem_reservation: `${s.resources.memoryMiB.request}m`,
  };
}

function dependsOn(s: ResolvedService): Record<string, { condition: string }> | undefined {
  const deps: Record<string, { condition: string }> = {};
  for (const d of s.dependsOn) deps[d] = { condition: 'service_healthy' };
  if (s.migration) deps[migrationServiceName(s)] = { condition: 'service_completed_successfully' };
  return Object.keys(deps).length ? deps : undefined;
}

export function migrationServiceName(s: ResolvedService): string {
  return `${s.name}-migrate`;
}

/** The long-running service. */
export function composeService(stack: ResolvedStack, s: ResolvedService): ComposeService {
  const env = environment(s);
  return {
    image: s.image,
    ...(s.command && { command: [...s.command] }),
    ...(Object.keys(env).length && { environment: env }),
    ...(s.ports.some((p) => p.hostPort !== undefined) && {
      // Published on loopback only: nothing here is meant to face the network directly.
      ports: s.ports.filter((p) => p.hostPort !== undefined).map((p) => `127.0.0.1:${p.hostPort}:${p.port}${p.protocol === 'UDP' ? '/udp' : ''}`),
    }),
    ...(healthcheck(s) && { healthcheck: healthcheck(s) }),
    ...(dependsOn(s) && { depends_on: dependsOn(s) }),
    ...(s.volumes.length && { volumes: s.volumes.map((v) => ({ type: 'volume', source: volumeName(s, v.name), target: v.mountPath })) }),
    networks: serviceNetworks(s),
    restart: 'unless-stopped',
    stop_grace_period: '30s',
    labels: { 'app.kubernetes.io/name': s.name, 'app.kubernetes.io/part-of': stack.name, 'app.kubernetes.io/component': s.role },
    ...hardening(s),
  };
}

/** The one-shot migration that must succeed before the service starts. */
export function composeMigration(stack: ResolvedStack, s: ResolvedService): ComposeService {
  const deps: Record<string, { condition: string }> = {};
  for (const d of s.dependsOn) deps[d] = { condition: 'service_healthy' };
  const env = environment(s);
  return {
    image: s.image,
    command: [...s.migration!.command],
    ...(Object.keys(env).length && { environment: env }),
    ...(Object.keys(deps).length && { depends_on: deps }),
    networks: s.dependsOn.map(networkName).sort(),
    // A quoted "no": YAML 1.1 readers (compose v1) turn a bare no into false.
    restart: 'no',
    labels: { 'app.kubernetes.io/name': migrationServiceName(s), 'app.kubernetes.io/part-of': stack.name, 'app.kubernetes.io/component': 'migration' },
    ...hardening(s),
  };
}
