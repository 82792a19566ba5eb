import type { K8sRule } from '../rule';
import { violation } from '../model';
import { allContainers, containerName } from '../pods';

const id = 'pss-capabilities';
// The only capability Pod Security "restricted" lets a container add back.
const ADDABLE = new Set(['NET_BIND_SERVICE']);

export const capabilities: K8sRule = {
  id,
  description: 'Pod Security restricted: capabilities drop ALL, only NET_BIND_SERVICE may be added',
  check: (objects) =>
    allContainers(objects).flatMap((ref) => {
      const caps = ref.container.securityContext?.capabilities ?? {};
      const at = `${ref.path}.securityContext.capabilities`;
      const out = [];
      if (!Array.isArray(caps.drop) || !caps.drop.includes('ALL')) {
        out.push(violation(id, ref.template.owner, `${at}.drop`,
          `container ${containerName(ref)} does not drop ALL capabilities; fix: set drop: ["ALL"]`));
      }
      const extra = (Array.isArray(caps.add) ? caps.add : []).filter((c: string) => !ADDABLE.has(c));
      if (extra.length > 0) {
        out.push(violation(id, ref.template.owner, `${at}.add`,
          `container ${containerName(ref)} adds ${extra.join(', ')}; fix: add nothing but NET_BIND_SERVICE`));
      }
      return out;
    }),
};
