#!/usr/bin/env node
// SBOMs and the vulnerability gate of the built images (issue 17, sections 1 and 2).
//   node scripts/image-security.mjs sbom [--spec FILE] <service|repository>... | --image REF...
//   node scripts/image-security.mjs scan [--spec FILE] [--allow-no-database] [--waivers FILE] <...>
// The Nx plugin (tools/nx-plugin) infers one `sbom` and one `scan` target per image project.
//
// sbom: syft (tools/go-tools/syft) reads the image from `docker save` and writes CycloneDX JSON to
//   tmp/sbom/<repository>-<tag>.cdx.json: OS packages (dpkg, apk), Python distributions and npm
//   packages, with versions and purls. An SBOM that exists is reused while the tag still names the
//   image it describes (its image ID, recorded in the SBOM as metadata property todo:image:id)
//   and the pinned syft release made it; otherwise it is made again.
// scan: osv-scanner (tools/go-tools/osv-scanner) matches that SBOM, offline, against the OSV
//   database found at OSV_DB_MIRROR: a directory or an http(s) URL laid out as OSV's own bucket
//   (osv-vulnerabilities.storage.googleapis.com): <Ecosystem>/all.zip, e.g. PyPI/all.zip,
//   Debian/all.zip, npm/all.zip. A URL's zips are kept in tmp/osv-db/ for OSV_DB_MAX_AGE_HOURS
//   (default 24). The gate fails on a HIGH or CRITICAL finding that has a fixed version, unless
//   the waivers file (libs/policy/waivers.json) holds an unexpired entry
//   {"tool": "osv", "rule": "<advisory id or alias>", "reason": "...", "expires": "YYYY-MM-DD"
//    [, "object": "<repository>"] [, "package": "<name>"]}. A waiver past its expiry day fails the
//   gate. The file is read by libs/policy's parser (libs/policy/src/image/waivers.ts), as every
//   gate reads it.
//   No database: the gate says so, names OSV_DB_MIRROR and fails unless --allow-no-database.
//   Components no OSV ecosystem covers (the interpreters syft finds by their binaries, as
//   pkg:generic/python or pkg:generic/node) are listed per image as "not scanned (no OSV ecosystem)".
// Exit codes: 0 passed, 1 findings / no database / a tool failed, 2 usage.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { importTs } from '../tools/ts-module.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { detectDocker } = createRequire(import.meta.url)('./docker-tools.cjs');
const USAGE =
  'usage: node scripts/image-security.mjs sbom|scan [--spec FILE] [--allow-no-database] [--waivers FILE] <service|repository>...\n' +
  '       node scripts/image-security.mjs sbom|scan [--allow-no-database] [--waivers FILE] --image REPOSITORY:TAG...';
const BIN = process.env.GO_TOOLS_BIN || join(root, 'tmp', 'go-tools', 'bin');
const SBOM_DIR = join(root, 'tmp', 'sbom');
const MIRROR_SETTING = 'OSV_DB_MIRROR';

class Failure extends Error {
  constructor(message, code = 1) {
    super(message);
    this.code = code;
  }
}

// purl type -> OSV ecosystem (the folder of its all.zip in the mirror).
const ECOSYSTEMS = { deb: 'Debian', apk: 'Alpine', pypi: 'PyPI', npm: 'npm', golang: 'Go', cargo: 'crates.io', gem: 'RubyGems', maven: 'Maven', nuget: 'NuGet', composer: 'Packagist' };

function tool(name) {
  const bin = join(BIN, name);
  if (!existsSync(bin)) throw new Failure(`${name} is not built (${relative(root, bin)}); build it: bash tools/go-tools/build.sh ${name}`);
  return bin;
}

/** repository:tag refs from the stack's image plan (or --image). */
function resolveRefs(values, wanted) {
  if (values.image?.length) {
    if (wanted.length) throw new Failure(`give either --image or repositories, not both\n${USAGE}`, 2);
    for (const ref of values.image) if (!/^[^:\s]+:[^:\s/]+$/.test(ref)) throw new Failure(`--image ${ref}: not REPOSITORY:TAG\n${USAGE}`, 2);
    return values.image.map((ref) => ({ ref, repository: ref.slice(0, ref.lastIndexOf(':')), tag: ref.slice(ref.lastIndexOf(':') + 1) }));
  }
  if (wanted.length === 0) throw new Failure(USAGE, 2);
  const planArgs = ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', 'images', 'plan', ...(values.spec ? ['--spec', values.spec] : [])];
  const planRun = spawnSync(process.execPath, planArgs, { cwd: root, encoding: 'utf8' });
  if (planRun.status !== 0) throw new Failure(`cannot plan the images: ${(planRun.stderr || planRun.stdout).trim()}`);
  const plan = JSON.parse(planRun.stdout);
  const refs = [];
  for (const w of wanted) {
    const index = plan.services[w]?.build ?? plan.builds.findIndex((b) => b.repositories.includes(w));
    if (index < 0) throw new Failure(`"${w}" is neither a built service nor a repository of stack "${plan.stack}"\n${USAGE}`, 2);
    const b = plan.builds[index];
    for (const repository of b.repositories) {
      const ref = `${repository}:${b.tag}`;
      if (!refs.some((r) => r.ref === ref)) refs.push({ ref, repository, tag: b.tag });
    }
  }
  return refs;
}

const sbomPath = ({ repository, tag }) => join(SBOM_DIR, `${repository.replace(/[^A-Za-z0-9_.-]+/g, '-')}-${tag}.cdx.json`);

function readSbom(file) {
  try {
    const bom = JSON.parse(readFileSync(file, 'utf8'));
    return bom?.bomFormat === 'CycloneDX' && Array.isArray(bom.components) ? bom : undefined;
  } catch {
    return undefined;
  }
}

/** Components with a purl, counted by purl type (deb, apk, pypi, npm, ...). */
function countByType(bom) {
  const counts = {};
  for (const c of bom.components) {
    const type = /^pkg:([^/]+)\//.exec(c.purl ?? '')?.[1];
    if (type) counts[type] = (counts[type] ?? 0) + 1;
  }
  return counts;
}
const describeCounts = (bom) => Object.entries(countByType(bom)).sort().map(([t, n]) => `${t} ${n}`).join(', ') || 'no packages';

/** The syft release tools/go-tools/syft pins: an SBOM another release wrote is made again. */
function pinnedSyft() {
  const mod = readFileSync(join(root, 'tools', 'go-tools', 'syft', 'go.mod'), 'utf8');
  return /github\.com\/anchore\/syft v(\S+)/.exec(mod)?.[1];
}
const madeBy = (bom) => bom.metadata?.tools?.components?.find((c) => c.name === 'syft')?.version;

/** The SBOM's record of the image it describes: the engine's image ID (`docker image inspect` .Id). */
const IMAGE_ID = 'todo:image:id';
const describedId = (bom) => bom.metadata?.properties?.find((p) => p.name === IMAGE_ID)?.value;
const shortId = (id) => (id ? id.replace(/^sha256:/, '').slice(0, 12) : '(not recorded)');

function sbom(refs) {
  const out = [];
  const syftVersion = pinnedSyft();
  for (const r of refs) {
    const file = sbomPath(r);
    // Any client saves an image (detectDocker's problems are about building).
    const docker = detectDocker();
    const inspect = spawnSync(docker.docker, ['image', 'inspect', '--format', '{{.Id}}', r.ref], { encoding: 'utf8' });
    if (inspect.error) throw new Failure(`cannot run ${docker.docker}: ${inspect.error.message}; install Docker or set DOCKER`);
    if (inspect.status !== 0) {
      throw new Failure(`${r.ref} is not in the local engine; build it first (npx nx run <image project>:docker-build, or node scripts/docker-build.mjs ${r.repository})`);
    }
    const imageId = inspect.stdout.trim();
    // Reused while the tag, the image the tag names and the syft release are the same: a tag
    // can be moved to another image (--image repo:latest, a rebuild under the same tag).
    const existing = readSbom(file);
    if (existing && madeBy(existing) !== syftVersion) {
      console.log(`sbom: ${r.ref}: ${relative(root, file)} was made by syft ${madeBy(existing) ?? '(unknown)'}, not the pinned ${syftVersion}: making it again`);
    } else if (existing && describedId(existing) !== imageId) {
      console.log(`sbom: ${r.ref}: ${relative(root, file)} describes image ${shortId(describedId(existing))}, but the tag now names ${shortId(imageId)}: making it again`);
    } else if (existing) {
      console.log(`sbom: ${r.ref}: reused ${relative(root, file)} (${describeCounts(existing)})`);
      out.push(file);
      continue;
    }
    const syft = tool('syft');
    mkdirSync(SBOM_DIR, { recursive: true });
    const started = Date.now();
    const tar = `${file}.${process.pid}.tar`;
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      const save = spawnSync(docker.docker, ['save', '-o', tar, r.ref], { encoding: 'utf8' });
      if (save.status !== 0) throw new Failure(`docker save ${r.ref} failed: ${save.stderr.trim()}`);
      // Packages only: per-file entries (digests of every file) would bury them.
      const env = { ...process.env, SYFT_CHECK_FOR_APP_UPDATE: 'false', SYFT_FILE_METADATA_SELECTION: 'none' };
      const s = spawnSync(syft, ['scan', `docker-archive:${tar}`, '--source-name', r.repository, '--source-version', r.tag, '-o', `cyclonedx-json=${tmp}`, '-q'], { encoding: 'utf8', env });
      if (s.status !== 0) throw new Failure(`syft failed on ${r.ref} (exit ${s.status}): ${(s.stderr || s.stdout).trim()}`);
      const bom = readSbom(tmp);
      if (!bom) throw new Failure(`syft wrote no CycloneDX SBOM for ${r.ref}`);
      // The image syft read: the one `docker save` wrote, unless the tag moved meanwhile.
      const saved = spawnSync(docker.docker, ['image', 'inspect', '--format', '{{.Id}}', r.ref], { encoding: 'utf8' }).stdout?.trim();
      if (saved !== imageId) throw new Failure(`${r.ref} was retagged while its SBOM was being made (${shortId(imageId)}, now ${shortId(saved)}); run sbom again`);
      bom.metadata = { ...bom.metadata, properties: [...(bom.metadata?.properties ?? []).filter((p) => p.name !== IMAGE_ID), { name: IMAGE_ID, value: imageId }] };
      writeFileSync(tmp, `${JSON.stringify(bom)}\n`);
      renameSync(tmp, file);
      console.log(`sbom: ${r.ref}: wrote ${relative(root, file)} in ${((Date.now() - started) / 1000).toFixed(1)} s (${describeCounts(bom)})`);
      out.push(file);
    } finally {
      rmSync(tar, { force: true });
      rmSync(tmp, { force: true });
    }
  }
  return out;
}

// --- waivers ------------------------------------------------------------------------------

/**
 * The `osv` entries of the one waivers file, read by libs/policy's parser, the one every gate
 * uses (the whole file is validated: a bad entry of another gate fails here too, as there), and
 * its expiry rule. Loaded only by `scan`; tools/ts-module.mjs caches the module's bundle.
 */
async function loadWaivers(file, shown, required) {
  const { loadImageWaivers, WaiverFileError, isExpired, today } = await importTs('libs/policy/src/image/waivers.ts');
  try {
    return { waivers: loadImageWaivers(file, shown, required), isExpired, day: today() };
  } catch (e) {
    if (e instanceof WaiverFileError) throw new Failure(e.message);
    throw e;
  }
}

// --- database ------------------------------------------------------------------------------

/**
 * The components no OSV ecosystem covers, which the scan therefore cannot match: what syft finds
 * by its binary classifiers (pkg:generic/python, pkg:generic/node: interpreters installed from
 * source or a tarball, not by a package manager) or with no purl at all. "name version (path)".
 */
function unscannable(bom) {
  const found = new Set();
  for (const c of bom.components) {
    // The distribution itself: its packages are scanned (deb, apk).
    if (c.type === 'operating-system') continue;
    const type = /^pkg:([^/]+)\//.exec(c.purl ?? '')?.[1];
    if (type && ECOSYSTEMS[type]) continue;
    const path = c.properties?.find((p) => p.name === 'syft:location:0:path')?.value;
    found.add(`${c.name} ${c.version || '(no version)'}${path ? ` (${path})` : ''}`);
  }
  return [...found].sort();
}

/** The ecosystems an SBOM needs, and a copy whose purls osv-scanner matches as OSV names them. */
function scanInput(bom, file) {
  const ecosystems = new Set();
  const binaries = new Map();
  const components = bom.components.map((c) => {
    const type = /^pkg:([^/]+)\//.exec(c.purl ?? '')?.[1];
    if (type && ECOSYSTEMS[type]) ecosystems.add(ECOSYSTEMS[type]);
    if (!c.purl) return c;
    // syft writes the point release (distro=debian-12.15, alpine-3.22.1); OSV's ecosystems are
    // Debian:12 and Alpine:v3.22.
    let purl = c.purl.replace(/([?&]distro=debian-\d+)\.[\d.]+/, '$1').replace(/([?&]distro=alpine-\d+\.\d+)\.[\d.]+/, '$1');
    // OSV keys Debian's advisories by source package (glibc, openssl), while the SBOM names the
    // binary packages (libc6, libssl3) with the source in `upstream=NAME[@VERSION]`: match the source.
    const deb = /^pkg:deb\/([^/]+)\/([^@?]+)@([^?]+)(\?.*)?$/.exec(purl);
    const upstream = deb && /[?&]upstream=([^&]+)/.exec(deb[4] ?? '')?.[1];
    if (deb && upstream) {
      const [srcName, srcVersion] = decodeURIComponent(upstream).split('@');
      const version = srcVersion ?? decodeURIComponent(deb[3]);
      purl = `pkg:deb/${deb[1]}/${encodeURIComponent(srcName)}@${encodeURIComponent(version)}${deb[4] ?? ''}`;
      binaries.set(srcName, [...(binaries.get(srcName) ?? []), decodeURIComponent(deb[2])]);
      return { ...c, name: srcName, version, purl };
    }
    return { ...c, purl };
  });
  const dir = join(SBOM_DIR, 'scan-input');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, file.split('/').pop());
  writeFileSync(out, JSON.stringify({ ...bom, components }));
  return { ecosystems: [...ecosystems].sort(), input: out, binaries };
}

/** A local-db directory for osv-scanner (<dir>/osv-scalibr/<Ecosystem>/all.zip), or a reason there is none. */
async function database(ecosystems) {
  const mirror = process.env[MIRROR_SETTING]?.trim();
  const how = `set ${MIRROR_SETTING} to a directory or http(s) URL laid out as OSV's bucket (<Ecosystem>/all.zip, e.g. PyPI/all.zip)`;
  if (!mirror) return { problem: `no vulnerability database: ${MIRROR_SETTING} is not set; ${how}` };
  const base = join(root, 'tmp', 'osv-db', createHash('sha256').update(mirror).digest('hex').slice(0, 16));
  const dbDir = join(base, 'osv-scalibr');
  if (!/^https?:\/\//.test(mirror)) {
    const dir = resolve(root, mirror);
    const missing = ecosystems.filter((e) => !existsSync(join(dir, e, 'all.zip')));
    if (missing.length) return { problem: `no vulnerability database for ${missing.join(', ')} in ${MIRROR_SETTING}=${mirror} (no ${missing.map((e) => `${e}/all.zip`).join(', ')}); ${how}` };
    mkdirSync(base, { recursive: true });
    let current;
    try {
      current = readlinkSync(dbDir);
    } catch {
      current = undefined;
    }
    if (current !== dir) {
      // Replaced atomically: a scan running beside this one may be reading through it.
      const link = `${dbDir}.${process.pid}.tmp`;
      rmSync(link, { force: true });
      symlinkSync(dir, link);
      renameSync(link, dbDir);
    }
    return { dir: base };
  }
  const maxAge = Number(process.env.OSV_DB_MAX_AGE_HOURS ?? 24) * 3600_000;
  for (const e of ecosystems) {
    const zip = join(dbDir, e, 'all.zip');
    if (existsSync(zip) && Date.now() - statSync(zip).mtimeMs < maxAge) continue;
    const url = `${mirror.replace(/\/+$/, '')}/${encodeURIComponent(e)}/all.zip`;
    let body;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      return { problem: `no vulnerability database: ${url} (from ${MIRROR_SETTING}) did not answer (${err.cause?.message ?? err.message}); ${how}` };
    }
    mkdirSync(dirname(zip), { recursive: true });
    writeFileSync(`${zip}.tmp`, body);
    renameSync(`${zip}.tmp`, zip);
  }
  return { dir: base };
}

// --- findings ------------------------------------------------------------------------------

const LEVELS = ['NONE', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];
/** The higher of the record's named severity and its CVSS score's; UNKNOWN when it has neither. */
function severityOf(vuln, group) {
  const named = String(vuln.database_specific?.severity ?? '').toUpperCase().replace('MODERATE', 'MEDIUM');
  const score = Number.parseFloat(group?.max_severity ?? '');
  const scored = Number.isNaN(score) ? undefined : score >= 9 ? 'CRITICAL' : score >= 7 ? 'HIGH' : score >= 4 ? 'MEDIUM' : score > 0 ? 'LOW' : 'NONE';
  const levels = [named, scored].filter((l) => LEVELS.includes(l));
  if (!levels.length) return 'UNKNOWN';
  return levels.reduce((a, b) => (LEVELS.indexOf(b) > LEVELS.indexOf(a) ? b : a));
}

// OS distributions' own records (Debian's DEBIAN-CVE-*, DSA-*) carry no severity: a fixable one
// gates, as an unrated finding could be anything.
const UNRATED_GATES = new Set(['Debian', 'Alpine', 'Ubuntu']);

function fixedVersions(vuln, pkg) {
  const base = pkg.ecosystem.split(':')[0];
  const fixed = new Set();
  for (const a of vuln.affected ?? []) {
    if (a.package?.name !== pkg.name || String(a.package?.ecosystem ?? '').split(':')[0] !== base) continue;
    for (const r of a.ranges ?? []) for (const ev of r.events ?? []) if (ev.fixed) fixed.add(ev.fixed);
  }
  return [...fixed];
}

function runOsvScanner(input, dbDir) {
  const osv = tool('osv-scanner');
  const r = spawnSync(osv, ['scan', 'source', '--offline', '--local-db-path', dbDir, '--format', 'json', '-L', input], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  // 0: nothing found, 1: vulnerabilities found, 128: no packages; anything else is a failure.
  if (![0, 1, 128].includes(r.status)) throw new Failure(`osv-scanner failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-5).join('\n')}`);
  if (/could not load db|no offline version/i.test(r.stderr)) throw new Failure(`osv-scanner could not read the database: ${r.stderr.trim().split('\n').filter((l) => /db/i.test(l)).join('\n')}`);
  if (r.status === 128) return [];
  const findings = [];
  for (const result of JSON.parse(r.stdout).results ?? []) {
    for (const p of result.packages ?? []) {
      for (const v of p.vulnerabilities ?? []) {
        const group = (p.groups ?? []).find((g) => g.ids?.includes(v.id));
        findings.push({ id: v.id, aliases: [...new Set([...(v.aliases ?? []), ...(group?.aliases ?? [])])].filter((a) => a !== v.id), package: p.package, severity: severityOf(v, group), fixed: fixedVersions(v, p.package), summary: v.summary ?? '' });
      }
    }
  }
  return findings;
}

async function scan(refs, values) {
  const waiverFile = resolve(root, values.waivers ?? 'libs/policy/waivers.json');
  const inRepo = relative(root, waiverFile);
  const shownWaivers = inRepo.startsWith('..') || isAbsolute(inRepo) ? waiverFile : inRepo;
  const { waivers, isExpired, day } = await loadWaivers(waiverFile, shownWaivers, values.waivers !== undefined);
  let failed = false;
  // An expired waiver fails, whether or not a finding still needs it (as in every gate).
  for (const w of waivers.filter((x) => isExpired(x, day))) {
    console.error(`scan: FAIL expired waiver ${shownWaivers}: ${w.at} (osv ${w.rule}) expired on ${w.expires}; fix: renew it with a reason, or remove it`);
    failed = true;
  }
  for (const r of refs) {
    const file = sbomPath(r);
    const bom = readSbom(file);
    if (!bom) throw new Failure(`${r.ref}: no SBOM at ${relative(root, file)}; make it first: node scripts/image-security.mjs sbom ${values.image?.length ? `--image ${r.ref}` : r.repository} (nx target sbom)`);
    const { ecosystems, input, binaries } = scanInput(bom, file);
    const db = await database(ecosystems);
    if (db.problem) {
      if (values['allow-no-database']) {
        console.log(`scan: ${r.ref}: NOT SCANNED: ${db.problem} (allowed by --allow-no-database)`);
        continue;
      }
      console.error(`scan: ${r.ref}: ${db.problem}; or pass --allow-no-database to let the build pass unscanned`);
      failed = true;
      continue;
    }
    const findings = runOsvScanner(input, db.dir);
    let gating = 0;
    for (const f of findings.sort((a, b) => a.id.localeCompare(b.id))) {
      const ids = [f.id, ...f.aliases];
      const fix = f.fixed.length ? `fixed in ${f.fixed.join(', ')}` : 'no fix';
      const bins = binaries.get(f.package.name);
      const what = `${f.id} ${f.severity} ${f.package.name}@${f.package.version} (${f.package.ecosystem}${bins ? `; ${bins.join(', ')}` : ''}), ${fix}${f.aliases.length ? ` [${f.aliases.join(', ')}]` : ''}`;
      const rated = f.severity === 'HIGH' || f.severity === 'CRITICAL' || (f.severity === 'UNKNOWN' && UNRATED_GATES.has(String(f.package.ecosystem).split(':')[0]));
      const gates = rated && f.fixed.length > 0;
      const names = [f.package.name, ...(bins ?? [])];
      const waiver = waivers.find((w) => ids.includes(w.rule) && (w.object === undefined || w.object === r.repository) && (w.package === undefined || names.includes(w.package)));
      if (!gates) console.log(`scan: ${r.ref}: note ${what}`);
      else if (waiver && !isExpired(waiver, day)) console.log(`scan: ${r.ref}: WAIVED ${what} (${waiver.at}, until ${waiver.expires}: ${waiver.reason})`);
      else if (waiver) {
        console.error(`scan: ${r.ref}: FAIL ${what}: its waiver ${waiver.at} expired on ${waiver.expires}; fix: upgrade ${f.package.name}, or renew the waiver in ${shownWaivers} with a reason`);
        gating++;
      } else {
        console.error(`scan: ${r.ref}: FAIL ${what}; fix: upgrade ${f.package.name} to ${f.fixed.join(' or ')}, or waive ${f.id} in ${shownWaivers} ({"tool": "osv", "rule": "${f.id}", "reason": ..., "expires": ...})`);
        gating++;
      }
    }
    console.log(`scan: ${r.ref}: ${findings.length} finding(s) against ${ecosystems.join(', ') || 'no ecosystem'}, ${gating} failing the gate`);
    const unscanned = unscannable(bom);
    if (unscanned.length) {
      console.log(`scan: ${r.ref}: not scanned (no OSV ecosystem): ${unscanned.join(', ')}; no database matches these: follow their own security releases (docs/security.md)`);
    }
    if (gating) failed = true;
  }
  return failed ? 1 : 0;
}

async function main() {
  let args;
  try {
    args = parseArgs({
      options: { spec: { type: 'string' }, image: { type: 'string', multiple: true }, waivers: { type: 'string' }, 'allow-no-database': { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new Failure(`${e.message}\n${USAGE}`, 2);
  }
  const [command, ...wanted] = args.positionals;
  if (command !== 'sbom' && command !== 'scan') throw new Failure(USAGE, 2);
  const refs = resolveRefs(args.values, wanted);
  if (command === 'sbom') {
    sbom(refs);
    return 0;
  }
  return scan(refs, args.values);
}

main().then(
  (code) => process.exit(code),
  (e) => {
    if (!(e instanceof Failure)) throw e;
    console.error(`image-security: ${e.message}`);
    process.exit(e.code);
  },
);
