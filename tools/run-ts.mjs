#!/usr/bin/env node
// Runs a TypeScript entry point with plain Node: esbuild bundles the workspace
// sources (node_modules stay external) into a cached .mjs keyed by the content
// of every input file, so an unchanged program costs one read and hash per
// input (a few ms) instead of a rebuild.
// ts-node/tsx cost 1-3 s of start-up for the same work.
//
// Run it as `node -- tools/run-ts.mjs <entry.ts> [args...]` (as the `infra` npm script does)
// when the arguments may hold `--env-file`: Node 20 takes `--env-file` as its own option
// anywhere before a `--`, even after the script's name (nodejs/node#54232), and exits 9
// ("node: F: not found") or hangs on a fifo before this file runs. The program still gets
// exactly the arguments after the entry.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [entryArg, ...args] = process.argv.slice(2);
if (!entryArg) {
  console.error('usage: node -- tools/run-ts.mjs <entry.ts> [args...]');
  process.exit(2);
}
const entry = resolve(entryArg);
const cacheDir = join(root, 'node_modules', '.cache', 'run-ts');
const key = createHash('sha256').update(entry).digest('hex').slice(0, 16);
const manifestPath = join(cacheDir, `${key}.json`);
const outPath = join(cacheDir, `${key}.mjs`);

function inputsDigest(files) {
  const h = createHash('sha256');
  for (const f of files) {
    if (!existsSync(f)) return null;
    h.update(f).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

let fresh = false;
if (existsSync(manifestPath) && existsSync(outPath)) {
  const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
  // A missing input (null) is never fresh: a manifest naming files that are not there proves nothing.
  const digest = inputsDigest(m.inputs);
  fresh = digest !== null && digest === m.digest;
}
if (!fresh) {
  mkdirSync(cacheDir, { recursive: true });
  const tmpOut = `${outPath}.${process.pid}.tmp.mjs`;
  // Loaded only on a rebuild: an unchanged program never pays for esbuild.
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    tsconfig: join(root, 'tsconfig.base.json'),
    outfile: tmpOut,
    metafile: true,
    sourcemap: 'inline',
    logLevel: 'error',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  // esbuild names inputs relative to its working directory (this process's, not the repo root's).
  const inputs = Object.keys(result.metafile.inputs).map((p) => resolve(p)).sort();
  renameSync(tmpOut, outPath);
  writeFileSync(manifestPath, JSON.stringify({ inputs, digest: inputsDigest(inputs) }));
}
process.argv = [process.argv[0], entry, ...args];
await import(pathToFileURL(outPath).href);
