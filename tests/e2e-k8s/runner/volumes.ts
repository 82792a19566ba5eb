// Pod volumes on the node's disk, laid out and owned as the kubelet does it.
import { chmodSync, chownSync, lstatSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The kubelet's SetVolumeOwnership: every file and directory gets group fsGroup, files
 * gain group rw (r for read-only volumes), directories group rwx and setgid.
 * OnRootMismatch skips the walk when the volume root already has that group and mode.
 */
export function applyFsGroup(root: string, gid: number, policy: string | undefined, readOnly: boolean): void {
  const fileMask = readOnly ? 0o440 : 0o660;
  const dirMask = (readOnly ? 0o550 : 0o770) | 0o2000;
  const st = statSync(root);
  if (policy === 'OnRootMismatch' && st.gid === gid && (st.mode & dirMask) === dirMask) return;
  const walk = (p: string) => {
    const s = lstatSync(p);
    if (s.isSymbolicLink()) return;
    chownSync(p, s.uid, gid);
    chmodSync(p, (s.mode & 0o7777) | (s.isDirectory() ? dirMask : fileMask));
    if (s.isDirectory()) for (const e of readdirSync(p)) walk(join(p, e));
  };
  walk(root);
}

/** emptyDir: created 0777 by the kubelet (any uid may write), on the node's disk. */
export function makeEmptyDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o777);
}

/** ConfigMap and Secret volumes: one file per key (or per `items` entry), mode defaultMode. */
export function writeKeyFiles(dir: string, data: Record<string, string>, items: { key: string; path: string; mode?: number }[] | undefined, defaultMode = 0o644): string | undefined {
  mkdirSync(dir, { recursive: true });
  const entries = items ?? Object.keys(data).map((key) => ({ key, path: key, mode: undefined }));
  for (const it of entries) {
    if (!(it.key in data)) return `couldn't find key ${it.key}`;
    const file = join(dir, it.path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, data[it.key]);
    chmodSync(file, it.mode ?? defaultMode);
  }
  return undefined;
}
