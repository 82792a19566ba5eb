import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './support';

/**
 * Node 20 takes `--env-file` as its own option anywhere before a `--`, even after the
 * script's name (nodejs/node#54232): `node tools/run-ts.mjs … --env-file F` exits 9
 * ("node: F: not found") or hangs on a fifo before the CLI runs. `npm run infra` puts
 * `--` before the script, so the CLI's own checks answer.
 */
describe('infra import --env-file, run as a user runs it', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'import-env-file-'));
    writeFileSync(join(dir, 'docker-compose.yml'), 'services:\n  web:\n    image: nginx:1.27\n');
    mkdirSync(join(dir, 'folder'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const script = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).scripts.infra as string;
  // `npm run infra -- import …`: npm runs the script's command with the arguments after it.
  const npmRunInfra = (...args: string[]) => {
    const [node, ...rest] = script.split(' ');
    expect(node).toBe('node');
    const r = spawnSync(process.execPath, [...rest, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 10_000 });
    return { code: r.status, err: r.stderr, timedOut: r.error !== undefined };
  };

  it.each([
    ['a missing file', () => join(dir, 'missing.env'), 'does not exist'],
    ['a directory', () => join(dir, 'folder'), 'is not a file'],
    ['a device that never ends', () => '/dev/zero', 'is not a file'],
  ])('--env-file naming %s gets the CLI own usage error (exit 2), not Node', (_what, path, says) => {
    const out = join(dir, 'stack.yaml');
    const r = npmRunInfra('import', join(dir, 'docker-compose.yml'), '--out', out, '--env-file', path());
    expect(r.timedOut).toBe(false);
    expect(r.err).not.toMatch(/^node: /m);
    expect(r.err).toContain(`infra import: --env-file: ${path()} ${says}`);
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('the program still receives exactly its arguments, --env-file and -- included', () => {
    const entry = join(dir, 'argv.ts');
    writeFileSync(entry, 'console.log(JSON.stringify(process.argv.slice(2)));\n');
    const args = ['import', '--env-file', join(dir, 'missing.env'), '--', '-x'];
    const r = spawnSync(process.execPath, ['--', 'tools/run-ts.mjs', entry, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 10_000 });
    expect(JSON.parse(r.stdout)).toEqual(args);
  });
});
