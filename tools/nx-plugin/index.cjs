// Nx loads this file through the @todo/nx-plugin package (tools/nx-plugin/package, nx.json "plugins"). The plugin is TypeScript that reuses
// @todo/build-inputs; esbuild bundles it into a cached CommonJS file keyed by
// the content of every bundled source, so an unchanged plugin costs one read
// and hash per input instead of a compile (tools/run-ts.mjs does the same).
'use strict';
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { join, resolve } = require('node:path');

const root = resolve(__dirname, '..', '..');
const cacheDir = join(root, 'node_modules', '.cache', 'nx-plugin');
// Keyed by this checkout's path: clones may share node_modules, never a bundle.
const key = createHash('sha256').update(__dirname).digest('hex').slice(0, 16);
const out = join(cacheDir, `${key}.cjs`);
const manifest = join(cacheDir, `${key}.json`);

function digest(files) {
  const h = createHash('sha256');
  for (const f of files) {
    if (!existsSync(f)) return null;
    h.update(f).update('\0').update(readFileSync(f)).update('\0');
  }
  return h.digest('hex');
}

const m = existsSync(manifest) && existsSync(out) ? JSON.parse(readFileSync(manifest, 'utf8')) : undefined;
if (!m || digest(m.inputs) !== m.digest) {
  const { buildSync } = require('esbuild');
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  const r = buildSync({
    entryPoints: [join(__dirname, 'src', 'plugin.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    tsconfig: join(root, 'tsconfig.base.json'),
    outfile: tmp,
    metafile: true,
    logLevel: 'error',
    absWorkingDir: root,
  });
  const inputs = Object.keys(r.metafile.inputs).map((p) => resolve(root, p)).sort();
  renameSync(tmp, out);
  writeFileSync(manifest, JSON.stringify({ inputs, digest: digest(inputs) }));
}
module.exports = require(out);
