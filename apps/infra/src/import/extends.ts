import type { ImportEntry } from './report';

type Obj = Record<string, any>;
type Note = (path: string, status: ImportEntry['status'], message: string) => void;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `extends:` within the compose file, resolved as Compose v2 (compose-go's override.ExtendService)
 * resolves it: the base service's definition, with the extending service's merged over it. Mappings
 * merge key by key; sequences append; a scalar replaces; `command`, `entrypoint` and
 * `healthcheck.test` replace; `environment`, `labels` and `sysctls` (a list or a map) merge by key;
 * `depends_on` merges by service; then ports and expose are kept once each, and volumes once per
 * container path (the later wins). A base that extends another is resolved first.
 *
 * `extends: { file: ... }` (another file) is not read: that service stays as written, and a
 * cannot-map line says so (it then has no image, and is left out with a line of its own).
 */

const REPLACE = new Set(['command', 'entrypoint']);
const BY_KEY = new Set(['environment', 'labels', 'sysctls', 'annotations']);

/** `["A=1", "B"]` or `{ A: 1 }` -> a map (a name without "=" maps to null, as compose reads it). */
function keyed(v: unknown): Obj {
  if (Array.isArray(v)) return Object.fromEntries(v.map(String).map((e) => (e.includes('=') ? [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] : [e, null])));
  return isObj(v) ? { ...v } : {};
}

function dependsMap(v: unknown): Obj {
  if (Array.isArray(v)) return Object.fromEntries(v.map((d) => [String(d), { condition: 'service_started' }]));
  return isObj(v) ? { ...v } : {};
}

function merge(base: unknown, over: unknown, key: string | undefined, depth: number): unknown {
  if (over === undefined || over === null) return base ?? over;
  if (depth === 0 && key !== undefined) {
    if (REPLACE.has(key)) return over;
    if (BY_KEY.has(key)) return { ...keyed(base), ...keyed(over) };
    if (key === 'depends_on') return { ...dependsMap(base), ...dependsMap(over) };
    if (key === 'build') return merge(typeof base === 'string' ? { context: base } : base, typeof over === 'string' ? { context: over } : over, undefined, 1);
    if (key === 'tmpfs' || key === 'env_file' || key === 'dns' || key === 'dns_search') return [...(Array.isArray(base) ? base : base === undefined ? [] : [base]), ...(Array.isArray(over) ? over : [over])];
  }
  if (depth === 1 && key === 'test') return over;
  if (isObj(base) && isObj(over)) {
    const out: Obj = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? merge(base[k], v, k, depth + 1) : v;
    return out;
  }
  if (Array.isArray(base) && Array.isArray(over)) return [...base, ...over];
  return over;
}

/** The container path a volume entry mounts (short or long form), for keeping one entry per path. */
function volumeTarget(v: unknown): string | undefined {
  if (isObj(v)) return typeof v.target === 'string' ? v.target : undefined;
  if (typeof v !== 'string') return undefined;
  const parts = v.split(':');
  return parts.length === 1 ? parts[0] : parts[1];
}

function unique(service: Obj): Obj {
  const out = { ...service };
  for (const k of ['ports', 'expose']) {
    if (Array.isArray(out[k])) out[k] = out[k].filter((x: unknown, i: number, all: unknown[]) => all.findIndex((y) => JSON.stringify(y) === JSON.stringify(x)) === i);
  }
  if (Array.isArray(out.volumes)) {
    const last = new Map<string, number>();
    out.volumes.forEach((v: unknown, i: number) => {
      const t = volumeTarget(v);
      if (t !== undefined) last.set(t, i);
    });
    out.volumes = out.volumes.filter((v: unknown, i: number) => {
      const t = volumeTarget(v);
      return t === undefined || last.get(t) === i;
    });
  }
  return out;
}

/**
 * The lines already written for the base's fields (interpolation runs first) that the extending
 * service inherits, again at its own paths: `${TAG}` in the base's image is the extending service's
 * image too. A field the extending service sets itself keeps only its own lines.
 */
function inheritLines(report: ImportEntry[], base: string, name: string, own: Obj): void {
  const from = `services.${base}.`;
  for (const line of [...report]) {
    if (!line.path.startsWith(from)) continue;
    const rest = line.path.slice(from.length);
    const key = /^[^.[]+/.exec(rest)?.[0] ?? '';
    if (key === 'extends') continue;
    if (key in own) {
      // A map merged key by key: the base's line holds for a key the extending service does not set.
      const sub = /^[^.[]+\.([^.[]+)/.exec(rest)?.[1];
      if (!BY_KEY.has(key) || sub === undefined || sub in keyed(own[key])) continue;
    }
    report.push({ ...line, path: `services.${name}.${rest}` });
  }
}

/** The services with every same-file `extends` resolved; a line at each `services.<name>.extends`. */
export function resolveExtends(services: Obj, note: Note, report: ImportEntry[] = []): Obj {
  const out: Obj = { ...services };
  const done = new Set<string>();
  const resolve = (name: string, chain: string[]): Obj | undefined => {
    const c = out[name];
    if (!isObj(c) || c.extends === undefined || done.has(name)) return isObj(c) ? c : undefined;
    const at = `services.${name}.extends`;
    const ext = c.extends;
    const base = typeof ext === 'string' ? ext : isObj(ext) && typeof ext.service === 'string' && ext.file === undefined ? ext.service : undefined;
    done.add(name);
    if (base === undefined) {
      note(at, 'unmapped', isObj(ext) && ext.file !== undefined ? `extends a service of another file (${JSON.stringify(ext.file)}), which the import does not read: write the service out in this file, or merge the files with \`docker compose config\` and import the result` : `${JSON.stringify(ext)} is not a service name or { service, file }`);
      return c;
    }
    if (chain.includes(base) || base === name) {
      note(at, 'unmapped', `extends "${base}", which extends it back (${[...chain, name, base].join(' -> ')}); compose refuses the cycle too: not merged`);
      return c;
    }
    if (!isObj(out[base])) {
      note(at, 'unmapped', `extends "${base}", which is no service of this file; compose refuses it too: not merged`);
      return c;
    }
    const resolvedBase = resolve(base, [...chain, name])!;
    const merged: Obj = { ...resolvedBase };
    delete merged.extends;
    for (const [k, v] of Object.entries(c)) if (k !== 'extends') merged[k] = k in merged ? merge(merged[k], v, k, 0) : v;
    out[name] = unique(merged);
    inheritLines(report, base, name, c);
    note(at, 'mapped', `merged over services.${base} as compose merges it (the fields "${name}" sets win; environment, labels and depends_on merge key by key; ports and volumes add to the base's): every field below is the merged one`);
    return out[name];
  };
  for (const name of Object.keys(out)) resolve(name, []);
  return out;
}
