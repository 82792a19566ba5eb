import { dockerfilePath, MAX_CONFIG_BYTES, type SpecIssue, type StackSpec } from '@todo/service-spec';
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { InputError } from './errors';

/** Where a repo-relative path really is: missing, inside the repo, or (through `..` or a symlink) outside it. */
export function repoPath(repoRoot: string, rel: string): { state: 'missing' } | { state: 'outside'; real: string } | { state: 'inside'; real: string } {
  if (isAbsolute(rel)) return { state: 'outside', real: rel };
  let real: string;
  try {
    real = realpathSync(join(repoRoot, rel));
  } catch {
    // A path that does not resolve may still climb out (`../x`), which is the finding that matters.
    return relative(repoRoot, join(repoRoot, rel)).split(sep)[0] === '..' ? { state: 'outside', real: join(repoRoot, rel) } : { state: 'missing' };
  }
  const root = realpathSync(repoRoot);
  const rest = relative(root, real);
  return rest === '' || (!rest.startsWith(`..${sep}`) && rest !== '..' && !isAbsolute(rest)) ? { state: 'inside', real } : { state: 'outside', real };
}

/** Throws unless a build context resolves inside the repo: nothing outside it is ever hashed or sent to Docker. */
export function assertContextInRepo(repoRoot: string, context: string): void {
  const where = repoPath(repoRoot, context);
  if (where.state === 'outside') throw new InputError(`build context "${context}" resolves to ${where.real}, outside the repository ${repoRoot}`);
}

/**
 * The checks of a spec that need the repo on disk: build contexts and
 * Dockerfiles exist, and they, `files[].source` and `dev.mounts[].source` stay
 * inside the repository after following every symlink; the config files of a
 * service (inline and from sources) fit their ConfigMap. Reads no file's content.
 */
export function repoPathIssues(spec: StackSpec, repoRoot: string): SpecIssue[] {
  const out: SpecIssue[] = [];
  const inside = (rel: string, path: string, what: string, kind: 'file' | 'directory' | 'any'): number | undefined => {
    const where = repoPath(repoRoot, rel);
    if (where.state === 'outside') {
      out.push({ path, message: `"${rel}" resolves to ${where.real}, outside the repository; ${what} must be inside it (a symlink is followed): fix: copy what you need into the repo` });
      return undefined;
    }
    if (where.state === 'missing') {
      if (kind !== 'any') out.push({ path, message: `${what} "${rel}" does not exist (build contexts, file sources and mounts are relative to the repo root; a Dockerfile is relative to its build context)` });
      return undefined;
    }
    const st = statSync(where.real);
    if (kind === 'file' && !st.isFile()) out.push({ path, message: `${what} "${rel}" is not a regular file` });
    else if (kind === 'directory' && !st.isDirectory()) out.push({ path, message: `${what} "${rel}" is not a directory` });
    else return st.size;
    return undefined;
  };
  for (const s of spec.services) {
    const p = `services.${s.name}`;
    const b = s.image.build;
    if (b) {
      // The Dockerfile is relative to the context: one finding when the context itself is wrong.
      if (inside(b.context, `${p}.image.build.context`, 'the build context', 'directory') !== undefined) inside(dockerfilePath(b), `${p}.image.build.dockerfile`, 'the Dockerfile', 'file');
    }
    let configBytes = 0;
    (s.files ?? []).forEach((f, i) => {
      if (f.content !== undefined) configBytes += Buffer.byteLength(f.content, 'utf8');
      if (f.source !== undefined) configBytes += inside(f.source, `${p}.files[${i}].source`, 'a file source', 'file') ?? 0;
    });
    if (configBytes > MAX_CONFIG_BYTES) out.push({ path: `${p}.files`, message: `the config files are ${configBytes} bytes together; their ConfigMap holds at most ${MAX_CONFIG_BYTES} (1 MiB): ship large files in the image` });
    (s.dev?.mounts ?? []).forEach((m, i) => inside(m.source, `${p}.dev.mounts[${i}].source`, 'a development mount', 'any'));
  }
  return out;
}
