#!/usr/bin/env node
// Builds images from a stack's build plan unless the engine already holds
// their content-hash tags. The engine is the cache: Nx never caches this
// target, so a cache hit can never claim an image exists that is not there.
//   node scripts/docker-build.mjs [--spec FILE] [--tag REF] <service|repository>...
// The Nx plugin (tools/nx-plugin) writes one such command per inferred
// docker-build target; --spec defaults to the todo stack. Services that share
// a build are built once and tagged for each repository. --tag builds
// unconditionally under another ref (tests rebuild the same inputs with it).
// Env: DOCKER, TODO_IMAGE_MIRRORS (base-image mirrors), TODO_ALLOW_PULL, and any
// ARG the Dockerfile declares besides its base images (e.g. PIP_INDEX_URL),
// passed on when set, as `docker build --build-arg NAME` does.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { detectDocker } = createRequire(import.meta.url)('./docker-tools.cjs');
const USAGE = 'usage: node scripts/docker-build.mjs [--spec FILE] [--tag REF] <service|repository>...';

function fail(msg) {
  console.error(`docker-build: ${msg}`);
  process.exit(1);
}

let args;
try {
  args = parseArgs({ options: { spec: { type: 'string' }, tag: { type: 'string' } }, allowPositionals: true, strict: true });
} catch (e) {
  fail(`${e.message}\n${USAGE}`);
}
const { values, positionals: wanted } = args;
if (wanted.length === 0) fail(USAGE);

const tool = detectDocker();
if (tool.problem) fail(tool.problem);
const DOCKER = tool.docker;
if (spawnSync(DOCKER, ['info'], { stdio: 'ignore' }).status !== 0) fail(`no Docker engine answers ${DOCKER}; run scripts/ensure-docker.sh`);

const planArgs = ['tools/run-ts.mjs', 'libs/build-inputs/src/cli.ts', 'plan', ...(values.spec ? ['--spec', values.spec] : [])];
const planRun = spawnSync(process.execPath, planArgs, { cwd: root, encoding: 'utf8' });
if (planRun.status !== 0) fail(`cannot plan the images: ${(planRun.stderr || planRun.stdout).trim()}`);
const plan = JSON.parse(planRun.stdout);

const chosen = new Set();
for (const w of wanted) {
  const index = plan.services[w]?.build ?? plan.builds.findIndex((b) => b.repositories.includes(w));
  if (index < 0) {
    const known = [...Object.keys(plan.services), ...plan.builds.flatMap((b) => b.repositories)];
    fail(`"${w}" is neither a built service nor a repository of stack "${plan.stack}" (known: ${[...new Set(known)].sort().join(', ')})\n${USAGE}`);
  }
  chosen.add(index);
}
if (values.tag && chosen.size !== 1) fail('--tag needs exactly one image');

const imageExists = (ref) => spawnSync(DOCKER, ['image', 'inspect', ref], { stdio: 'ignore' }).status === 0;

/** ARGs the Dockerfile declares (any stage). */
function declaredArgs(dockerfile) {
  const names = new Set();
  for (const m of readFileSync(join(root, dockerfile), 'utf8').matchAll(/^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)/gim)) names.add(m[1]);
  return names;
}

// A build container reaches the host's loopback only through the host network.
const LOOPBACK = /\/\/(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?(\/|$)/;

function build(b) {
  const refs = values.tag ? [values.tag] : b.refs;
  if (!values.tag && refs.every(imageExists)) {
    console.log(`docker-build: ${refs.join(', ')} up to date`);
    return;
  }
  const missing = Object.values(b.buildArgs).filter((base) => !imageExists(base));
  if (missing.length > 0 && !process.env.TODO_ALLOW_PULL) {
    // No registry on air-gapped machines: a pull would hang or fail obscurely.
    fail(
      `base image(s) ${missing.join(', ')} are not in the local engine.\n` +
        '  Without a registry, build stand-ins and use them:\n' +
        '    scripts/offline-bases.sh && export TODO_IMAGE_MIRRORS=scripts/offline-mirrors.json\n' +
        '  With a registry, pull them (docker pull <image>) or set TODO_ALLOW_PULL=1.',
    );
  }
  const cmd = [...tool.build, '-f', b.dockerfile];
  for (const ref of refs) cmd.push('-t', ref);
  for (const [k, v] of Object.entries(b.buildArgs)) cmd.push('--build-arg', `${k}=${v}`);
  let hostNetwork = false;
  for (const name of [...declaredArgs(b.dockerfile)].sort()) {
    const value = process.env[name];
    if (name in b.buildArgs || !value) continue;
    cmd.push('--build-arg', `${name}=${value}`);
    hostNetwork ||= LOOPBACK.test(value);
  }
  if (hostNetwork) cmd.push('--network=host');
  cmd.push(b.context);
  const bases = b.mirroredArgs.length
    ? ` on stand-in bases (${b.mirroredArgs.map((a) => `${a}=${b.buildArgs[a]} for ${b.baseImages[a]}`).join(', ')})`
    : '';
  console.log(`docker-build: building ${refs.join(', ')}${bases}`);
  const started = Date.now();
  const r = spawnSync('nice', [DOCKER, ...cmd], { cwd: root, stdio: 'inherit', env: { ...process.env, ...tool.buildEnv } });
  if (r.status !== 0) fail(`docker build of ${refs.join(', ')} failed (exit ${r.status})`);
  console.log(`docker-build: built ${refs.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

for (const index of [...chosen].sort()) build(plan.builds[index]);
