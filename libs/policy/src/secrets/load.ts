import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { AllowEntry, TextFile } from './model';

const SKIP_DIRS = new Set(['.git', 'node_modules', '.nx']);
const MAX_BYTES = 5 * 1024 * 1024;

export class ScanInputError extends Error {}

function walk(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? (SKIP_DIRS.has(e.name) ? [] : walk(join(path, e.name))) : [join(path, e.name)]));
}

/** Text files under the paths; binaries (a NUL byte) and files over 5 MB are skipped. */
export function loadTextFiles(paths: readonly string[], cwd = process.cwd()): TextFile[] {
  const files: TextFile[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) throw new ScanInputError(`${p}: not found; fix: pass directories that exist (e.g. dist docker)`);
    for (const f of walk(abs)) {
      // A link to a folder or to nothing is not a text file here (links are not followed into folders).
      let st;
      try {
        st = statSync(f);
      } catch {
        continue;
      }
      if (!st.isFile() || st.size > MAX_BYTES) continue;
      const buf = readFileSync(f);
      if (buf.subarray(0, 8192).includes(0)) continue;
      files.push({ path: relative(cwd, f), text: buf.toString('utf8') });
    }
  }
  return files;
}

export function parseAllowList(text: string, file: string, knownRules: ReadonlySet<string>): AllowEntry[] {
  let raw: any;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ScanInputError(`${file}: not valid JSON (${(e as Error).message}); fix: write {"allow": [...]}`);
  }
  if (!Array.isArray(raw?.allow)) throw new ScanInputError(`${file}: allow: must be an array; fix: write {"allow": []}`);
  const errors: string[] = [];
  raw.allow.forEach((a: any, i: number) => {
    const at = `${file}: allow[${i}]`;
    if (!knownRules.has(a?.rule)) errors.push(`${at}.rule: ${JSON.stringify(a?.rule)} is not a secrets rule id; fix: use one the CLI prints`);
    for (const field of ['file', 'match']) {
      if (typeof a?.[field] !== 'string' || a[field] === '') errors.push(`${at}.${field}: missing; fix: give the file path and the exact literal allowed`);
    }
    if (typeof a?.reason !== 'string' || a.reason.trim().length < 10) errors.push(`${at}.reason: missing or too short; fix: say why the literal is safe`);
  });
  if (errors.length > 0) throw new ScanInputError(errors.join('\n'));
  return raw.allow;
}
