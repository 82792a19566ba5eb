import type { K8sRule } from '../rule';
import { violation } from '../model';
import { allContainers, containerName } from '../pods';

const id = 'read-only-root-filesystem';

export const readOnlyRoot: K8sRule = {
  id,
  description: 'readOnlyRootFilesystem true on every container (stricter than Pod Security restricted)',
  check: (objects) =>
    allContainers(objects)
      .filter((ref) => ref.container.securityContext?.readOnlyRootFilesystem !== true)
      .map((ref) =>
        violation(id, ref.template.owner, `${ref.path}.securityContext.readOnlyRootFilesystem`,
          `container ${containerName(ref)} has a writable root filesystem; fix: set readOnlyRootFilesystem: true and mount an emptyDir on each path it writes`),
      ),
};
