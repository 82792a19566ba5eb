import { createTwoFilesPatch } from 'diff';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { OutputFile } from './outputs';
import { foreignFiles, ownedFiles, readManifest } from './write';

/** `Kind namespace/name` of every object in a YAML stream (compose files: `service <name>`). */
export function objectIds(path: string, content: string): string[] {
  const ids: string[] = [];
  for (const doc of parseAllDocuments(content)) {
    const o = doc.toJS() as Record<string, any> | null;
    if (!o) continue;
    if (o.kind) ids.push(`${path}: ${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata?.name}`);
    else if (o.services) ids.push(...Object.keys(o.services).map((s) => `${path}: compose service ${s}`));
  }
  return ids;
}

export interface CheckResult {
  readonly stale: string[];
  readonly diff: string;
  readonly removedObjects: string[];
  /** Files synth did not write, in the folders it writes to: not compared, never touched. */
  readonly foreign: string[];
  /** The stack the manifest on disk records, if it records one. */
  readonly stack?: string;
}

/** Compares freshly rendered output with the files synth owns on disk, file by file and object by object. */
export function checkOutputs(root: string, files: readonly OutputFile[]): CheckResult {
  const fresh = new Map(files.map((f) => [f.path, f.content]));
  const manifest = readManifest(root);
  const onDisk = ownedFiles(root, manifest);
  const paths = [...new Set([...fresh.keys(), ...onDisk])].sort();
  const stale: string[] = [];
  let diff = '';
  const before: string[] = [];
  const after = new Set<string>();
  for (const p of paths) {
    const committed = existsSync(join(root, p)) ? readFileSync(join(root, p), 'utf8') : undefined;
    const next = fresh.get(p);
    if (p.endsWith('.yml') || p.endsWith('.yaml')) {
      if (committed !== undefined) before.push(...objectIds(p, committed));
      if (next !== undefined) objectIds(p, next).forEach((id) => after.add(id));
    }
    if (committed === next) continue;
    stale.push(p);
    diff += createTwoFilesPatch(committed === undefined ? '/dev/null' : `a/${p}`, next === undefined ? '/dev/null' : `b/${p}`, committed ?? '', next ?? '', 'committed', 'synth');
  }
  return { stale, diff, removedObjects: before.filter((id) => !after.has(id)), foreign: foreignFiles(root, files), stack: manifest?.stack };
}
