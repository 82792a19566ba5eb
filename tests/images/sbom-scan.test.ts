// Issue 17 sections 1 and 2: the image SBOM (syft) lists what the image holds, and the
// vulnerability gate (osv-scanner, offline) fails on a fixable HIGH/CRITICAL finding unless
// waived, against an OSV database written here. Needs Docker and the two Go tools.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { docker, ensureImage, repoRoot, run, unique, DOCKER, type Run } from './docker';

const script = 'scripts/image-security.mjs';
const security = (env: Record<string, string | undefined>, ...args: string[]): Run => {
  const e: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete e[k];
  return run(process.execPath, [script, ...args], { env: e });
};

interface Component {
  name: string;
  version: string;
  purl?: string;
}
const components = (file: string): Component[] => JSON.parse(readFileSync(file, 'utf8')).components;
const sbomFile = (ref: string) => join(repoRoot, 'tmp', 'sbom', `${ref.replace(':', '-')}.cdx.json`);

/** The image's files, read without running it (the runtimes may have no shell). */
function exportImage(ref: string, dir: string): string {
  const c = unique('sbom-export');
  docker('create', '--name', c, ref);
  try {
    const tar = join(dir, 'fs.tar');
    docker('export', '-o', tar, c);
    return tar;
  } finally {
    run(DOCKER, ['rm', '-f', c]);
  }
}
const tarList = (tar: string) => execFileSync('tar', ['-tf', tar], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }).split('\n').filter(Boolean);
const tarRead = (tar: string, path: string) => execFileSync('tar', ['-xOf', tar, path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

beforeAll(() => {
  // Stamped: a no-op when current; a cold build takes minutes (scripts/test-all.sh builds them first).
  const r = run('bash', ['tools/go-tools/build.sh', 'syft', 'osv-scanner']);
  if (r.status !== 0) throw new Error(`bash tools/go-tools/build.sh syft osv-scanner failed:\n${r.stderr}`);
}, 30 * 60 * 1000);

describe('scan gate against an OSV database made here', () => {
  const probe = `${unique('todo-scan-probe')}:1`;
  let dir = '';
  let db = '';
  const advisories = [
    // Gate: HIGH/CRITICAL with a fixed version, one per ecosystem the image holds.
    { id: 'PROBE-PY-1', aliases: ['CVE-2099-1001'], database_specific: { severity: 'HIGH' }, affected: [{ package: { ecosystem: 'PyPI', name: 'probe-pyplanted' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }] }] },
    { id: 'PROBE-NPM-1', severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }], affected: [{ package: { ecosystem: 'npm', name: 'probe-npmplanted' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.1' }] }] }] },
    // As Debian's own records: keyed by the source package (the image holds its binary package
    // probe-libplanted), and with no severity at all, which gates when a fix exists.
    { id: 'PROBE-DEB-1', affected: [{ package: { ecosystem: 'Debian:12', name: 'probe-src' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0-2' }] }] }] },
    // Named LOW, but its CVSS vector says 9.8: the higher one counts.
    { id: 'PROBE-NPM-2', database_specific: { severity: 'LOW' }, severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }], affected: [{ package: { ecosystem: 'npm', name: 'probe-npmplanted' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.2' }] }] }] },
    // No gate: HIGH without a fix; LOW with a fix; another version range.
    { id: 'PROBE-PY-NOFIX', database_specific: { severity: 'HIGH' }, affected: [{ package: { ecosystem: 'PyPI', name: 'probe-pyplanted' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }] }] },
    { id: 'PROBE-PY-LOW', database_specific: { severity: 'LOW' }, affected: [{ package: { ecosystem: 'PyPI', name: 'probe-pyplanted' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.0.1' }] }] }] },
    { id: 'PROBE-PY-OLD', database_specific: { severity: 'CRITICAL' }, affected: [{ package: { ecosystem: 'PyPI', name: 'probe-pyplanted' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.9' }] }] }] },
  ];
  const gating = ['PROBE-PY-1', 'PROBE-NPM-1', 'PROBE-NPM-2', 'PROBE-DEB-1'];
  const waiverFile = (waivers: object[]) => {
    const f = join(dir, `waivers-${Math.random().toString(36).slice(2)}.json`);
    // Entries of other gates share the file; the scan reads only its own.
    writeFileSync(f, JSON.stringify({ waivers: [{ tool: 'kube-score', rule: 'pod-probes', reason: 'another gate entirely', expires: '2000-01-01' }, ...waivers] }));
    return f;
  };
  const waiver = (rule: string, expires = '2099-12-31', object?: string) => ({ tool: 'osv', rule, reason: 'accepted in this test on purpose', expires, ...(object ? { object } : {}) });
  const scan = (env: Record<string, string | undefined>, ...args: string[]) => security(env, 'scan', '--image', probe, ...args);

  beforeAll(() => {
    mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
    dir = mkdtempSync(join(repoRoot, 'tmp', 'scan-test-'));
    // A probe image holding one planted package of each kind: dpkg, Python, npm.
    const fs = join(dir, 'fs');
    const files: Record<string, string> = {
      'etc/os-release': 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\nID=debian\n',
      // As in Debian's images: syft then writes the point release (distro=debian-12.15), which
      // the scan must match as OSV's Debian:12.
      'etc/debian_version': '12.15\n',
      'var/lib/dpkg/status': 'Package: probe-libplanted\nStatus: install ok installed\nPriority: optional\nSection: libs\nMaintainer: Probe <probe@example.org>\nArchitecture: amd64\nSource: probe-src\nVersion: 1.0-1\nDescription: planted for the scan test\n',
      'usr/lib/python3/dist-packages/probe_pyplanted-1.0.0.dist-info/METADATA': 'Metadata-Version: 2.1\nName: probe-pyplanted\nVersion: 1.0.0\n',
      'usr/lib/python3/dist-packages/probe_pyplanted-1.0.0.dist-info/RECORD': 'probe_pyplanted/__init__.py,,\n',
      'app/node_modules/probe-npmplanted/package.json': JSON.stringify({ name: 'probe-npmplanted', version: '2.0.0', license: 'MIT' }),
      // An interpreter installed from a tarball, as node in the frontend (and CPython under
      // /usr/local in the backend): syft finds it by its binary, as pkg:generic/node, which no
      // OSV ecosystem covers.
      'usr/local/bin/node': '\x7fELF planted\0node.js/v20.1.0\0',
    };
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(join(fs, p, '..'), { recursive: true });
      writeFileSync(join(fs, p), text, { mode: 0o755 });
    }
    execFileSync('sh', ['-c', `tar -C "${fs}" -c . | "${DOCKER}" import - ${probe}`]);
    // The OSV mirror: <Ecosystem>/all.zip of OSV JSON records, as osv-vulnerabilities.storage.googleapis.com lays it out.
    db = join(dir, 'osv-mirror');
    for (const eco of ['PyPI', 'npm', 'Debian']) {
      const d = join(dir, 'records', eco);
      mkdirSync(d, { recursive: true });
      for (const a of advisories.filter((x) => x.affected[0].package.ecosystem.split(':')[0] === eco)) {
        writeFileSync(join(d, `${a.id}.json`), JSON.stringify({ schema_version: '1.6.0', modified: '2026-01-01T00:00:00Z', summary: `planted ${a.id}`, ...a }));
      }
      mkdirSync(join(db, eco), { recursive: true });
      execFileSync('zip', ['-q', '-r', join(db, eco, 'all.zip'), '.'], { cwd: d });
    }
    const r = security({}, 'sbom', '--image', probe);
    if (r.status !== 0) throw new Error(`sbom of the probe failed:\n${r.stderr}${r.stdout}`);
  });
  afterAll(() => {
    run(DOCKER, ['rmi', '-f', probe]);
    rmSync(sbomFile(probe), { force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('the SBOM lists the planted dpkg, Python and npm packages with purls', () => {
    const purls = components(sbomFile(probe)).map((c) => c.purl?.split('?')[0]);
    expect(purls).toEqual(expect.arrayContaining(['pkg:deb/debian/probe-libplanted@1.0-1', 'pkg:pypi/probe-pyplanted@1.0.0', 'pkg:npm/probe-npmplanted@2.0.0']));
  });

  it('fails naming each fixable HIGH/CRITICAL advisory; notes the others', () => {
    const r = scan({ OSV_DB_MIRROR: db }, '--waivers', waiverFile([]));
    expect(r.status).toBe(1);
    for (const id of gating) expect(r.stderr).toMatch(new RegExp(`FAIL ${id} (HIGH|CRITICAL|UNKNOWN) `));
    expect(r.stderr).toContain('FAIL PROBE-PY-1 HIGH probe-pyplanted@1.0.0 (PyPI), fixed in 1.0.1 [CVE-2099-1001]');
    expect(r.stderr).toContain('FAIL PROBE-NPM-1 CRITICAL probe-npmplanted@2.0.0 (npm), fixed in 2.0.1');
    expect(r.stderr).toContain('FAIL PROBE-DEB-1 UNKNOWN probe-src@1.0-1 (Debian:12; probe-libplanted), fixed in 1.0-2');
    expect(r.stdout).toContain('note PROBE-PY-NOFIX HIGH probe-pyplanted@1.0.0 (PyPI), no fix');
    expect(r.stdout).toContain('note PROBE-PY-LOW LOW');
    // Fixed before the planted version: not a finding at all.
    expect(r.stdout + r.stderr).not.toContain('PROBE-PY-OLD');
    expect(r.stderr).toContain('FAIL PROBE-NPM-2 CRITICAL probe-npmplanted@2.0.0 (npm), fixed in 2.0.2');
    expect(r.stdout).toContain('6 finding(s) against Debian, PyPI, npm, 4 failing the gate');
    // What the scan cannot match is said, per image, with its version.
    expect(r.stdout).toContain(`scan: ${probe}: not scanned (no OSV ecosystem): node 20.1.0 (/usr/local/bin/node); no database matches these: follow their own security releases (docs/security.md)`);
  });

  it('passes when every gating finding is waived (by id or alias, for this image or any)', () => {
    const w = waiverFile([waiver('CVE-2099-1001'), waiver('PROBE-NPM-1', '2099-12-31', probe.split(':')[0]), waiver('PROBE-NPM-2'), waiver('PROBE-DEB-1')]);
    const r = scan({ OSV_DB_MIRROR: db }, '--waivers', w);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    for (const id of gating) expect(r.stdout).toContain(`WAIVED ${id} `);
    // A waiver for another image does not apply.
    const other = scan({ OSV_DB_MIRROR: db }, '--waivers', waiverFile([waiver('CVE-2099-1001'), waiver('PROBE-NPM-1', '2099-12-31', 'todo-backend'), waiver('PROBE-NPM-2'), waiver('PROBE-DEB-1')]));
    expect(other.status).toBe(1);
    expect(other.stderr).toContain('FAIL PROBE-NPM-1');
    // A waiver naming a package holds for that package only (the source or a binary package of it).
    const pkg = (rule: string, name: string) => ({ ...waiver(rule), package: name });
    const byPackage = scan({ OSV_DB_MIRROR: db }, '--waivers', waiverFile([waiver('CVE-2099-1001'), waiver('PROBE-NPM-1'), pkg('PROBE-NPM-2', 'another-package'), pkg('PROBE-DEB-1', 'probe-libplanted')]));
    expect(byPackage.status).toBe(1);
    expect(byPackage.stdout).toContain('WAIVED PROBE-DEB-1 ');
    expect(byPackage.stderr).toContain('FAIL PROBE-NPM-2 ');
  });

  it('an expired waiver fails even when no finding needs it; a file glob is refused for an image waiver', () => {
    const unused = scan({ OSV_DB_MIRROR: db, WAIVERS_TODAY: '2030-07-01' }, '--allow-no-database', '--waivers', waiverFile([waiver('CVE-1999-0001', '2030-06-30')]));
    expect(unused.status).toBe(1);
    expect(unused.stderr).toMatch(/FAIL expired waiver .*: waivers\[1\] \(osv CVE-1999-0001\) expired on 2030-06-30; fix: /);
    const glob = scan({ OSV_DB_MIRROR: db }, '--waivers', waiverFile([{ ...waiver('PROBE-NPM-1'), target: 'docker/**' }]));
    expect(glob.status).toBe(1);
    expect(glob.stderr).toMatch(/waivers\[1\]\.target: a file glob does not apply to an image's findings; fix: use "object"/);
  });

  it('an expired waiver fails; it applies through its expiry day', () => {
    const w = waiverFile([waiver('PROBE-PY-1', '2030-06-30'), waiver('PROBE-NPM-1'), waiver('PROBE-NPM-2'), waiver('PROBE-DEB-1')]);
    expect(scan({ OSV_DB_MIRROR: db, WAIVERS_TODAY: '2030-06-30' }, '--waivers', w).status).toBe(0);
    const r = scan({ OSV_DB_MIRROR: db, WAIVERS_TODAY: '2030-07-01' }, '--waivers', w);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('FAIL PROBE-PY-1 HIGH probe-pyplanted@1.0.0 (PyPI), fixed in 1.0.1 [CVE-2099-1001]: its waiver waivers[1] expired on 2030-06-30');
  });

  it('reads a mirror served over HTTP (a company mirror of OSV\'s bucket)', async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', db], { stdio: 'ignore' });
    try {
      const url = `http://127.0.0.1:${port}/`;
      for (let i = 0; i < 50 && run('python3', ['-c', `import urllib.request; urllib.request.urlopen("${url}")`]).status !== 0; i++) await new Promise((r) => setTimeout(r, 100));
      const r = await new Promise<Run>((resolve) => {
        const child = spawn(process.execPath, [script, 'scan', '--image', probe, '--waivers', waiverFile([])], { cwd: repoRoot, env: { ...process.env, OSV_DB_MIRROR: url, OSV_DB_MAX_AGE_HOURS: '0' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (status) => resolve({ status: status ?? -1, stdout, stderr }));
      });
      expect(r.status).toBe(1);
      for (const id of gating) expect(r.stderr).toContain(`FAIL ${id} `);
    } finally {
      server.kill();
    }
  });

  it('a malformed osv waiver is named with its field and fix', () => {
    const r = scan({ OSV_DB_MIRROR: db }, '--waivers', waiverFile([{ tool: 'osv', rule: 'PROBE-PY-1', reason: 'short', expires: '2030-02-30' }]));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/waivers\[1\]\.reason: missing or shorter than 10 characters; fix: /);
    expect(r.stderr).toMatch(/waivers\[1\]\.expires: "2030-02-30" is not a date; fix: give the last day it applies as YYYY-MM-DD/);
  });

  it('no database: says so, names OSV_DB_MIRROR, fails unless --allow-no-database', () => {
    const w = waiverFile([]);
    const none = scan({ OSV_DB_MIRROR: undefined }, '--waivers', w);
    expect(none.status).toBe(1);
    expect(none.stderr).toContain('no vulnerability database: OSV_DB_MIRROR is not set; set OSV_DB_MIRROR to a directory or http(s) URL');
    expect(none.stderr).toContain('or pass --allow-no-database');
    const allowed = scan({ OSV_DB_MIRROR: undefined }, '--waivers', w, '--allow-no-database');
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toContain('NOT SCANNED: no vulnerability database');
    // A mirror that lacks an ecosystem the image needs is no database for it.
    const partial = join(dir, 'partial');
    mkdirSync(join(partial, 'PyPI'), { recursive: true });
    writeFileSync(join(partial, 'PyPI', 'all.zip'), readFileSync(join(db, 'PyPI', 'all.zip')));
    const missing = scan({ OSV_DB_MIRROR: partial }, '--waivers', w);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`no vulnerability database for Debian, npm in OSV_DB_MIRROR=${partial} (no Debian/all.zip, npm/all.zip)`);
    // An unreachable URL mirror likewise.
    const url = scan({ OSV_DB_MIRROR: 'http://127.0.0.1:9/osv' }, '--waivers', w);
    expect(url.status).toBe(1);
    expect(url.stderr).toMatch(/no vulnerability database: http:\/\/127\.0\.0\.1:9\/osv\/Debian\/all\.zip \(from OSV_DB_MIRROR\) did not answer/);
  });

  it('an unchanged image reuses its SBOM, and the scan takes under 5 s', () => {
    const again = security({}, 'sbom', '--image', probe);
    expect(again.stdout).toContain(`reused tmp/sbom/${probe.replace(':', '-')}.cdx.json`);
    // ...unless another syft release made it.
    const bom = JSON.parse(readFileSync(sbomFile(probe), 'utf8'));
    bom.metadata.tools.components[0].version = '0.0.1';
    writeFileSync(sbomFile(probe), JSON.stringify(bom));
    const remade = security({}, 'sbom', '--image', probe);
    expect(remade.stdout).toContain('was made by syft 0.0.1, not the pinned 1.57.2: making it again');
    expect(JSON.parse(readFileSync(sbomFile(probe), 'utf8')).metadata.tools.components[0].version).toBe('1.57.2');
    const started = Date.now();
    const r = scan({ OSV_DB_MIRROR: db }, '--waivers', waiverFile([waiver('PROBE-PY-1'), waiver('PROBE-NPM-1'), waiver('PROBE-NPM-2'), waiver('PROBE-DEB-1')]));
    expect(r.status).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('an SBOM is made again when its tag names another image', () => {
  const probe = `${unique('todo-sbom-retag')}:latest`;
  let dir = '';
  /** A one-package image under the probe's tag: the same tag, each time another image. */
  const importProbe = (version: string) => {
    const fs = join(dir, `fs-${version}`);
    mkdirSync(join(fs, 'app/node_modules/probe-retagged'), { recursive: true });
    writeFileSync(join(fs, 'app/node_modules/probe-retagged/package.json'), JSON.stringify({ name: 'probe-retagged', version, license: 'MIT' }));
    execFileSync('sh', ['-c', `tar -C "${fs}" -c . | "${DOCKER}" import - ${probe}`]);
    return docker('image', 'inspect', '--format', '{{.Id}}', probe);
  };
  const described = () => {
    const bom = JSON.parse(readFileSync(sbomFile(probe), 'utf8'));
    return { id: bom.metadata.properties.find((p: { name: string }) => p.name === 'todo:image:id')?.value, versions: (bom.components as Component[]).filter((c) => c.name === 'probe-retagged').map((c) => c.version) };
  };
  beforeAll(() => {
    mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
    dir = mkdtempSync(join(repoRoot, 'tmp', 'sbom-retag-'));
  });
  afterAll(() => {
    run(DOCKER, ['rmi', '-f', probe]);
    rmSync(sbomFile(probe), { force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('reuses it for the same image; a rebuild under the same tag gets a new one', () => {
    const first = importProbe('1.0.0');
    const made = security({}, 'sbom', '--image', probe);
    expect(made.status).toBe(0);
    expect(described()).toEqual({ id: first, versions: ['1.0.0'] });
    expect(security({}, 'sbom', '--image', probe).stdout).toContain(`reused tmp/sbom/${probe.replace(':', '-')}.cdx.json`);
    const second = importProbe('1.0.1');
    expect(second).not.toBe(first);
    const again = security({}, 'sbom', '--image', probe);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`describes image ${first.replace('sha256:', '').slice(0, 12)}, but the tag now names ${second.replace('sha256:', '').slice(0, 12)}: making it again`);
    expect(described()).toEqual({ id: second, versions: ['1.0.1'] });
  });
});

describe('SBOMs of the todo images list what the images hold', () => {
  let dir = '';
  beforeAll(() => {
    mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
    dir = mkdtempSync(join(repoRoot, 'tmp', 'sbom-test-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const sbomOf = (ref: string) => {
    const r = security({}, 'sbom', '--image', ref);
    if (r.status !== 0) throw new Error(`sbom ${ref} failed:\n${r.stderr}`);
    return components(sbomFile(ref));
  };
  const byPurlType = (cs: Component[], type: string) => new Map(cs.filter((c) => c.purl?.startsWith(`pkg:${type}/`)).map((c) => [c.name.toLowerCase(), c.version]));

  it('backend: every installed dpkg package and Python distribution, with its version', () => {
    const ref = ensureImage('backend');
    const sbom = sbomOf(ref);
    const tar = exportImage(ref, dir);
    const files = tarList(tar);
    // The Debian packages the runtime's files come from: the shell-less runtime keeps one
    // status stanza per package in var/lib/dpkg/status.d (docker/rootfs/os-packages.sh), as
    // distroless does. Every one is in the SBOM at its version, and the C library and
    // OpenSSL, which the interpreter links, are among them.
    const deb = byPurlType(sbom, 'deb');
    const stanzas = files.includes('var/lib/dpkg/status')
      ? tarRead(tar, 'var/lib/dpkg/status').split('\n\n')
      : files.filter((f) => /^var\/lib\/dpkg\/status\.d\/[^/]+$/.test(f)).map((f) => tarRead(tar, f));
    const installed = stanzas
      .filter((s) => /^Package: /m.test(s) && !/^Status: .*not-installed/m.test(s))
      .map((s) => [/^Package: (.+)$/m.exec(s)![1], /^Version: (.+)$/m.exec(s)![1]] as const);
    expect(installed.map(([name]) => name)).toEqual(expect.arrayContaining(['libc6', 'libssl3']));
    for (const [name, version] of installed) expect({ name, version: deb.get(name) }).toEqual({ name, version });
    expect(deb.size).toBe(installed.length);
    // What `pip list` reads: every *.dist-info/METADATA in the image.
    const dists = files
      .filter((f) => /\.dist-info\/METADATA$/.test(f))
      .map((f) => tarRead(tar, f))
      .map((m) => [/^Name: (.+)$/m.exec(m)![1].trim().toLowerCase().replace(/[-_.]+/g, '-'), /^Version: (.+)$/m.exec(m)![1].trim()] as const);
    const py = byPurlType(sbom, 'pypi');
    expect(dists.length).toBeGreaterThan(10);
    for (const [name, version] of dists) expect({ name, version: py.get(name) ?? py.get(name.replace(/-/g, '_')) }).toEqual({ name, version });
    // And the application's lock: every runtime requirement is in the image at its pinned version.
    const pins = readFileSync(join(repoRoot, 'apps/backend/requirements.txt'), 'utf8').matchAll(/^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;#]+)/gm);
    for (const [, name, version] of pins) {
      const n = name.toLowerCase().replace(/[-_.]+/g, '-');
      expect({ n, version: py.get(n) }).toEqual({ n, version });
    }
  });

  it("frontend: every npm package in the image, at the lock's version", () => {
    const ref = ensureImage('frontend');
    const sbom = sbomOf(ref);
    const tar = exportImage(ref, dir);
    const npm = new Map(sbom.filter((c) => c.purl?.startsWith('pkg:npm/')).map((c) => [decodeURIComponent(c.purl!.slice('pkg:npm/'.length).split('@').slice(0, -1).join('@')), c.version]));
    const lock = JSON.parse(readFileSync(join(repoRoot, 'apps/frontend/package-lock.json'), 'utf8')).packages as Record<string, { version?: string }>;
    // Top-level packages of the app's node_modules (what Next's standalone output keeps).
    const inImage = tarList(tar)
      .map((f) => /^app\/node_modules\/((?:@[^/]+\/)?[^/@][^/]*)\/package\.json$/.exec(f)?.[1])
      .filter((n): n is string => Boolean(n));
    expect(inImage.length).toBeGreaterThan(5);
    for (const name of inImage) {
      const version = JSON.parse(tarRead(tar, `app/node_modules/${name}/package.json`)).version;
      expect({ name, sbom: npm.get(name) }).toEqual({ name, sbom: version });
      const locked = lock[`node_modules/${name}`]?.version;
      if (locked) expect({ name, version }).toEqual({ name, version: locked });
    }
  });
});
