import type { K8sRule } from '../rule';
import { sameNamespace, violation } from '../model';
import { podTemplates } from '../pods';
import { serviceSelectorMatches } from '../selectors';

const id = 'service-selector';

export const serviceSelector: K8sRule = {
  id,
  description: "every Service's selector matches the labels of a pod template in its namespace",
  check: (objects) => {
    const templates = podTemplates(objects);
    return objects
      .filter((o) => o.kind === 'Service' && o.doc.spec?.type !== 'ExternalName')
      .filter((svc) => !templates.some((t) => sameNamespace(t.owner, svc) && serviceSelectorMatches(svc.doc.spec?.selector, t.labels)))
      .map((svc) => violation(id, svc, 'spec.selector',
        `${JSON.stringify(svc.doc.spec?.selector ?? {})} matches no pod template in namespace ${svc.namespace}; fix: use the labels of the workload it fronts`));
  },
};
