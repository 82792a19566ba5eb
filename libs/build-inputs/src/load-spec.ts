import { MAX_SPEC_BYTES, type StackSpec } from '@todo/service-spec';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';

function digestOf(files: readonly string[]): string | null {
  const h = createHash('sha256');
  for (const f of files) {
    if (!existsSync(f)) return null;
    h.update(f).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

/**
 * A `.ts` spec compiled by esbuild into a cached CommonJS file, keyed by the
 * content of every file it bundles: an unchanged spec costs one hash per input.
 */
function loadTsSpec(file: string, cacheRoot: string): unknown {
  const cacheDir = join(cacheRoot, 'node_modules', '.cache', 'specs');
  const key = createHash('sha256').update(file).digest('hex').slice(0, 16);
  const out = join(cacheDir, `${key}.cjs`);
  const manifest = join(cacheDir, `${key}.json`);
  const m = existsSync(manifest) && existsSync(out) ? (JSON.parse(readFileSync(manifest, 'utf8')) as { inputs: string[]; digest: string }) : undefined;
  if (!m || digestOf(m.inputs) !== m.digest) {
    const { buildSync } = require('esbuild') as typeof import('esbuild');
    mkdirSync(cacheDir, { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    const r = buildSync({ entryPoints: [file], bundle: true, platform: 'node', format: 'cjs', packages: 'external', outfile: tmp, metafile: true, logLevel: 'silent', absWorkingDir: cacheRoot });
    const inputs = Object.keys(r.metafile!.inputs).map((p) => resolve(cacheRoot, p)).sort();
    renameSync(tmp, out);
    writeFileSync(manifest, JSON.stringify({ inputs, digest: digestOf(inputs) }));
  }
  delete require.cache[out];
  const mod = require(out) as Record<string, unknown>;
  const specs = Object.values(mod).filter((v) => typeof v === 'object' && v !== null && 'services' in v && 'name' in v);
  if (mod.default) return mod.default;
  if (specs.length !== 1) throw new Error(`${file}: export exactly one stack spec (a default export, or one exported object with name and services); found ${specs.length}`);
  return specs[0];
}

/** Reads a stack spec file: JSON, YAML, or TypeScript exporting the spec. The shape is checked by resolve/validate. */
export function loadSpecFile(file: string, repoRoot: string): StackSpec {
  const abs = resolve(repoRoot, file);
  if (!existsSync(abs)) throw new Error(`spec file "${file}" does not exist`);
  // The CLI's cap (apps/infra/src/spec-file.ts), checked before anything is parsed.
  if (statSync(abs).size > MAX_SPEC_BYTES) throw new Error(`spec file "${file}" is ${statSync(abs).size} bytes; a spec is at most ${MAX_SPEC_BYTES} (1 MiB)`);
  if (/\.[cm]?ts$/.test(abs)) return loadTsSpec(abs, repoRoot) as StackSpec;
  if (/\.ya?ml$/.test(abs)) {
    // As the CLI reads it (apps/infra/src/spec-file.ts): unique keys, merge keys.
    const lineCounter = new LineCounter();
    const doc = parseDocument(readFileSync(abs, 'utf8'), { prettyErrors: false, uniqueKeys: true, merge: true, lineCounter });
    const first = doc.errors[0];
    if (first) {
      const at = lineCounter.linePos(first.pos[0]);
      throw new Error(`spec file "${file}" is not valid YAML: line ${at.line}, column ${at.col}: ${first.message.split('\n')[0]}`);
    }
    return doc.toJS() as StackSpec;
  }
  try {
    return JSON.parse(readFileSync(abs, 'utf8')) as StackSpec;
  } catch (e) {
    throw new Error(`spec file "${file}" is not valid JSON: ${(e as Error).message}`);
  }
}

