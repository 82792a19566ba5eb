import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './support';

/** Env files and values of any size import in time linear in their size, and an env file over 1 MiB is refused by name. */
describe('infra import: large env values and files', () => {
  let dir: string;
  beforeEach(() => {
    // Inside the repository: env_file is read only there.
    mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
    dir = mkdtempSync(join(repoRoot, 'tmp', 'import-env-size-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const infra = (...args: string[]) => {
    const started = Date.now();
    const r = spawnSync(process.execPath, ['--', 'tools/run-ts.mjs', 'apps/infra/src/cli.ts', 'import', ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, out: r.stdout, err: r.stderr, ms: Date.now() - started };
  };
  const compose = (web: string) => {
    writeFileSync(join(dir, 'docker-compose.yml'), `services:\n  web:\n    image: nginx:1.27\n${web}  db:\n    image: postgres:16.4\n`);
    return join(dir, 'docker-compose.yml');
  };

  it('a 200 KB value imports within 5 s', () => {
    const file = compose(`    environment:\n      BLOB: ${'x'.repeat(200_000)}\n      DB_URL: postgres://db:5432/app\n`);
    const r = infra(file, '--out', join(dir, 'stack.yaml'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(5_000);
    // The short value beside it is still read for references.
    expect(r.out).toMatch(/DB_URL/);
  });

  it('a 40,000-line .env imports within 5 s', () => {
    const file = compose('    environment:\n      LAST: ${V39999}\n');
    writeFileSync(join(dir, '.env'), Array.from({ length: 40_000 }, (_, i) => `V${i}=value${i}`).join('\n') + '\n');
    const r = infra(file, '--out', join(dir, 'stack.yaml'));
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(5_000);
  });

  const big = () => 'A=' + 'x'.repeat(2 * 1024 * 1024) + '\n';
  it.each([
    ['--env-file', () => (writeFileSync(join(dir, 'big.env'), big()), ['--env-file', join(dir, 'big.env')]), 'compose', /--env-file: \S*big\.env is 2097155 bytes, over the 1048576-byte \(1 MiB\) limit for an env file/],
    ['.env beside the compose file', () => (writeFileSync(join(dir, '.env'), big()), []), 'compose', /\.env: \S*\.env is 2097155 bytes, over the 1048576-byte \(1 MiB\) limit for an env file/],
    ['env_file:', () => (writeFileSync(join(dir, 'big.env'), big()), []), 'env_file', /services\.web\.env_file\S*: env file "big\.env" cannot be read: it is 2097155 bytes, over the 1048576-byte \(1 MiB\) limit/],
  ])('a 2 MiB %s is refused, naming it, and nothing is written', (_what, setUp, kind, says) => {
    const file = compose(kind === 'env_file' ? '    env_file: big.env\n' : '');
    const r = infra(file, '--out', join(dir, 'stack.yaml'), ...setUp());
    expect(r.err).toMatch(says);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(1);
    expect(existsSync(join(dir, 'stack.yaml'))).toBe(false);
  });
});
