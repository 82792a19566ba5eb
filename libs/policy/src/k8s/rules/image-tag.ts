import type { K8sRule } from '../rule';
import { violation } from '../model';
import { allContainers, containerName } from '../pods';
import { imageTag } from '../../core/image-ref';

const id = 'image-tag';

export const imageTagRule: K8sRule = {
  id,
  description: 'every image has a tag or digest, never :latest',
  check: (objects) =>
    allContainers(objects).flatMap((ref) => {
      const image = String(ref.container.image ?? '');
      if (image.includes('@sha256:')) return [];
      const tag = imageTag(image);
      if (tag !== null && tag !== '' && tag !== 'latest') return [];
      const problem = image === '' ? 'has no image' : tag === 'latest' ? `uses ${image}` : `uses untagged image ${image}`;
      return [violation(id, ref.template.owner, `${ref.path}.image`,
        `container ${containerName(ref)} ${problem}; fix: pin a version tag or @sha256 digest`)];
    }),
};
