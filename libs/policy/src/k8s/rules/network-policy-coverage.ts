import type { K8sRule } from '../rule';
import { sameNamespace, violation } from '../model';
import { podTemplates } from '../pods';
import { selectorMatches } from '../selectors';

const id = 'network-policy-coverage';

export const networkPolicyCoverage: K8sRule = {
  id,
  description: 'a NetworkPolicy selects every pod template',
  check: (objects) => {
    const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
    return podTemplates(objects)
      .filter((t) => !policies.some((p) => sameNamespace(p, t.owner) && selectorMatches(p.doc.spec?.podSelector, t.labels)))
      .map((t) => violation(id, t.owner, `${t.specPath.replace(/\.spec$/, '')}.metadata.labels`,
        `no NetworkPolicy in namespace ${t.owner.namespace} selects these pods; fix: add a NetworkPolicy whose podSelector matches the labels`));
  },
};
