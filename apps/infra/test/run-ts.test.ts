import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './support';

/** tools/run-ts.mjs reuses its bundle only while every input is unchanged, from whatever directory it runs. */
describe('run-ts: an edited source is rebuilt', () => {
  let dir: string;
  let entry: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'run-ts-'));
    entry = join(dir, 'entry.ts');
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    const key = createHash('sha256').update(entry).digest('hex').slice(0, 16);
    for (const ext of ['json', 'mjs']) rmSync(join(repoRoot, 'node_modules', '.cache', 'run-ts', `${key}.${ext}`), { force: true });
  });

  it('started outside the repo root, it still sees an edit to an imported file', () => {
    writeFileSync(entry, "import { value } from './dep';\nconsole.log(value);\n");
    const runTs = () => spawnSync(process.execPath, [join(repoRoot, 'tools', 'run-ts.mjs'), 'entry.ts'], { cwd: dir, encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(dir, 'dep.ts'), "export const value = 'first';\n");
    expect(runTs()).toBe('first');
    writeFileSync(join(dir, 'dep.ts'), "export const value = 'second';\n");
    expect(runTs()).toBe('second');
  });
});
