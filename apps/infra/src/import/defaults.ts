import { LOGGING } from '@todo/compose';
import type { ImportEntry } from './report';

type Obj = Record<string, any>;
type Note = (path: string, status: ImportEntry['status'], message: string) => void;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What synth writes for a service whose spec leaves these unset (libs/service-spec resolve.ts, libs/compose service.ts). */
const SYNTH = { cpuMillis: { request: 100, limit: 500 }, memoryMiB: { request: 128, limit: 256 }, stopGraceSeconds: 30, minStartPeriod: 5, volumeGiB: 1 } as const;
/** Compose's own defaults for a healthcheck's timings. */
const COMPOSE_HEALTH = { interval: 30, timeout: 30, retries: 3 } as const;

/** The outbound access a compose container has: any address, any port (`ports: []` is every port). */
export const OPEN_EGRESS = { cidr: '0.0.0.0/0', ports: [] as number[], reason: 'imported from compose, whose containers reach any address on any port; narrow it to what the service calls' };

/**
 * No silent defaults. For each thing synth would write that the compose service did not say,
 * either carry compose's own meaning into the spec (restart "no", compose's health timings, open
 * outbound access) or write one report line at the compose field that would change it, naming
 * the value synth uses and the spec field that sets it. Mutates the spec service `s`.
 *
 * Resources are the one default kept as a decision rather than carried: compose without limits lets
 * a container use the whole host, which Kubernetes cannot express (the policy gate wants limits),
 * so the spec gets none and the line says what synth will use and where to set the real figure.
 */
export function applyComposeDefaults(name: string, c: Obj, s: Obj, doc: Obj, note: Note): void {
  const p = `services.${name}`;
  const job = Object.values(isObj(doc.services) ? doc.services : {}).some((o) => isObj(o) && isObj(o.depends_on) && isObj(o.depends_on[name]) && o.depends_on[name].condition === 'service_completed_successfully');

  // Resources.
  const r = (s.resources ?? {}) as Obj;
  if (!r.cpuMillis) note(`${p}.deploy.resources.limits.cpus`, 'decision', `no CPU limit in compose (the container may use every core of the host); the spec sets none, so synth uses ${SYNTH.cpuMillis.request}m request and ${SYNTH.cpuMillis.limit}m limit on both targets (compose cpus: ${SYNTH.cpuMillis.limit / 1000}): set resources.cpuMillis to what ${name} needs`);
  if (!r.memoryMiB) note(`${p}.deploy.resources.limits.memory`, 'decision', `no memory limit in compose (the container may use all of the host's memory); the spec sets none, so synth uses ${SYNTH.memoryMiB.request} MiB request and ${SYNTH.memoryMiB.limit} MiB limit on both targets, below what databases, JVMs and Airflow need (they get OOM-killed): set resources.memoryMiB to what ${name} needs`);
  if (!r.memoryMiB) note(`${p}.deploy.resources.reservations.memory`, 'decision', `no memory reservation in compose; the spec sets none, so synth reserves ${SYNTH.memoryMiB.request} MiB on both targets (compose mem_reservation, the Kubernetes request the scheduler places the pod by): set resources.memoryMiB.request to what ${name} uses at rest`);

  // Restart: compose's default is "no"; the spec's is "always" for a service.
  if (c.restart === undefined && !(isObj(c.deploy) && c.deploy.restart_policy !== undefined)) {
    s.restart = 'never';
    // A one-shot job keeps "no" on both targets (a Job's restartPolicy Never): nothing changes.
    note(`${p}.restart`, job ? 'mapped' : 'decision', `not set in compose, whose default is "no" (a container that stops stays stopped): imported as restart: never${job ? '' : '; Kubernetes restarts every container of a Deployment anyway (the parity report says so); set restart: always to restart it in compose too'}`);
  }

  // Health timings: compose's defaults, written out so neither target changes them.
  const live = s.health?.liveness as Obj | undefined;
  if (live && isObj(c.healthcheck)) {
    const hc = c.healthcheck;
    if (hc.interval === undefined) {
      live.periodSeconds = COMPOSE_HEALTH.interval;
      note(`${p}.healthcheck.interval`, 'mapped', `not set: compose's default ${COMPOSE_HEALTH.interval}s, kept as periodSeconds (the spec's default is 10s)`);
    }
    if (hc.timeout === undefined) {
      live.timeoutSeconds = COMPOSE_HEALTH.timeout;
      note(`${p}.healthcheck.timeout`, 'mapped', `not set: compose's default ${COMPOSE_HEALTH.timeout}s, kept as timeoutSeconds (the spec's default is 3s)`);
    }
    if (hc.retries === undefined) note(`${p}.healthcheck.retries`, 'mapped', `not set: compose's default ${COMPOSE_HEALTH.retries}, the spec's failureThreshold default too`);
    const start = live.initialDelaySeconds ?? 0;
    if (start < SYNTH.minStartPeriod) note(`${p}.healthcheck.start_period`, 'decision', `${hc.start_period === undefined ? "not set (compose's default 0s)" : `${start}s`}; synth writes start_period: ${SYNTH.minStartPeriod}s, the least it writes, so failures in the first ${SYNTH.minStartPeriod}s do not count (Kubernetes: initialDelaySeconds ${start})`);
  }

  // Hardening every container gets.
  if (c.cap_drop === undefined) note(`${p}.cap_drop`, 'decision', `not set in compose (Docker's default capabilities, e.g. CHOWN, SETUID, SETGID, NET_BIND_SERVICE); synth drops ALL on both targets, as Kubernetes' restricted profile requires: an image whose entrypoint switches user or chowns files, or binds a port below 1024, fails to start; the spec cannot add capabilities back, so run it as its own user (user) on a port above 1023`);
  if (c.security_opt === undefined) note(`${p}.security_opt`, 'decision', 'not set in compose; synth sets no-new-privileges:true on both targets (allowPrivilegeEscalation: false in Kubernetes): setuid programs such as sudo or su do not gain privileges');

  // Logging.
  if (c.logging === undefined) note(`${p}.logging`, 'decision', `not set in compose (Docker's json-file driver, never rotated); synth writes the ${LOGGING.driver} driver rotated at ${LOGGING.options['max-file']} files of ${LOGGING.options['max-size']} (Kubernetes: the kubelet's rotation); to keep json-file, set environments.<env>.patches.compose.${s.name}.logging`);

  // Stop grace period.
  if (c.stop_grace_period === undefined && !job) note(`${p}.stop_grace_period`, 'decision', `not set in compose (10s); synth writes ${SYNTH.stopGraceSeconds}s, as Kubernetes' default terminationGracePeriodSeconds: a stop waits up to ${SYNTH.stopGraceSeconds}s for the process before killing it; to keep 10s, set environments.<env>.patches.compose.${s.name}.stop_grace_period`);

  // Volume sizes: a compose volume grows with the host disk; a claim has a size.
  for (const v of (s.volumes ?? []) as Obj[]) {
    if (v.sizeGiB !== undefined) continue;
    const list: unknown[] = Array.isArray(c.volumes) ? c.volumes : [];
    const i = list.findIndex((x) => (isObj(x) ? x.target : String(x).split(':')[1]) === v.mountPath);
    note(i >= 0 ? `${p}.volumes[${i}]` : `${p}.volumes`, 'decision', `Kubernetes claims ${SYNTH.volumeGiB} GiB for volume "${v.name}" (sizeGiB), where a compose volume grows with the host disk: set sizeGiB to what the data needs`);
  }

  // Networks and outbound access.
  const nets: string[] = Array.isArray(c.networks) ? c.networks.map(String) : isObj(c.networks) ? Object.keys(c.networks) : ['default'];
  const internal = nets.every((n) => isObj(doc.networks) && isObj(doc.networks[n]) && doc.networks[n].internal === true);
  if (!internal) s.externalEgress = [{ ...OPEN_EGRESS, ports: [...OPEN_EGRESS.ports] }];
  note(`${p}.networks`, 'decision', `${c.networks === undefined ? "compose's default network lets it reach every service" : 'compose lets it reach every service on its networks'}${internal ? '' : ' and any outside address'}; synth joins it only to the networks of its dependsOn and talksTo edges (a NetworkPolicy per edge in Kubernetes)${internal ? '; its networks are internal, so no outbound access is imported' : ', and imports its outbound access as externalEgress 0.0.0.0/0 on every port, since Kubernetes denies egress by default: narrow it to the addresses and ports the service calls'}`);
}
