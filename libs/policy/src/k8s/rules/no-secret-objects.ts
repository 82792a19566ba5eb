import type { K8sRule } from '../rule';
import { violation } from '../model';

const id = 'no-secret-objects';

export const noSecretObjects: K8sRule = {
  id,
  description: 'no Secret with data or stringData in generated output',
  check: (objects) =>
    objects
      .filter((o) => o.kind === 'Secret')
      .flatMap((s) => (['data', 'stringData'] as const)
        .filter((field) => s.doc[field] && Object.keys(s.doc[field]).length > 0)
        .map((field) => violation(id, s, field,
          'generated output carries secret values; fix: create the Secret out of band (kubectl create secret, External Secrets) and keep only its name in the spec'))),
};
