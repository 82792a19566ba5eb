import { MAX_REPLICAS, type StackSpec } from '@todo/service-spec';
import type { ImportEntry } from './report';
import { parseVolume } from './compose-parse';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** deploy.replicas as a count the spec takes (0 to MAX_REPLICAS), or why it is not one. */
export function replicaCount(raw: unknown): number | string {
  const n = typeof raw === 'boolean' || String(raw).trim() === '' ? NaN : Number(raw);
  if (!Number.isInteger(n) || n < 0) return `${JSON.stringify(raw)} is not a whole number of replicas (compose refuses it too): not imported, so the spec runs 1; fix the value`;
  if (n > MAX_REPLICAS) return `${n} replicas is above the spec's maximum of ${MAX_REPLICAS}: not imported, so the spec runs 1; set replicas to a realistic count`;
  return n;
}

/**
 * What more than one replica needs on Kubernetes that compose does not: the policy gate wants a
 * PodDisruptionBudget (the kubernetes environment's podDisruptionBudgets), and a volume that all
 * replicas mount (as compose's one named volume is) must be ReadWriteMany, since a ReadWriteOnce
 * claim attaches to one pod. Each is set with a line at the compose field. Jobs (replicas dropped)
 * and databases (a StatefulSet: a claim per pod) are left alone.
 */
export function fitReplicas(spec: StackSpec, doc: Obj, report: ImportEntry[], composeName: (specName: string) => string): void {
  const scaled = (spec.services as unknown as Obj[]).filter((s) => !s.job && (s.replicas ?? 1) > 1);
  const kube = Object.values(spec.environments).filter((e) => e.target === 'kubernetes') as unknown as Obj[];
  for (const s of scaled) {
    const name = composeName(s.name);
    const p = `services.${name}`;
    if (kube.length) {
      for (const e of kube) e.podDisruptionBudgets = true;
      report.push({ path: `${p}.deploy.replicas`, status: 'decision', message: `${s.replicas} replicas: the kubernetes environment gets podDisruptionBudgets: true (the policy gate wants a PodDisruptionBudget for a service with more than one replica, so a node drain keeps one running); compose has none, nothing changes there` });
    }
    if (s.role === 'database') continue;
    const list: unknown[] = isObj(doc.services?.[name]) && Array.isArray(doc.services[name].volumes) ? doc.services[name].volumes : [];
    for (const v of (s.volumes ?? []) as Obj[]) {
      if ((v.accessMode ?? 'ReadWriteOnce') !== 'ReadWriteOnce') continue;
      v.accessMode = 'ReadWriteMany';
      const i = list.findIndex((raw) => {
        const parsed = parseVolume(raw);
        return typeof parsed !== 'string' && parsed.target === v.mountPath;
      });
      report.push({ path: i >= 0 ? `${p}.volumes[${i}]` : `${p}.volumes`, status: 'decision', message: `volume "${v.name}" is shared by the ${s.replicas} replicas, as compose's one named volume is: imported as accessMode ReadWriteMany (a ReadWriteOnce claim attaches to one pod), which needs a storage class that offers it; or run 1 replica` });
    }
  }
}
