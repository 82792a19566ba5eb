// The image scan's waivers (`tool: "osv"`) are read by the same parser as every other gate's:
// the fields only an image waiver has are accepted here, a file glob is refused for it, and the
// whole file is validated whichever gate reads it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWaiverFile } from '../core/waivers';
import { ALL_RULE_IDS } from '../main';
import { loadImageWaivers } from './waivers';

const parse = (waivers: unknown[]) => parseWaiverFile(JSON.stringify({ waivers }), 'w.json', ALL_RULE_IDS);
const osv = { tool: 'osv', rule: 'CVE-2099-1', reason: 'not reachable from our code', expires: '2030-01-01' };

describe('image scan waivers', () => {
  let dir = '';
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'image-waivers-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const file = (waivers: unknown[]) => {
    const f = join(dir, 'waivers.json');
    writeFileSync(f, JSON.stringify({ waivers }));
    return f;
  };

  it('an osv waiver may name the image (object) and a package; every gate accepts it', () => {
    const entry = { ...osv, object: 'todo-backend', package: 'openssl' };
    expect(parse([entry]).tools).toEqual([{ at: 'waivers[0]', ...entry }]);
    const f = file([{ tool: 'kube-score', rule: 'pod-probes', reason: 'another gate entirely', expires: '2030-01-01' }, entry]);
    expect(loadImageWaivers(f, 'w.json', true)).toEqual([{ at: 'waivers[1]', ...entry }]);
  });

  it('a file glob, an empty package or an image field on another tool is refused with the fix', () => {
    expect(() => parse([{ ...osv, target: 'docker/**' }])).toThrow(`w.json: waivers[0].target: a file glob does not apply to an image's findings; fix: use "object" (the image repository) and "package"`);
    expect(() => parse([{ ...osv, package: ' ' }])).toThrow('w.json: waivers[0].package: must be a package name as the scan prints it; fix: name it, or leave it out');
    expect(() => parse([{ ...osv, object: '' }])).toThrow('w.json: waivers[0].object: must be an image repository (e.g. todo-backend); fix: name it, or leave it out');
    expect(() => parse([{ ...osv, tool: 'trivy', package: 'openssl' }])).toThrow('w.json: waivers[0].package: unknown field; fix: remove it');
  });

  it("another gate's bad entry fails the image scan's read too, naming the file and the entry", () => {
    const f = file([{ tool: 'kube-score', rule: 'pod-probes', reason: 'short', expires: '2030-01-01' }, osv]);
    expect(() => loadImageWaivers(f, 'w.json', true)).toThrow('w.json: waivers[0].reason: missing or shorter than 10 characters; fix: say why the rule does not apply');
    expect(() => loadImageWaivers(join(dir, 'none.json'), 'none.json', true)).toThrow('none.json: not found; fix: pass an existing --waivers file');
    expect(loadImageWaivers(join(dir, 'none.json'), 'none.json', false)).toEqual([]);
  });
});
