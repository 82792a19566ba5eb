// Which images a revision's compose file runs on this machine, built from that revision's sources.
//
// A compose file names images built on the official bases. A machine without a registry builds
// on stand-in bases (TODO_IMAGE_MIRRORS), and an image built on a stand-in never carries the
// official ref: the bench runs a rewritten copy of the compose file that names what was built
// here, and says which bases stood in (as the compose e2e suite does, with an override file).
//
// Two generations of build tooling are handled:
//  - `images plan` (apps/infra/src/cli.ts): the plan's tag covers the resolved bases, so the
//    ref built here differs from the official one; map official ref -> ref built here.
//  - the older `libs/build-inputs` CLI: its tag covers the sources only, so a stand-in build would
//    carry the official ref. Such a revision is built under a bench-private ref instead, whose
//    tag covers the revision and the ids of the bases it was built on.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const here = resolve(new URL('../..', import.meta.url).pathname);

const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
const tryRun = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', ...opts });

// The one detection of this checkout (scripts/docker-tools.cjs) also serves an older checkout's build.
const tools = createRequire(import.meta.url)('../../scripts/docker-tools.cjs');
export const DOCKER = tools.detectDocker().docker;
export const COMPOSE = tools.detectCompose().command;
const imageId = (ref) => {
  const r = tryRun(DOCKER, ['image', 'inspect', '-f', '{{.Id}}', ref]);
  return r.status === 0 ? r.stdout.trim() : null;
};

export function readMirrors() {
  const file = process.env.TODO_IMAGE_MIRRORS;
  if (!file) return {};
  try {
    return JSON.parse(readFileSync(resolve(file), 'utf8'));
  } catch (e) {
    throw new Error(`TODO_IMAGE_MIRRORS=${file}: cannot read the mirror map (${e.message}); point it at a JSON object like scripts/offline-mirrors.json`);
  }
}

/** A checkout of rev: this working tree for WORKTREE, else a detached git worktree with its own node_modules. */
export function checkoutOf(rev) {
  if (rev === 'WORKTREE') return here;
  const sha = sh('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: here }).trim();
  const dir = process.env.BENCH_BASE_CHECKOUT ?? `/tmp/bench-base-${sha.slice(0, 12)}`;
  if (!existsSync(join(dir, '.git'))) sh('git', ['worktree', 'add', '--detach', dir, sha], { cwd: here });
  const head = sh('git', ['rev-parse', 'HEAD'], { cwd: dir }).trim();
  if (head !== sha) throw new Error(`${dir} is at ${head}, not ${rev} (${sha}); remove it (git worktree remove ${dir}) or set BENCH_BASE_CHECKOUT`);
  if (!existsSync(join(dir, 'node_modules'))) {
    process.stderr.write(`bench: npm ci in ${dir}\n`);
    sh('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return dir;
}

function runTs(dir, args) {
  return tryRun(process.execPath, ['tools/run-ts.mjs', ...args], { cwd: dir });
}

/**
 * For the compose file of the checkout in dir: { yaml, images: official ref -> ref run here,
 * builds: [{ ref, built, bases: [ 'ARG=stand-in for official' ] }], toBuild: [[cmd, args]] }.
 */
export function planOf(dir, rev) {
  const yaml = readFileSync(join(dir, 'docker/docker-compose.yml'), 'utf8');
  const composeImages = [...new Set([...yaml.matchAll(/^\s+image: (\S+)$/gm)].map((m) => m[1]))];
  const mirrors = readMirrors();
  const images = {};
  const builds = [];
  const plan = (extra) => runTs(dir, ['apps/infra/src/cli.ts', 'images', 'plan', ...extra]);
  const current = plan([]);
  if (current.status === 0) {
    const ours = JSON.parse(current.stdout);
    const official = JSON.parse(plan(['--official']).stdout);
    for (const [i, b] of ours.builds.entries()) {
      b.refs.forEach((ref, k) => (images[official.builds[i].refs[k]] = ref));
      builds.push({
        refs: b.refs,
        services: b.services,
        bases: b.mirroredArgs.map((a) => `${a}=${b.buildArgs[a]} standing in for ${b.baseImages[a]}`),
        build: () => sh(process.execPath, ['scripts/docker-build.mjs', ...b.services], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] }),
      });
    }
  } else if (existsSync(join(dir, 'libs/build-inputs/src/cli.ts'))) {
    const sha = sh('git', ['rev-parse', 'HEAD'], { cwd: dir }).trim();
    for (const service of composeServices(yaml)) {
      const ref = runTs(dir, ['libs/build-inputs/src/cli.ts', 'ref', service]);
      if (ref.status !== 0) continue; // not built from the repo (postgres) or sharing another's image
      const official = ref.stdout.trim();
      if (Object.hasOwn(images, official)) continue;
      const args = runTs(dir, ['libs/build-inputs/src/cli.ts', 'build-args', service]).stdout.trim().split('\n').filter(Boolean);
      const ids = args.map((kv) => `${kv}@${imageId(kv.slice(kv.indexOf('=') + 1)) ?? 'missing'}`);
      const tag = createHash('sha256').update([sha, ...ids].join('\n')).digest('hex').slice(0, 12);
      const repo = official.slice(0, official.lastIndexOf(':'));
      const benchRef = `${repo}:bench-${sha.slice(0, 7)}-${tag}`;
      images[official] = benchRef;
      const bases = args
        .filter((kv) => Object.values(mirrors).includes(kv.slice(kv.indexOf('=') + 1)))
        .map((kv) => `${kv} standing in for ${Object.keys(mirrors).find((k) => mirrors[k] === kv.slice(kv.indexOf('=') + 1))}`);
      builds.push({
        refs: [benchRef],
        services: [service],
        bases,
        build: () => sh(process.execPath, ['scripts/docker-build.mjs', service, '--tag', benchRef], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] }),
      });
    }
  } else {
    throw new Error(`${rev}: neither \`images plan\` nor libs/build-inputs answers in ${dir}: ${current.stderr.trim()}`);
  }
  // A commit made between a source change and the synth that followed it has a compose file that
  // names the previous tag of an image the repo builds. That revision's sources are what its build
  // makes, so the stale ref runs as the image built from them, and the provenance says so.
  const stale = [];
  for (const img of composeImages) {
    if (Object.hasOwn(images, img) || !img.includes(':')) continue;
    const repo = img.slice(0, img.lastIndexOf(':'));
    const same = Object.keys(images).filter((o) => o.slice(0, o.lastIndexOf(':')) === repo);
    if (same.length === 1) {
      images[img] = images[same[0]];
      stale.push(`${img} (the compose file's stale tag; its sources build ${same[0]})`);
    }
  }
  // Images not built from the repo (postgres) run from the machine's mirror, as the builds do.
  const runtime = [];
  for (const img of composeImages) {
    if (Object.hasOwn(images, img)) continue;
    if (mirrors[img]) {
      images[img] = mirrors[img];
      runtime.push(img);
    }
  }
  const rewritten = yaml.replace(/^(\s+image: )(\S+)$/gm, (_, lead, img) => lead + (images[img] ?? img));
  return { yaml: rewritten, images, builds, runtime, composeImages, stale };
}

function composeServices(yaml) {
  const block = yaml.split(/^services:\n/m)[1] ?? '';
  return [...block.matchAll(/^ {2}([a-z0-9][a-z0-9-]*):$/gm)].map((m) => m[1]);
}

/** Builds what the engine lacks; returns the refs still missing (none when the builds worked). */
export function ensureBuilt(p) {
  for (const b of p.builds) if (!b.refs.every(imageId)) b.build();
  return Object.values(p.images).filter((ref) => !imageId(ref));
}

export const missingImages = (p) => [...new Set(Object.values(p.images).concat(p.composeImages.filter((i) => !p.images[i])))].filter((ref) => !imageId(ref));

export function describe(name, rev, p) {
  const lines = [`${name} (${rev}):`];
  for (const [official, ref] of Object.entries(p.images)) lines.push(`  ${official} runs as ${ref}${p.runtime.includes(official) ? ' (stand-in image)' : ''}`);
  for (const b of p.builds) lines.push(`  ${b.refs.join(', ')} built here${b.bases.length ? ` on stand-in bases: ${b.bases.join('; ')}` : ' on the official bases'}`);
  for (const s of p.stale ?? []) lines.push(`  ${s}`);
  return lines.join('\n');
}
