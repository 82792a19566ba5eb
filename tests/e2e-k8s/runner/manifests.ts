// Reads the YAML files of a manifest directory as `kubectl apply -f DIR` does (files in name
// order, documents in file order) and refuses every kind and field the runner does not model.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KINDS, NOT_RUN, unsupported } from './schema';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: any;
}

export interface Loaded {
  objects: K8sObject[];
  notRun: string[];
  /** Accepted fields without runtime meaning here, with the reason (printed once per path). */
  noops: string[];
}

export const kindKey = (o: { apiVersion: string; kind: string }) => `${o.apiVersion}/${o.kind}`;
export const ref = (o: K8sObject) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;

export function parseObjects(text: string, source: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${source}: ${doc.errors[0].message}`);
    const o = doc.toJS();
    if (o === null || o === undefined) continue;
    if (o.kind === 'List' && Array.isArray(o.items)) out.push(...o.items);
    else out.push(o);
  }
  return out;
}

/** Checks objects against the runner's model. Throws one error naming every problem. */
export function admit(objects: K8sObject[], source = 'manifests'): Loaded {
  const problems: string[] = [];
  const notRun: string[] = [];
  const noops = new Set<string>();
  const kept: K8sObject[] = [];
  for (const o of objects) {
    const key = kindKey(o);
    const where = `${source}: ${o.kind ?? '?'} ${o.metadata?.name ?? '?'}`;
    if (NOT_RUN[key]) {
      notRun.push(`not run: ${ref(o)}: ${NOT_RUN[key]}`);
      continue;
    }
    const schema = KINDS[key];
    if (!schema) {
      problems.push(`${where}: unsupported: kind ${key}`);
      continue;
    }
    const found = unsupported(schema, o, '', [], noops);
    problems.push(...found.map((p) => `${where}: ${p}`));
    problems.push(...meaning(o).map((p) => `${where}: ${p}`));
    kept.push(o);
  }
  if (problems.length) throw new Error(`the pod runner refuses ${problems.length} thing(s) it does not model:\n  ${problems.join('\n  ')}`);
  return { objects: kept, notRun, noops: [...noops].sort() };
}

/** Rules that a field-by-field walk cannot see. */
function meaning(o: K8sObject): string[] {
  const out: string[] = [];
  if (o.kind === 'Service') {
    (o.spec?.ports ?? []).forEach((p: any, i: number) => {
      // Services are DNS names for ready pod IPs (no virtual IP, no port translation).
      if (p.targetPort !== undefined && p.targetPort !== p.port) out.push(`unsupported: spec.ports[${i}].targetPort ${JSON.stringify(p.targetPort)} differs from port ${p.port} (the runner has no kube-proxy port translation)`);
    });
    if ((o.spec?.externalIPs ?? []).length) out.push('unsupported: spec.externalIPs (non-empty)');
  }
  if (o.kind === 'Ingress') {
    // Controller annotations change routing (rewrites, auth); the router implements none.
    for (const k of Object.keys(o.metadata.annotations ?? {})) if (k.startsWith('nginx.ingress.kubernetes.io/')) out.push(`unsupported: metadata.annotations.${k}`);
  }
  if (o.kind === 'Deployment' || o.kind === 'StatefulSet') {
    const sel = o.spec?.selector?.matchLabels ?? {};
    const labels = o.spec?.template?.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(sel)) if (labels[k] !== v) out.push(`spec.template.metadata.labels: selector ${k}=${v} does not match the template (the API server rejects this)`);
    if (o.spec?.selector?.matchExpressions) out.push('unsupported: spec.selector.matchExpressions on a workload');
  }
  return out;
}

export function loadDir(dir: string): Loaded {
  const files = readdirSync(dir).filter((f) => /\.(ya?ml|json)$/.test(f)).sort();
  if (!files.length) throw new Error(`${dir}: no manifests (*.yaml) to apply`);
  const objects = files.flatMap((f) => parseObjects(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
  return admit(objects, dir);
}

export function matches(selector: { matchLabels?: Record<string, string>; matchExpressions?: any[] } | undefined, labels: Record<string, string> = {}): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    if (e.operator === 'In' && !(has && e.values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Kubernetes quantities: "256Mi" -> bytes, "500m" -> 0.5. */
export function quantity(q: string | number): number {
  if (typeof q === 'number') return q;
  const m = /^([0-9.]+)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/.exec(q);
  if (!m) throw new Error(`unsupported quantity ${JSON.stringify(q)}`);
  const f: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, Ki: 1024, M: 1e6, Mi: 1024 ** 2, G: 1e9, Gi: 1024 ** 3, T: 1e12, Ti: 1024 ** 4 };
  return Number(m[1]) * f[m[2] ?? ''];
}
