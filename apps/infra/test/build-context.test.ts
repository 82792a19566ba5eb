// `image.build.dockerfile` is relative to the build context, as in compose (default: Dockerfile).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './support';

function infra(...args: string[]) {
  const r = spawnSync(process.execPath, ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'build-context-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('policy: the dockerfiles gate reads the Dockerfile the context-relative spec names', () => {
  it('a build that omits dockerfile is gated on Dockerfile in its context', () => {
    const spec = 'apps/infra/test/fixtures/voting-app/spec.json';
    expect(infra('synth', '--spec', spec, '--out', dir).code).toBe(0);
    const r = infra('policy', '--spec', spec, '--out', dir);
    expect(r.err).not.toMatch(/TypeError|\n\s+at /);
    expect(r.out).toMatch(/^dockerfiles: \d+ rules, \d+ violations$/m);
    expect(r.out).toContain('apps/infra/test/fixtures/voting-app/vote/Dockerfile:');
  });
});
