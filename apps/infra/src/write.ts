import { closeSync, existsSync, lstatSync, openSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync, writeSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative } from 'node:path';
import { ProblemError } from './args';
import { GENERATED_MARK, MANIFEST, TODO_SPEC, type Manifest, type OutputFile } from './outputs';

export const K8S_DIR = 'dist/k8s';

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function walk(root: string, dir: string, recursive: boolean): string[] {
  const abs = join(root, dir);
  if (!isDirectory(abs)) return [];
  return readdirSync(abs, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? (recursive ? walk(root, `${dir}/${e.name}`, true) : []) : [`${dir}/${e.name}`]))
    .sort();
}

const MANIFEST_FIX = 'fix: delete it, and synth recognises its files by their generated mark';

/** The manifest of the output under `root`, checked; undefined when there is none. */
export function readManifest(root: string): Manifest | undefined {
  const manifest = join(root, MANIFEST);
  if (!existsSync(manifest)) return undefined;
  let data: Partial<Record<keyof Manifest, unknown>> | null;
  try {
    data = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch (e) {
    throw new ProblemError(`${MANIFEST}: not valid JSON (${(e as Error).message}); ${MANIFEST_FIX}`);
  }
  const listed = data?.files;
  if (!Array.isArray(listed)) throw new ProblemError(`${MANIFEST}: has no "files" list; ${MANIFEST_FIX}`);
  // Only paths where synth writes: a hand-edited manifest cannot make synth delete anything else.
  const outside = listed.filter((f) => typeof f !== 'string' || !/^(dist|docker)\//.test(f) || f.split('/').includes('..'));
  if (outside.length) throw new ProblemError(`${MANIFEST}: lists ${outside.map((f) => JSON.stringify(f)).join(', ')}, outside dist/ and docker/; fix: delete the manifest or those entries`);
  for (const key of ['stack', 'spec'] as const) {
    if (data?.[key] !== undefined && typeof data[key] !== 'string') throw new ProblemError(`${MANIFEST}: "${key}" is not a string; ${MANIFEST_FIX}`);
  }
  return { stack: data?.stack as string | undefined, spec: data?.spec as string | undefined, files: listed as string[] };
}

/** A regular file (not a link, not a folder) that carries the generated mark. */
function marked(path: string): boolean {
  try {
    return lstatSync(path).isFile() && readFileSync(path, 'utf8').includes(GENERATED_MARK);
  } catch {
    return false;
  }
}

/**
 * The files synth owns on disk: those its manifest lists. Output written before
 * the manifest existed, or under a manifest that records no stack (written before
 * stacks were recorded), is also recognised by the mark every generated file carries.
 */
export function ownedFiles(root: string, manifest: Manifest | undefined = readManifest(root)): string[] {
  const listed = (manifest?.files ?? []).filter((f) => existsSync(join(root, f)));
  if (manifest?.stack !== undefined) return [...listed];
  const candidates = [...walk(root, K8S_DIR, true), ...walk(root, 'docker', false).filter((f) => /^docker\/docker-compose(\..+)?\.yml$/.test(f)), 'dist/parity-report.md', 'dist/stack-diagram.md'];
  return [...new Set([...listed, ...candidates.filter((f) => marked(join(root, f)))])].sort();
}

/** How a stack's manifest names its spec in a message. */
function specOf(manifest: Manifest): string {
  return manifest.spec === TODO_SPEC ? 'the todo stack, synthesized with no --spec' : manifest.spec !== undefined ? `spec ${manifest.spec}` : 'spec not recorded';
}

function lstat(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** `path` is `dir` or under it (both real paths). */
export function inside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * Every path synth is about to touch (`kind` is what it needs at the end: a file it
 * writes or removes, or a folder it creates) is checked down from the output root
 * before anything is written: a symbolic link that leads out of the root (or nowhere)
 * is never followed, and a file where a folder must be (or the reverse) is named.
 */
function checkPath(root: string, realRoot: string | undefined, shownRoot: string, path: string, kind: 'file' | 'dir'): void {
  if (realRoot === undefined) return; // the root does not exist yet: synth creates everything in it
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const rel = parts.slice(0, i).join('/');
    const abs = join(root, rel);
    const at = join(shownRoot, rel);
    const st = lstat(abs);
    if (!st) return;
    const last = i === parts.length;
    if (st.isSymbolicLink()) {
      let target: string | undefined;
      try {
        target = realpathSync(abs);
      } catch {
        target = undefined;
      }
      if (target === undefined || !inside(realRoot, target)) {
        throw new ProblemError(`synth: ${at} is a symbolic link ${target === undefined ? 'to nothing' : `to ${target}`}, outside the output root ${shownRoot}; synth never writes through a link out of the folder it owns.\nfix: replace the link with a real ${last && kind === 'file' ? 'file' : 'folder'}, or choose another --out DIR`);
      }
    }
    const isDir = isDirectory(abs);
    if (!last && !isDir) throw new ProblemError(`synth: ${at} is a file, not a folder, and synth writes ${path} under it.\nfix: move ${at} away, or choose another --out DIR`);
    if (last && kind === 'file' && isDir) throw new ProblemError(`synth: ${at} is a folder, and synth writes a file there.\nfix: move ${at} away, or choose another --out DIR`);
    if (last && kind === 'dir' && !isDir) throw new ProblemError(`synth: ${at} is a file, not a folder, and synth stages its output in ${path}/.\nfix: move ${at} away, or choose another --out DIR`);
  }
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
  /** Files synth did not write that it replaced because of --force. */
  readonly replaced: string[];
  /** The stack whose output --force took over, if any. */
  readonly tookOver?: string;
}

export interface WriteOptions {
  /** The stack being written (the spec's `name`). */
  readonly stack: string;
  /** The output root as the user should read it, for messages. @default root */
  readonly shownRoot?: string;
  /** Take over another stack's output, and replace files synth did not write. */
  readonly force?: boolean;
}

/**
 * Writes every file into a staging dir beside the output (same filesystem), then
 * moves each into place with a rename, so no reader sees a half-written file and
 * a synth that fails before this step leaves the committed output untouched.
 * Synth replaces and removes only files it owns (listed in its manifest); any
 * other file, even inside dist/k8s, keeps its bytes. Before anything is written it
 * refuses (without --force) an output root that holds another stack's output, or a
 * file it did not write where it would write one; and (whatever --force says) a
 * path that leads through a symbolic link out of the root.
 * The manifest is first widened to old + new files and narrowed last, so an
 * interrupted write never leaves a generated file that the next synth disowns.
 */
export function writeOutputs(root: string, files: readonly OutputFile[], options: WriteOptions): WriteResult {
  const shownRoot = options.shownRoot ?? root;
  const realRoot = existsSync(root) ? realpathSync(root) : undefined;
  checkPath(root, realRoot, shownRoot, 'tmp', 'dir');
  const hadTmp = existsSync(join(root, 'tmp'));
  mkdirSync(join(root, 'tmp'), { recursive: true });
  const release = lockOutput(root, shownRoot);
  try {
    return writeLocked(root, files, options, shownRoot, realRoot);
  } finally {
    release();
    // Leave no empty tmp/ behind in an --out directory that had none.
    if (!hadTmp && readdirSync(join(root, 'tmp')).length === 0) rmdirSync(join(root, 'tmp'));
  }
}

export const LOCK = 'tmp/synth.lock';
/** A synth takes about a second; one that holds the lock longer is stuck or another user's. */
export const LOCK_WAIT_MS = 30_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One synth at a time per output root: the ownership checks and the writes are one
 * step, so two stacks started together cannot both pass the check; a second synth
 * waits for the first. A lock left by a killed synth (its pid gone) is taken over,
 * and the staging folders it left are swept.
 */
function lockOutput(root: string, shownRoot: string, waitMs = LOCK_WAIT_MS): () => void {
  const lock = join(root, LOCK);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder = NaN;
      try {
        holder = Number(readFileSync(lock, 'utf8').trim());
      } catch {
        continue; // released between the two calls
      }
      if (!(Number.isInteger(holder) && holder > 0 && alive(holder))) {
        rmSync(lock, { force: true }); // its synth was killed
        continue;
      }
      if (Date.now() > deadline) {
        throw new ProblemError(`synth: another synth (pid ${holder}) is still writing to ${shownRoot} after ${waitMs / 1000} s; nothing was written.\nfix: wait for it to finish; if no synth runs, remove ${join(shownRoot, LOCK)}`);
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    }
  }
  for (const e of readdirSync(join(root, 'tmp'))) if (/^synth-/.test(e)) rmSync(join(root, 'tmp', e), { recursive: true, force: true });
  return () => rmSync(lock, { force: true });
}

function writeLocked(root: string, files: readonly OutputFile[], options: WriteOptions, shownRoot: string, realRoot: string | undefined): WriteResult {
  for (const f of [MANIFEST, ...files.map((x) => x.path)]) checkPath(root, realRoot, shownRoot, f, 'file');
  const manifest = readManifest(root);
  let tookOver: string | undefined;
  if (manifest?.stack !== undefined && manifest.stack !== options.stack) {
    if (!options.force) {
      throw new ProblemError(
        `synth: ${shownRoot} holds the output of stack "${manifest.stack}" (${specOf(manifest)}; see ${MANIFEST}); writing stack "${options.stack}" there would replace and remove its files.\n` +
          `fix: give each stack its own output folder with --out DIR (a --spec without --out writes to dist/stacks/${options.stack}/), or pass --force to take that output over`,
      );
    }
    tookOver = manifest.stack;
  }
  const before = ownedFiles(root, manifest);
  const owned = new Set(manifest ? [...before, MANIFEST] : before);
  const next = new Set(files.map((f) => f.path));
  const removed = before.filter((f) => !next.has(f));
  for (const f of removed) checkPath(root, realRoot, shownRoot, f, 'file');
  const colliding = [...next].filter((f) => lstat(join(root, f)) !== undefined && !owned.has(f)).sort();
  if (colliding.length && !options.force) {
    throw new ProblemError(
      `synth: ${colliding.length === 1 ? 'this file was' : 'these files were'} not written by synth, and synth would write over ${colliding.length === 1 ? 'it' : 'them'}:\n${colliding.map((f) => `  ${join(shownRoot, f)}`).join('\n')}\n` +
        'fix: move them away, choose another --out DIR, or pass --force to replace them',
    );
  }
  const staging = mkdtempSync(join(root, 'tmp', 'synth-'));
  const realNow = realpathSync(root);
  // Checked again just before each rename and removal: a link swapped in since the checks above
  // is refused then (Node has no openat/renameat to close the gap entirely).
  const place = (path: string, staged: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    checkPath(root, realNow, shownRoot, path, 'file');
    renameSync(staged, join(root, path));
  };
  try {
    for (const f of files) {
      mkdirSync(dirname(join(staging, f.path)), { recursive: true });
      writeFileSync(join(staging, f.path), f.content);
    }
    const widened = join(staging, 'widened-manifest.json');
    const wide: Manifest = { stack: options.stack, files: [...new Set([...before, ...next])].sort() };
    writeFileSync(widened, `${JSON.stringify(wide, null, 2)}\n`);
    place(MANIFEST, widened);
    for (const f of files) if (f.path !== MANIFEST) place(f.path, join(staging, f.path));
    for (const f of removed) {
      checkPath(root, realNow, shownRoot, f, 'file');
      rmSync(join(root, f), { force: true });
      removeEmptyParents(root, f);
    }
    if (next.has(MANIFEST)) place(MANIFEST, join(staging, MANIFEST));
    return { removed, foreign: foreignFiles(root, files), replaced: colliding, tookOver };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
