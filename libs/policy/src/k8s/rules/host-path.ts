import type { K8sRule } from '../rule';
import { violation } from '../model';
import { podTemplates } from '../pods';

const id = 'pss-host-path';

export const hostPath: K8sRule = {
  id,
  description: 'Pod Security restricted: no hostPath volumes',
  check: (objects) =>
    podTemplates(objects).flatMap((t) =>
      (Array.isArray(t.spec.volumes) ? t.spec.volumes : [])
        .map((v: any, i: number) => ({ v, i }))
        .filter(({ v }) => v.hostPath !== undefined)
        .map(({ v, i }) => violation(id, t.owner, `${t.specPath}.volumes[${i}].hostPath`,
          `volume ${JSON.stringify(v.name)} mounts the node filesystem; fix: use emptyDir, a PVC or a projected volume`)),
    ),
};
