import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { renderCase } from './support';

/**
 * Golden files per case and target: fixtures/<case>/expected/ holds the
 * compose files, the manifests of every environment and the parity report.
 * Regenerate deliberately with UPDATE_GOLDEN=1 and read the diff.
 */
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function listFiles(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

describe.each(['todo', 'shop', 'features'])('golden output: %s', (name) => {
  const expectedDir = join(__dirname, 'fixtures', name, 'expected');
  const files = renderCase(name).map((f) => ({ ...f, path: f.path.replace(/^(dist|docker)\//, '') }));

  if (UPDATE) {
    rmSync(expectedDir, { recursive: true, force: true });
    for (const f of files) {
      mkdirSync(dirname(join(expectedDir, f.path)), { recursive: true });
      writeFileSync(join(expectedDir, f.path), f.content);
    }
  }

  it('produces exactly the expected set of files', () => {
    expect(files.map((f) => f.path).sort()).toEqual(listFiles(expectedDir).sort());
  });

  it.each(files.map((f) => [f.path, f.content]))('%s matches its golden file byte for byte', (path, content) => {
    expect(content).toBe(readFileSync(join(expectedDir, path), 'utf8'));
  });
});
