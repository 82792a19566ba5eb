import type { K8sRule } from '../rule';
import { violation } from '../model';
import { allContainers, containerName } from '../pods';

const id = 'image-tag';

/** Tag of an image reference, null when it has none; the registry port (`host:5000/x`) is not a tag. */
export function imageTag(image: string): string | null {
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  return colon === -1 ? null : lastSegment.slice(colon + 1);
}

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
