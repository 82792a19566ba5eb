/** Image reference helpers shared by validation and resolve. */

/** True when a reference pins a tag or digest that is not `latest`. */
export function isPinnedImage(ref: string): boolean {
  if (ref.includes('@sha256:')) return true;
  const lastSlash = ref.lastIndexOf('/');
  const colon = ref.indexOf(':', lastSlash + 1);
  if (colon < 0) return false;
  const tag = ref.slice(colon + 1);
  return tag.length > 0 && tag !== 'latest';
}

/** Applies a mirror map keyed by exact image reference (`name:tag`). */
export function mirrorImage(ref: string, mirrors: Readonly<Record<string, string>>): string {
  if (mirrors[ref] !== undefined) return mirrors[ref];
  return ref;
}

/** Image reference for a built service: `[registry/]repository:tag`. */
export function builtImageRef(repository: string, tag: string, registry?: string): string {
  const prefix = registry ? `${registry.replace(/\/+$/, '')}/` : '';
  return `${prefix}${repository}:${tag}`;
}
