#!/usr/bin/env node
// Builds one service image unless the engine already holds its content-hash
// tag. The engine is the cache: Nx never caches this target, so a cache hit
// can never claim an image exists that is not there.
//   node scripts/docker-build.mjs <backend|frontend> [--tag <ref>]
// --tag builds unconditionally under another ref (tests use it to rebuild the
// same inputs without touching the real tag).
// Env: TODO_IMAGE_MIRRORS (base-image mirror map), PIP_INDEX_URL (wheel index
// for the backend build; the build then uses --network=host to reach it).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DOCKER = '/usr/bin/docker'; // the 20.10 client builds with BuildKit without buildx
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [service, flag, forcedRef] = process.argv.slice(2);

function fail(msg) {
  console.error(`docker-build: ${msg}`);
  process.exit(1);
}

function buildInputs(cmd) {
  const r = spawnSync(process.execPath, [join(root, 'tools/run-ts.mjs'), 'libs/build-inputs/src/cli.ts', cmd, service], {
    cwd: root,
    encoding: 'utf8',
  });
  if (r.status !== 0) fail(`cannot compute "${cmd}" for "${service}": ${(r.stderr || r.stdout).trim()}`);
  return r.stdout.trim();
}

const imageExists = (ref) => spawnSync(DOCKER, ['image', 'inspect', ref], { stdio: 'ignore' }).status === 0;

if (!['backend', 'frontend'].includes(service ?? '') || (flag !== undefined && (flag !== '--tag' || !forcedRef))) {
  fail('usage: node scripts/docker-build.mjs <backend|frontend> [--tag <ref>]');
}
if (spawnSync(DOCKER, ['info'], { stdio: 'ignore' }).status !== 0) {
  fail(`no Docker engine answers ${DOCKER}; run scripts/ensure-docker.sh`);
}

const ref = forcedRef ?? buildInputs('ref');
if (!forcedRef && imageExists(ref)) {
  console.log(`docker-build: ${ref} up to date`);
  process.exit(0);
}

const args = buildInputs('build-args').split('\n').filter(Boolean);
const missing = args.map((kv) => kv.slice(kv.indexOf('=') + 1)).filter((base) => !imageExists(base));
if (missing.length > 0 && !process.env.TODO_ALLOW_PULL) {
  // No registry on air-gapped machines: a pull would hang or fail obscurely.
  fail(
    `base image(s) ${missing.join(', ')} are not in the local engine.\n` +
      '  Without a registry, build stand-ins and use them:\n' +
      '    scripts/offline-bases.sh && export TODO_IMAGE_MIRRORS=scripts/offline-mirrors.json\n' +
      '  With a registry, pull them (docker pull <image>) or set TODO_ALLOW_PULL=1.',
  );
}

const cmd = ['build', '-f', `docker/${service}/Dockerfile`, '-t', ref];
for (const kv of args) cmd.push('--build-arg', kv);
if (process.env.PIP_INDEX_URL && service === 'backend') {
  cmd.push('--build-arg', `PIP_INDEX_URL=${process.env.PIP_INDEX_URL}`, '--network=host');
}
cmd.push('.');
console.log(`docker-build: building ${ref}`);
const started = Date.now();
const r = spawnSync('nice', [DOCKER, ...cmd], { cwd: root, stdio: 'inherit', env: { ...process.env, DOCKER_BUILDKIT: '1' } });
if (r.status !== 0) fail(`docker build of ${ref} failed (exit ${r.status})`);
console.log(`docker-build: built ${ref} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
