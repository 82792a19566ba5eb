/**
 * Spec names for compose service names. A name that is a DNS-1123 label is kept (others reach it by
 * it); any other (`web_1`, `Web`, a 70-character name) becomes its kebab form, at most 63 characters.
 * Two compose names can meet in one form (`web_1` and `web-1`, `Web` and `web`): the kept name wins,
 * then the first in the file, and each later one gets the first free `-2`, `-3`, ... suffix, so no
 * two services merge into one name and the choice is the same on every run.
 */
export const isLabel = (n: string): boolean => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(n) && n.length <= 63;

const kebab = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'service';
const fit = (s: string, suffix = '') => `${s.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;

export interface Renamed {
  /** The spec name. */
  readonly to: string;
  /** The compose service whose name `to` would have repeated, when a suffix was added. */
  readonly clash?: string;
}

/** Compose name -> its spec name, for every name that is not kept as it is. */
export function renameServices(names: readonly string[]): Map<string, Renamed> {
  const taken = new Map(names.filter(isLabel).map((n) => [n, n]));
  const out = new Map<string, Renamed>();
  for (const n of names) {
    if (isLabel(n)) continue;
    const base = fit(kebab(n));
    let to = base;
    for (let i = 2; taken.has(to); i++) to = fit(base, `-${i}`);
    out.set(n, { to, ...(to !== base && { clash: taken.get(base) }) });
    taken.set(to, n);
  }
  return out;
}
