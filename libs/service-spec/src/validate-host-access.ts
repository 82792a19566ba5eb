import type { SpecIssue } from './errors';
import type { JsonPatchOperation, PatchesSpec } from './types';

/**
 * What lets a container reach past itself into the host, and the field scanner's
 * rule that refuses it in Kubernetes output (`nx run infra:scan-config`, Pod
 * Security "restricted"; docs/security.md). The escape hatches of both targets are judged by this
 * one table: a compose patch is refused for exactly what a Kubernetes patch is.
 */
export const HOST_ACCESS = {
  hostPath: { gate: 'trivy KSV-0023', what: 'a mount of the host filesystem', fix: 'use a named volume (compose) / a PersistentVolumeClaim, or files[] for config' },
  hostNamespace: { gate: 'trivy KSV-0008, KSV-0009, KSV-0010', what: "the host's network, process, IPC, UTS, cgroup or user namespace", fix: 'remove it; ports[].hostPort publishes a port' },
  privileged: { gate: 'trivy KSV-0017', what: 'privileged mode (every device and capability of the host)', fix: 'remove it' },
  capabilities: { gate: 'trivy KSV-0003, KSV-0106', what: 'added Linux capabilities', fix: 'remove them; every container drops ALL' },
  privilegeEscalation: { gate: 'trivy KSV-0001', what: 'privilege escalation (setuid binaries gain root)', fix: 'remove it' },
  unconfined: { gate: 'trivy KSV-0030, KSV-0104', what: 'an unconfined seccomp, AppArmor or SELinux profile, or unmasked /proc', fix: 'remove it; the runtime default profile applies' },
  devices: { gate: 'trivy KSV-0017', what: 'host devices', fix: 'remove them' },
} as const;

export type HostAccess = keyof typeof HOST_ACCESS;

/** Host paths whose bind is a well-known way out of the container; named in the message. */
const NOTORIOUS: readonly [RegExp, string][] = [
  [/^\/(var\/)?run\/docker\.sock$/, 'the Docker socket (root on the host)'],
  [/^\/proc(\/|$)/, "the host's /proc"],
  [/^\/sys(\/|$)/, "the host's /sys"],
  [/^\/$/, "the host's root filesystem"],
];

function hostPathNote(source: string): string {
  const clean = source.replace(/\/+$/, '') || '/';
  const hit = NOTORIOUS.find(([re]) => re.test(clean));
  return hit ? ` (${hit[1]})` : '';
}

function message(kind: HostAccess, detail = ''): string {
  const r = HOST_ACCESS[kind];
  return `gives the container ${r.what}${detail}, which the field scanners (${r.gate}) refuse on Kubernetes too; fix: ${r.fix}`;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A compose short-syntax volume source that is a host path rather than a volume name. */
function isHostSource(source: string): boolean {
  return /^([/.~]|[A-Za-z]:[\\/]|\\\\)/.test(source) || source.includes('/');
}

/** The host access one compose service key (as a patch sets it) gives, each with its path below the key. */
export function composeHostAccess(key: string, value: unknown): { at: string; kind: HostAccess; detail?: string }[] {
  const on = (v: unknown) => v !== undefined && v !== null && v !== false;
  switch (key) {
    case 'privileged':
      return on(value) ? [{ at: '', kind: 'privileged' }] : [];
    case 'cap_add':
      return Array.isArray(value) && value.length ? [{ at: '', kind: 'capabilities' }] : [];
    case 'devices':
    case 'device_cgroup_rules':
      return Array.isArray(value) && value.length ? [{ at: '', kind: 'devices' }] : [];
    case 'pid':
    case 'ipc':
    case 'uts':
    case 'cgroup':
    case 'userns_mode':
      return value === 'host' ? [{ at: '', kind: 'hostNamespace' }] : [];
    case 'network_mode':
      return value === 'host' ? [{ at: '', kind: 'hostNamespace' }] : [];
    case 'security_opt':
      return (Array.isArray(value) ? value : []).flatMap((o, i): { at: string; kind: HostAccess }[] => {
        if (typeof o !== 'string') return [];
        if (/^no-new-privileges[:=]false$/i.test(o)) return [{ at: `[${i}]`, kind: 'privilegeEscalation' }];
        return /unconfined|^label[:=]disable$/i.test(o) ? [{ at: `[${i}]`, kind: 'unconfined' }] : [];
      });
    case 'volumes':
      return (Array.isArray(value) ? value : []).flatMap((v, i) => {
        if (typeof v === 'string') {
          const source = v.split(':')[0];
          return v.includes(':') && isHostSource(source) ? [{ at: `[${i}]`, kind: 'hostPath' as const, detail: hostPathNote(source) }] : [];
        }
        if (isObj(v) && (v.type === 'bind' || v.type === 'npipe')) return [{ at: `[${i}]`, kind: 'hostPath' as const, detail: hostPathNote(String(v.source ?? '')) }];
        return [];
      });
    default:
      return [];
  }
}

/** Pod and container fields (by name, with the value that opens the host) that Kubernetes patches could set. */
function kubernetesFieldAccess(name: string, value: unknown): { kind: HostAccess; detail?: string } | undefined {
  switch (name) {
    case 'hostPath':
      return value !== undefined && value !== null ? { kind: 'hostPath', detail: isObj(value) && typeof value.path === 'string' ? hostPathNote(value.path) : '' } : undefined;
    case 'hostNetwork':
    case 'hostPID':
    case 'hostIPC':
      return value === true ? { kind: 'hostNamespace' } : undefined;
    case 'privileged':
      return value === true ? { kind: 'privileged' } : undefined;
    case 'allowPrivilegeEscalation':
      return value === true ? { kind: 'privilegeEscalation' } : undefined;
    case 'capabilities':
      return isObj(value) && Array.isArray(value.add) && value.add.length ? { kind: 'capabilities' } : undefined;
    case 'seccompProfile':
    case 'appArmorProfile':
      return isObj(value) && value.type === 'Unconfined' ? { kind: 'unconfined' } : undefined;
    case 'procMount':
      return value === 'Unmasked' ? { kind: 'unconfined' } : undefined;
    default:
      return undefined;
  }
}

/** For each field that opens the host, a value that does: what a copy or move might land there. */
const OPENING_VALUE: Record<string, unknown> = {
  hostPath: {},
  hostNetwork: true,
  hostPID: true,
  hostIPC: true,
  privileged: true,
  allowPrivilegeEscalation: true,
  capabilities: { add: ['ALL'] },
  seccompProfile: { type: 'Unconfined' },
  appArmorProfile: { type: 'Unconfined' },
  procMount: 'Unmasked',
  type: 'Unconfined',
};

/** The host access a JSON patch operation would add to a Kubernetes object. */
export function kubernetesPatchHostAccess(op: JsonPatchOperation): { kind: HostAccess; detail?: string }[] {
  if (op.op === 'copy' || op.op === 'move') {
    // The value comes from the object itself, which validation does not see: onto a field that opens the host, any value is refused.
    const last = op.path.split('/').pop()!.replace(/~1/g, '/').replace(/~0/g, '~');
    return kubernetesPatchHostAccess({ op: 'add', path: op.path, value: Object.hasOwn(OPENING_VALUE, last) ? OPENING_VALUE[last] : null });
  }
  if (op.op !== 'add' && op.op !== 'replace') return [];
  const found: { kind: HostAccess; detail?: string }[] = [];
  const segments = op.path.split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = segments[segments.length - 1];
  const parent = segments[segments.length - 2];
  // `/.../capabilities/add` (or an item of it) and `/.../seccompProfile/type`.
  if ((last === 'add' && parent === 'capabilities') || (parent === 'add' && segments[segments.length - 3] === 'capabilities')) found.push({ kind: 'capabilities' });
  else if (last === 'type' && (parent === 'seccompProfile' || parent === 'appArmorProfile') && op.value === 'Unconfined') found.push({ kind: 'unconfined' });
  else {
    const direct = kubernetesFieldAccess(last, op.value);
    if (direct) found.push(direct);
  }
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (isObj(v)) {
      for (const [k, x] of Object.entries(v)) {
        const hit = kubernetesFieldAccess(k, x);
        if (hit) found.push(hit);
        else walk(x);
      }
    }
  };
  walk(op.value);
  return found;
}

/** Refuses host access in both escape hatches of an environment, at the field. */
export function checkPatchHostAccess(patches: PatchesSpec | undefined, p: string, out: SpecIssue[]): Set<string> {
  const refused = new Set<string>();
  for (const [svc, extra] of Object.entries(patches?.compose ?? {})) {
    for (const [key, value] of Object.entries(extra)) {
      for (const hit of composeHostAccess(key, value)) {
        out.push({ path: `${p}.patches.compose.${svc}.${key}${hit.at}`, message: message(hit.kind, hit.detail) });
        refused.add(`${svc}.${key}`);
      }
    }
  }
  (patches?.kubernetes ?? []).forEach((k, i) =>
    k.patch.forEach((op, j) => {
      for (const hit of kubernetesPatchHostAccess(op)) out.push({ path: `${p}.patches.kubernetes[${i}].patch[${j}]`, message: message(hit.kind, hit.detail) });
    }),
  );
  return refused;
}
