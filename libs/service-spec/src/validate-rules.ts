import type { SpecIssue } from './errors';
import { secretJudgement } from './secret-looking';
import type { ProbeSpec, ServiceSpec } from './types';
import { checkUrlPath } from './validate-limits';

/** Shared grammar and small checks of the meaning phase. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const CRON = /^(\S+\s+){4}\S+$/;
export const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Gate rule ids a spec may waive per service (libs/policy K8S_RULES ids). */
export const WAIVABLE = new Set(['read-only-root-filesystem', 'pod-disruption-budget', 'probes']);

/** Compose keys that would undo what the policy gate demands of every container. */
export const HARDENING_KEYS = new Set(['privileged', 'cap_add', 'cap_drop', 'user', 'read_only', 'security_opt', 'network_mode', 'pid', 'ipc', 'userns_mode', 'devices']);

export const waives = (s: ServiceSpec, rule: string) => (s.gateWaivers ?? []).some((w) => w.rule === rule);

/** Plain values that the gate would reject as secrets: by name or by shape. Messages never echo the value. */
export function checkPlainValue(name: string, value: string, path: string, fix: string, out: SpecIssue[]): void {
  const { byName, kinds } = secretJudgement(name, value);
  if (byName) {
    out.push({ path, message: `"${name}" looks like a secret, and plain values end up in a ConfigMap and the compose file; fix: ${fix}` });
    return;
  }
  if (kinds.length) out.push({ path, message: `the value holds ${kinds.join(' and ')}; fix: ${fix}, and rotate the value if it was ever real` });
}

export function dnsLabel(value: string, path: string, what: string, out: SpecIssue[], max = 63): void {
  if (!DNS_LABEL.test(value) || value.length > max) {
    out.push({ path, message: `${what} "${value}" is not a DNS-1123 label: use at most ${max} lowercase letters, digits and '-', starting and ending with a letter or digit` });
  }
}

export function checkProbe(probe: ProbeSpec | undefined, path: string, portNames: Set<string>, svc: string, out: SpecIssue[]): void {
  if (!probe) return;
  const kinds = (['http', 'tcp', 'exec'] as const).filter((k) => probe[k] !== undefined);
  if (kinds.length !== 1) {
    out.push({ path, message: `set exactly one of http, tcp, exec (found ${kinds.length ? kinds.join(', ') : 'none'})` });
  }
  const port = probe.http?.port ?? probe.tcp?.port;
  const portPath = `${path}.${probe.http ? 'http' : 'tcp'}.port`;
  if (port !== undefined && !portNames.has(port)) {
    const known = [...portNames].map((p) => `"${p}"`).join(', ') || 'none';
    out.push({ path: portPath, message: `health check uses port "${port}", which service "${svc}" does not expose (declared ports: ${known})` });
  }
  if (probe.http && !probe.http.path.startsWith('/')) {
    out.push({ path: `${path}.http.path`, message: `must start with "/", got "${probe.http.path}"` });
  } else if (probe.http && [...probe.http.path].some((c) => /\s/.test(c) || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) {
    // Sent as is by the compose checks (curl refuses it, busybox wget gets a 400): never healthy.
    out.push({ path: `${path}.http.path`, message: `a URL path cannot hold spaces or control characters, got ${JSON.stringify(probe.http.path)}; percent-encode them (a space is %20)` });
  } else if (probe.http) checkUrlPath(probe.http.path.replace(/[?#].*$/s, ''), `${path}.http.path`, out);
  for (const f of ['periodSeconds', 'timeoutSeconds', 'failureThreshold'] as const) {
    const v = probe[f];
    if (v !== undefined && v < 1) out.push({ path: `${path}.${f}`, message: `must be at least 1, got ${v}` });
  }
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Kubernetes label/annotation keys (and label values) have a grammar; compose accepts anything, so the stricter rule applies. */
export function checkMetadata(map: Readonly<Record<string, string>> | undefined, path: string, labels: boolean, out: SpecIssue[]): void {
  for (const [k, v] of Object.entries(map ?? {})) {
    if (!QUALIFIED_NAME.test(k)) out.push({ path: `${path}.${k}`, message: `"${k}" is not a valid Kubernetes ${labels ? 'label' : 'annotation'} key ([prefix/]name, name 1-63 characters of letters, digits, '-', '_', '.')` });
    else if (k.startsWith('app.kubernetes.io/') && labels) out.push({ path: `${path}.${k}`, message: 'app.kubernetes.io/ labels are set by the renderer (they select pods); use another key' });
    if (labels && (v.length > 63 || !LABEL_VALUE.test(v))) out.push({ path: `${path}.${k}`, message: `label value "${v}" is not valid: at most 63 letters, digits, '-', '_', '.', starting and ending with a letter or digit` });
  }
}

/** A published port binds to an IPv4 address; a database never beyond loopback. */
export function checkHostAddress(address: string | undefined, s: ServiceSpec, path: string, out: SpecIssue[]): void {
  if (address === undefined) return;
  if (!IPV4.test(address)) out.push({ path, message: `"${address}" is not an IPv4 address such as "127.0.0.1" or "0.0.0.0"` });
  else if (s.role === 'database' && !address.startsWith('127.')) out.push({ path, message: `a database port is never published beyond loopback; use "127.0.0.1"` });
}

export function checkRange(r: { request: number; limit: number } | undefined, path: string, out: SpecIssue[]): void {
  if (!r) return;
  if (r.request <= 0) out.push({ path: `${path}.request`, message: `must be positive, got ${r.request}` });
  if (r.limit < r.request) out.push({ path: `${path}.limit`, message: `limit ${r.limit} is below request ${r.request}` });
}
