// The image scan (scripts/image-security.mjs scan) reads the waivers file with libs/policy's
// parser, the one every gate uses: the same file gets the same verdict and the same words from
// each gate. The waivers are read before any SBOM or image is looked at: no Docker needed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_RULE_IDS, parseWaiverFile, WaiverFileError } from '@todo/policy';

const repoRoot = join(__dirname, '..', '..');
const probe = 'todo-scan-waivers-probe:absent';
const scan = (waivers: string) => {
  const r = spawnSync(process.execPath, ['scripts/image-security.mjs', 'scan', '--image', probe, '--waivers', waivers], { cwd: repoRoot, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
};
/** What libs/policy's parser says of the file (named as the scan names it), or '' when it accepts it. */
const policySays = (file: string, shown: string) => {
  try {
    parseWaiverFile(readFileSync(file, 'utf8'), shown, ALL_RULE_IDS);
    return '';
  } catch (e) {
    if (!(e instanceof WaiverFileError)) throw e;
    return e.message;
  }
};
// Past the waivers, the scan stops at the missing SBOM of the probe.
const NO_SBOM = `image-security: ${probe}: no SBOM at`;

describe('scan: the waivers file is read by the parser every gate uses', () => {
  let dir = '';
  beforeAll(() => {
    mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
    dir = mkdtempSync(join(repoRoot, 'tmp', 'scan-waivers-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, waivers: unknown[]) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify({ waivers }));
    return f;
  };
  const shown = (f: string) => f.slice(repoRoot.length + 1);

  it("a bad entry of any gate fails the scan, with the policy parser's own words (file, entry, fix)", () => {
    const f = file('bad.json', [
      { tool: 'kube-score', rule: 'pod-probes', reason: 'short', expires: '2030-01-01' },
      { rule: 'no-such-rule', object: 'Deployment/default/api', reason: 'a reason long enough' },
      { tool: 'osv', rule: '', reason: 'a reason long enough', expires: '2030-02-30', severity: 'HIGH' },
    ]);
    const said = policySays(f, shown(f));
    expect(said).toContain(`${shown(f)}: waivers[0].reason: missing or shorter than 10 characters; fix: `);
    expect(said).toContain(`${shown(f)}: waivers[1].rule: "no-such-rule" is not a rule id; fix: `);
    expect(said).toContain(`${shown(f)}: waivers[2].expires: "2030-02-30" is not a date; fix: give the last day it applies as YYYY-MM-DD`);
    expect(said).toContain(`${shown(f)}: waivers[2].severity: unknown field; fix: remove it`);
    expect(scan(f)).toEqual({ status: 1, stdout: '', stderr: `image-security: ${said}\n` });
  });

  it("an image waiver naming its image and package passes every gate's parser; so does the repository's file", () => {
    const f = file('good.json', [
      { tool: 'kube-score', rule: 'pod-probes', reason: 'another gate entirely', expires: '2030-01-01' },
      { tool: 'osv', rule: 'CVE-2099-1', reason: 'not reachable from our code', expires: '2030-01-01', object: 'todo-backend', package: 'openssl' },
    ]);
    expect(policySays(f, shown(f))).toBe('');
    expect(scan(f).stderr).toMatch(new RegExp(`^${NO_SBOM.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const repo = join(repoRoot, 'libs/policy/waivers.json');
    expect(policySays(repo, 'libs/policy/waivers.json')).toBe('');
    expect(scan(repo).stderr).toContain(NO_SBOM);
  });

  it('a file outside the repository is named by its absolute path', () => {
    const r = spawnSync(process.execPath, ['scripts/image-security.mjs', 'scan', '--image', probe, '--waivers', '/nonexistent/waivers.json'], { cwd: repoRoot, encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 1, stderr: 'image-security: /nonexistent/waivers.json: not found; fix: pass an existing --waivers file\n' });
  });
});
