import dockerignore from '@balena/dockerignore';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';

/**
 * The ignore file Docker (BuildKit) applies: `<Dockerfile>.dockerignore` beside
 * the Dockerfile wins over `<context>/.dockerignore`. Any other location is
 * silently unused by Docker, so it is unused here too.
 */
export function ignoreFileFor(repoRoot: string, context: string, dockerfile: string): string | undefined {
  const specific = join(repoRoot, `${dockerfile}.dockerignore`);
  if (existsSync(specific)) return `${dockerfile}.dockerignore`;
  const generic = posix.join(context, '.dockerignore');
  return existsSync(join(repoRoot, generic)) ? generic : undefined;
}

function patternsOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** Literal directory prefix of a pattern, up to its first wildcard. */
function literalPrefix(pattern: string): string {
  const cut = pattern.search(/[*?[\\]/);
  return cut < 0 ? pattern : pattern.slice(0, cut);
}

/**
 * The files of the build context that the ignore rules keep, as sorted
 * context-relative posix paths: what Docker sends to the engine.
 */
export function contextFiles(repoRoot: string, context: string, dockerfile: string): string[] {
  const ignoreFile = ignoreFileFor(repoRoot, context, dockerfile);
  const patterns = ignoreFile ? patternsOf(readFileSync(join(repoRoot, ignoreFile), 'utf8')) : [];
  const ig = dockerignore({ ignorecase: false }).add(patterns);
  const exceptions = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1).replace(/^\/+/, ''));
  const contextDir = join(repoRoot, context);
  const out: string[] = [];

  // An ignored directory is only entered when an exception could re-include something below it:
  // one that names a deeper path, or a wildcard one that starts above it. A literal exception
  // above it was already outweighed by the later rule that ignores the directory itself.
  const mayReinclude = (dir: string) =>
    exceptions.some((e) => {
      const prefix = literalPrefix(e);
      if (prefix.startsWith(`${dir}/`)) return true;
      const above = prefix === '' || `${dir}/`.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
      return above && prefix !== e;
    });

  const walk = (rel: string): void => {
    const entries = readdirSync(join(contextDir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (ig.ignores(path) && !mayReinclude(path)) continue;
        walk(path);
      } else if (!ig.ignores(path)) {
        out.push(path);
      }
    }
  };
  walk('');
  return out;
}

/** What of a file Docker's COPY carries: content, executable bit, symlink target. */
export function fileFingerprint(absPath: string): Buffer {
  const st = lstatSync(absPath);
  if (st.isSymbolicLink()) return Buffer.from(`symlink\0${readlinkSync(absPath)}`);
  const mode = st.mode & 0o111 ? 'x' : '-';
  return Buffer.concat([Buffer.from(`${mode}\0`), readFileSync(absPath)]);
}
