// Bundles a TypeScript entry point with esbuild (the workspace sources bundled, node_modules
// external) into a cached .mjs keyed by the content of every input file: an unchanged program
// costs one read and hash per input (a few ms) instead of a rebuild. tools/run-ts.mjs runs an
// entry this way; plain-Node scripts import a workspace module with importTs, so that they
// share its code (scripts/image-security.mjs reads the waivers file with libs/policy's parser).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(root, 'node_modules', '.cache', 'run-ts');

function inputsDigest(files) {
  const h = createHash('sha256');
  for (const f of files) {
    if (!existsSync(f)) return null;
    h.update(f).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

/** The path of the current bundle of `entry` (an absolute .ts path), made again when any input changed. */
export async function bundleTs(entry) {
  const key = createHash('sha256').update(entry).digest('hex').slice(0, 16);
  const manifestPath = join(cacheDir, `${key}.json`);
  const outPath = join(cacheDir, `${key}.mjs`);
  if (existsSync(manifestPath) && existsSync(outPath)) {
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    // A missing input (null) is never fresh: a manifest naming files that are not there proves nothing.
    const digest = inputsDigest(m.inputs);
    if (digest !== null && digest === m.digest) return outPath;
  }
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
  return outPath;
}

/** The module a workspace TypeScript file exports (path absolute, or relative to the repo root). */
export async function importTs(file) {
  return import(pathToFileURL(await bundleTs(resolve(root, file))).href);
}
