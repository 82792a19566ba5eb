// The Node versions package.json "engines" accepts are the ones the README names,
// so `npm ci` warns (EBADENGINE) exactly on a Node the README does not promise.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './support';

const engines: string = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).engines.node;
const ranges = engines.split('||').map((r) => {
  const m = /^\s*\^(\d+)\.(\d+)\.(\d+)\s*$/.exec(r);
  if (!m) throw new Error(`engines.node: "${r.trim()}" is not a caret range`);
  return m.slice(1).map(Number);
});
const accepts = (version: string) => {
  const [major, minor, patch] = version.replace(/^v/, '').split('.').map(Number);
  return ranges.some(([M, m, p]) => major === M && (minor > m || (minor === m && patch >= p)));
};

describe('package.json engines and the README agree', () => {
  const heading = /^## Quick start \(fresh machine: ([^)]*)\)$/m.exec(readFileSync(join(repoRoot, 'README.md'), 'utf8'))![1];

  it('every Node version the quick start names is accepted, at the minor it names', () => {
    const named = [...heading.matchAll(/\b(\d+)\.(\d+)\+|\b(\d+)\b/g)].map((m) => (m[3] ? `${m[3]}.99.0` : `${m[1]}.${m[2]}.0`));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((v) => !accepts(v))).toEqual([]);
    // ...and no more: each range's major is named.
    expect(ranges.map(([M]) => M).filter((M) => !named.some((v) => v.startsWith(`${M}.`)))).toEqual([]);
  });

  it('accepts the Node that runs these tests', () => {
    expect({ node: process.version, accepted: accepts(process.version) }).toEqual({ node: process.version, accepted: true });
  });
});
