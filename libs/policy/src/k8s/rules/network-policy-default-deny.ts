import type { K8sRule } from '../rule';
import type { K8sObject } from '../model';
import { violation } from '../model';
import { podTemplates } from '../pods';

const id = 'network-policy-default-deny';

/** Selects every pod, governs ingress and allows none: traffic is then opt-in per policy. */
export function isDefaultDeny(p: K8sObject): boolean {
  const spec = p.doc.spec ?? {};
  const selectsAll = spec.podSelector !== undefined && spec.podSelector !== null &&
    Object.keys(spec.podSelector.matchLabels ?? {}).length === 0 && (spec.podSelector.matchExpressions ?? []).length === 0;
  const types: string[] = spec.policyTypes ?? ['Ingress'];
  return selectsAll && types.includes('Ingress') && (spec.ingress ?? []).length === 0;
}

export const networkPolicyDefaultDeny: K8sRule = {
  id,
  description: 'a default-deny ingress NetworkPolicy in every declared namespace and every namespace that runs pods',
  check: (objects) => {
    // Report against the Namespace object when the output declares it, else the first workload there.
    const owners = new Map<string, { ns: string; owner: K8sObject }>();
    for (const o of objects) if (o.kind === 'Namespace') owners.set(`${o.scope}\0${o.name}`, { ns: o.name, owner: o });
    for (const t of podTemplates(objects)) {
      const key = `${t.owner.scope}\0${t.owner.namespace}`;
      if (!owners.has(key)) owners.set(key, { ns: t.owner.namespace, owner: t.owner });
    }
    return [...owners.values()]
      .filter(({ ns, owner }) => !objects.some((o) => o.kind === 'NetworkPolicy' && o.namespace === ns && o.scope === owner.scope && isDefaultDeny(o)))
      .map(({ ns, owner }) => violation(id, owner, owner.kind === 'Namespace' ? 'metadata.name' : 'metadata.namespace',
        `namespace ${ns} has no default-deny NetworkPolicy; fix: add one with podSelector: {}, policyTypes: [Ingress] and no ingress rules`));
  },
};
