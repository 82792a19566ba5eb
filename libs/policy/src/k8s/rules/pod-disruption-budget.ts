import type { K8sRule } from '../rule';
import { sameNamespace, violation } from '../model';
import { podTemplates } from '../pods';
import { selectorMatches } from '../selectors';

const id = 'pod-disruption-budget';

export const podDisruptionBudget: K8sRule = {
  id,
  description: 'a PodDisruptionBudget selects every workload with more than one replica (or HPA minReplicas > 1)',
  check: (objects) => {
    const pdbs = objects.filter((o) => o.kind === 'PodDisruptionBudget');
    const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    return podTemplates(objects)
      .filter((t) => {
        const replicas = t.owner.doc.spec?.replicas ?? 1;
        const hpa = hpas.find((h) => sameNamespace(h, t.owner) &&
          h.doc.spec?.scaleTargetRef?.kind === t.owner.kind && h.doc.spec?.scaleTargetRef?.name === t.owner.name);
        const minReplicas = hpa ? hpa.doc.spec?.minReplicas ?? 1 : 0;
        return t.longRunning && t.owner.kind !== 'Pod' && Math.max(replicas, minReplicas) > 1;
      })
      .filter((t) => !pdbs.some((p) => sameNamespace(p, t.owner) && selectorMatches(p.doc.spec?.selector, t.labels)))
      .map((t) => violation(id, t.owner, 'spec.replicas',
        `runs more than one replica but no PodDisruptionBudget selects its pods; fix: add a PodDisruptionBudget (e.g. maxUnavailable: 1) whose selector matches the pod labels`));
  },
};
