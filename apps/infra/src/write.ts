import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ProblemError } from './args';
import { GENERATED_MARK, MANIFEST, type OutputFile } from './outputs';

export const K8S_DIR = 'dist/k8s';

function walk(root: string, dir: string, recursive: boolean): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? (recursive ? walk(root, `${dir}/${e.name}`, true) : []) : [`${dir}/${e.name}`]))
    .sort();
}

/**
 * The files synth owns on disk: those its manifest lists. Output written before
 * the manifest existed is recognised by the marker every generated file carries.
 */
export function ownedFiles(root: string): string[] {
  const manifest = join(root, MANIFEST);
  if (existsSync(manifest)) {
    let listed: unknown;
    try {
      listed = (JSON.parse(readFileSync(manifest, 'utf8')) as { files?: unknown }).files;
    } catch (e) {
      throw new ProblemError(`${MANIFEST}: not valid JSON (${(e as Error).message}); fix: delete it, and synth recognises its files by their generated mark`);
    }
    if (!Array.isArray(listed)) throw new ProblemError(`${MANIFEST}: has no "files" list; fix: delete it, and synth recognises its files by their generated mark`);
    // Only paths where synth writes: a hand-edited manifest cannot make synth delete anything else.
    const outside = listed.filter((f) => typeof f !== 'string' || !/^(dist|docker)\//.test(f) || f.split('/').includes('..'));
    if (outside.length) throw new ProblemError(`${MANIFEST}: lists ${outside.map((f) => JSON.stringify(f)).join(', ')}, outside dist/ and docker/; fix: delete the manifest or those entries`);
    return (listed as string[]).filter((f) => existsSync(join(root, f)));
  }
  const candidates = [...walk(root, K8S_DIR, true), ...walk(root, 'docker', false).filter((f) => /^docker\/docker-compose(\..+)?\.yml$/.test(f)), 'dist/parity-report.md'];
  return candidates.filter((f) => existsSync(join(root, f)) && readFileSync(join(root, f), 'utf8').includes(GENERATED_MARK)).sort();
}

/** Files synth did not write that sit where it writes: left alone, and named. */
export function foreignFiles(root: string, files: readonly OutputFile[]): string[] {
  const generated = new Set(files.map((f) => f.path));
  const owned = new Set(ownedFiles(root));
  const dirs = new Set(files.map((f) => dirname(f.path)).filter((d) => !d.startsWith(`${K8S_DIR}/`) && d !== K8S_DIR));
  const around = [...walk(root, K8S_DIR, true), ...[...dirs].flatMap((d) => walk(root, d, false))];
  return [...new Set(around)].filter((f) => !generated.has(f) && !owned.has(f) && !f.startsWith('tmp/')).sort();
}

function removeEmptyParents(root: string, file: string): void {
  for (let dir = dirname(file); dir !== '.' && dir !== 'dist' && dir !== 'docker'; dir = dirname(dir)) {
    const abs = join(root, dir);
    if (!existsSync(abs) || readdirSync(abs).length) return;
    rmdirSync(abs);
  }
}

export interface WriteResult {
  /** Files a previous synth wrote that this one no longer produces: removed. */
  readonly removed: string[];
  /** Files synth did not write in the folders it writes to: left alone. */
  readonly foreign: string[];
}

/**
 * Writes every file into a staging dir beside the output (same filesystem), then
 * moves each into place with a rename, so no reader sees a half-written file and
 * a synth that fails before this step leaves the committed output untouched.
 * Synth replaces and removes only files it owns (listed in its manifest); any
 * other file, even inside dist/k8s, keeps its bytes.
 * The manifest is first widened to old + new files and narrowed last, so an
 * interrupted write never leaves a generated file that the next synth disowns.
 */
export function writeOutputs(root: string, files: readonly OutputFile[]): WriteResult {
  const before = ownedFiles(root);
  const next = new Set(files.map((f) => f.path));
  const hadTmp = existsSync(join(root, 'tmp'));
  mkdirSync(join(root, 'tmp'), { recursive: true });
  const staging = mkdtempSync(join(root, 'tmp', 'synth-'));
  const place = (path: string, staged: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    renameSync(staged, join(root, path));
  };
  try {
    for (const f of files) {
      mkdirSync(dirname(join(staging, f.path)), { recursive: true });
      writeFileSync(join(staging, f.path), f.content);
    }
    const widened = join(staging, 'widened-manifest.json');
    writeFileSync(widened, `${JSON.stringify({ files: [...new Set([...before, ...next])].sort() }, null, 2)}\n`);
    place(MANIFEST, widened);
    for (const f of files) if (f.path !== MANIFEST) place(f.path, join(staging, f.path));
    const removed = before.filter((f) => !next.has(f));
    for (const f of removed) {
      rmSync(join(root, f), { force: true });
      removeEmptyParents(root, f);
    }
    if (next.has(MANIFEST)) place(MANIFEST, join(staging, MANIFEST));
    return { removed, foreign: foreignFiles(root, files) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    // Leave no empty tmp/ behind in an --out directory that had none.
    if (!hadTmp && readdirSync(join(root, 'tmp')).length === 0) rmdirSync(join(root, 'tmp'));
  }
}
