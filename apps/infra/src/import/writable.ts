import type { ImportEntry } from './report';
import { parseVolume } from './compose-parse';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const trim = (w: string) => w.replace(/\/+$/, '');
/** The emptyDir name Kubernetes gives a writable path (libs/k8s writableVolumeName): equal keys are one volume. */
const volumeKey = (w: string) => w.replace(/^\/+/, '').replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();

/**
 * The compose field each writable path came from, in compose order: an anonymous or tmpfs volume
 * (or a named one of a job) at volumes[i], then tmpfs[i] (or tmpfs, a single string).
 */
function origins(c: Obj, p: string, job: boolean): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (w: string, at: string) => out.set(w, [...(out.get(w) ?? []), at]);
  // The import keeps the first mount of a target (a later one is its own line): only that one can be writable.
  const targets = new Set<string>();
  (Array.isArray(c.volumes) ? c.volumes : []).forEach((raw: unknown, i: number) => {
    const parsed = parseVolume(raw);
    if (typeof parsed === 'string' || targets.has(parsed.target)) return;
    targets.add(parsed.target);
    if (parsed.type === 'anonymous' || parsed.type === 'tmpfs' || (parsed.type === 'volume' && (job || !parsed.source))) add(parsed.target, `${p}.volumes[${i}]`);
  });
  if (typeof c.tmpfs === 'string') add(c.tmpfs.split(':')[0], `${p}.tmpfs`);
  (Array.isArray(c.tmpfs) ? c.tmpfs : []).forEach((t: unknown, i: number) => typeof t === 'string' && add(t.split(':')[0], `${p}.tmpfs[${i}]`));
  return out;
}

/**
 * Writable paths the spec refuses, found after every source of them is read (anonymous and tmpfs
 * volumes, the tmpfs key, a job's volumes): a path not absolute, or "/" (cannot-map lines: compose
 * refuses a relative one too); a path listed twice, on a path a volume or file already mounts, inside
 * another writable path or holding one (the outer one is kept: it is writable already), or equal to
 * another but for case or punctuation (one emptyDir name). Each dropped path gets a line at the
 * compose field it came from, replacing a line that called it mapped. Mutates the services.
 */
export function fitWritablePaths(services: Obj[], doc: Obj, report: ImportEntry[], composeName: (specName: string) => string): void {
  for (const s of services) {
    if (!(s.writablePaths ?? []).length) continue;
    const name = composeName(s.name);
    const p = `services.${name}`;
    const c: Obj = isObj(doc.services?.[name]) ? doc.services[name] : {};
    const from = origins(c, p, Boolean(s.job));
    const used = new Map<string, number>();
    const origin = (w: string) => {
      const list = from.get(w) ?? [];
      const n = used.get(w) ?? 0;
      used.set(w, n + 1);
      return list[n] ?? list[list.length - 1] ?? `${p}.tmpfs`;
    };
    const mounts = new Map<string, string>([...((s.volumes ?? []) as Obj[]).map((v) => [v.mountPath, `volume "${v.name}"`] as [string, string]), ...((s.files ?? []) as Obj[]).map((f) => [f.path, 'a file'] as [string, string])]);
    const kept: { w: string; at: string }[] = [];
    const line = (at: string, status: ImportEntry['status'], message: string) => {
      for (let i = report.length - 1; i >= 0; i--) if (report[i].path === at && report[i].status === 'mapped' && at !== `${p}.tmpfs`) report.splice(i, 1);
      report.push({ path: at, status, message });
    };
    for (const w of s.writablePaths as string[]) {
      const at = origin(w);
      if (!w.startsWith('/')) {
        line(at, 'unmapped', `"${w}" is not an absolute container path (compose refuses it too): not imported; write it as "/${w.replace(/^\.?\/*/, '')}"`);
        continue;
      }
      if (trim(w) === '') {
        line(at, 'unmapped', 'a writable mount on "/" would hide the whole image: not imported; list the directories the process writes, e.g. "/tmp"');
        continue;
      }
      const same = kept.find((k) => k.w === w);
      if (same) {
        line(at, 'decision', `"${w}" is already a writable path (${same.at}): the duplicate is dropped, the path stays writable`);
        continue;
      }
      if (mounts.has(w)) {
        line(at, 'decision', `"${w}" is also where ${mounts.get(w)} is mounted: that mount is kept and this writable mount dropped (the path stays writable; compose refuses two mounts on one path)`);
        continue;
      }
      const outer = kept.find((k) => `${w}/`.startsWith(`${trim(k.w)}/`));
      if (outer) {
        line(at, 'decision', `"${w}" is inside writable path "${outer.w}" (${outer.at}), which is writable already: the spec keeps only the outer one (one emptyDir in Kubernetes, one tmpfs in compose)`);
        continue;
      }
      for (const inner of kept.filter((k) => `${k.w}/`.startsWith(`${trim(w)}/`))) {
        kept.splice(kept.indexOf(inner), 1);
        line(inner.at, 'decision', `"${inner.w}" is inside writable path "${w}" (${at}), which is writable already: the spec keeps only the outer one (one emptyDir in Kubernetes, one tmpfs in compose)`);
      }
      const clash = kept.find((k) => volumeKey(k.w) === volumeKey(w));
      if (clash) {
        line(at, 'unmapped', `"${w}" and writable path "${clash.w}" (${clash.at}) differ only in case or punctuation, which Kubernetes names as one volume: not imported; keep one of them`);
        continue;
      }
      kept.push({ w, at });
    }
    if (kept.length) s.writablePaths = kept.map((k) => k.w);
    else delete s.writablePaths;
  }
}
