import { parseVolume } from './compose-parse';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Compose services that mount each named volume. In compose, services that mount one named volume
 * share its files (a CLI or cron container beside the app, a worker beside the web process); the spec
 * gives every service volumes of its own (compose names them `<service>-<volume>`, Kubernetes makes a
 * claim per service), so the import says at each such mount that the sharing ends.
 */
export function volumeMounters(doc: Obj): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, c] of Object.entries(isObj(doc.services) ? doc.services : {})) {
    for (const raw of isObj(c) && Array.isArray(c.volumes) ? c.volumes : []) {
      const v = parseVolume(raw);
      if (typeof v === 'string' || v.type !== 'volume' || !v.source) continue;
      const list = out.get(v.source) ?? [];
      if (!list.includes(name)) list.push(name);
      out.set(v.source, list);
    }
  }
  return out;
}

/** The decision line for a mount of `source` by `service` when other services mount it too, or undefined. */
export function sharedVolumeLine(source: string, service: string, specName: string, mounters: ReadonlyMap<string, readonly string[]>): string | undefined {
  const others = (mounters.get(source) ?? []).filter((n) => n !== service);
  if (!others.length) return undefined;
  return `named volume "${source}" is also mounted by ${others.map((n) => `services.${n}`).join(', ')}, and in compose they share its files; the spec gives each service a volume of its own, so ${specName} no longer sees what ${others.length > 1 ? 'they write' : `${others[0]} writes`} there, nor ${others.length > 1 ? 'they' : others[0]} what it writes (the spec cannot mount one volume in two services): if they must share files, run that work in one service, or pass the files through the network or an object store`;
}
