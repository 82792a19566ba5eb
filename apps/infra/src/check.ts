import { createTwoFilesPatch } from 'diff';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ProblemError } from './args';
import { MANIFEST, type OutputFile } from './outputs';
import { foreignFiles, inside, ownedFiles, readManifest } from './write';

/** `Kind namespace/name` of every object in a YAML stream (compose files: `service <name>`). */
export function objectIds(path: string, content: string): string[] {
  const ids: string[] = [];
  for (const doc of parseAllDocuments(content)) {
    let o: Record<string, any> | null;
    try {
      o = doc.toJS({ maxAliasCount: 100 }) as Record<string, any> | null;
    } catch {
      continue; // not data synth writes (an alias bomb, say): the file is stale, and its diff shows why
    }
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

/**
 * The text of an output file; undefined when there is none. Check reads only a file
 * inside the output root: as synth never writes through a link out of it, check never
 * reads (and prints in a diff) a file elsewhere; a folder where synth writes a file is named.
 */
function committedText(root: string, realRoot: string, p: string): string | undefined {
  const abs = join(root, p);
  if (!existsSync(abs)) return undefined;
  const real = realpathSync(abs);
  if (!inside(realRoot, real)) throw new ProblemError(`infra:check: ${p} leads to ${real}, outside the output root; check never reads through a link out of it.\nfix: replace the link with a real file (delete it and synth again), or give --out the folder synth wrote`);
  if (!statSync(real).isFile()) throw new ProblemError(`infra:check: ${p} is a folder, where synth writes a file.\nfix: move it away and synth again`);
  return readFileSync(real, 'utf8');
}

/** Compares freshly rendered output with the files synth owns on disk, file by file and object by object. */
export function checkOutputs(root: string, files: readonly OutputFile[]): CheckResult {
  const fresh = new Map(files.map((f) => [f.path, f.content]));
  const realRoot = realpathSync(root);
  committedText(root, realRoot, MANIFEST);
  const manifest = readManifest(root);
  const onDisk = ownedFiles(root, manifest);
  const paths = [...new Set([...fresh.keys(), ...onDisk])].sort();
  const stale: string[] = [];
  let diff = '';
  const before: string[] = [];
  const after = new Set<string>();
  for (const p of paths) {
    const committed = committedText(root, realRoot, p);
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
