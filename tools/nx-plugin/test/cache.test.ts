// Nx caching is sound for this workspace: nothing a target reads is missing
// from its inputs, synth never replays a stale result, and two checkouts keep
// separate caches (nx.json cacheDirectory) so they can run at the same time.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repoRoot = join(__dirname, '..', '..', '..');
const env = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };
const nx = (...args: string[]) => execFileSync('npx', ['nx', ...args], { cwd: repoRoot, encoding: 'utf8', env });

describe('infra:test inputs', () => {
  it('cover every file outside the project that the tests read', () => {
    const files = ['eslint.config.mjs', 'tools/schemas/compose-spec.json', 'dist/k8s/minikube/30-backend.yaml', 'docker/docker-compose.yml', 'docker/backend/Dockerfile'];
    const check = (...paths: string[]) => spawnSync('npx', ['nx', 'show', 'target', 'inputs', 'infra:test', '--check', ...paths], { cwd: repoRoot, encoding: 'utf8', env });
    const all = check(...files);
    // eslint-disable-next-line no-control-regex
    const plain = all.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    expect({ status: all.status, out: plain }).toEqual({ status: 0, out: expect.stringContaining('These arguments were inputs for infra:test') });
    for (const f of files) expect(plain).toContain(`  ${f}\n`);
    // The check really discriminates: a file no test reads is not an input.
    expect(check('README.md').status).toBe(1);
  });
});

describe('synth is never replayed from the cache', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'synth-cache-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('follows an edited spec and rewrites a deleted --out outside the workspace', () => {
    const spec = join(dir, 'shop.json');
    const out = join(dir, 'out');
    cpSync(join(repoRoot, 'apps/infra/test/fixtures/shop/spec.json'), spec);
    const synth = () => nx('run', 'infra:synth', '--output-style=static', '--', '--spec', spec, '--out', out);
    const compose = () => readFileSync(join(out, 'docker/docker-compose.yml'), 'utf8');

    synth();
    expect(compose()).toContain('LOG_LEVEL: INFO');
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('"LOG_LEVEL": "INFO"', '"LOG_LEVEL": "DEBUG"'));
    const second = synth();
    expect(second).not.toMatch(/local cache|remote cache|existing outputs match the cache/);
    expect(compose()).toContain('LOG_LEVEL: DEBUG');

    rmSync(out, { recursive: true, force: true });
    synth();
    expect(existsSync(join(out, 'docker/docker-compose.yml'))).toBe(true);
  });
});

describe('two checkouts at once', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'two-clones-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (cwd: string, args: string[]) =>
    new Promise<{ status: number; out: string }>((resolve) => {
      const child = spawn(join(cwd, 'node_modules/.bin/nx'), args, { cwd, env: { ...env, NX_SKIP_NX_CACHE: '' } });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('close', (code) => resolve({ status: code ?? -1, out }));
    });

  it('each clone caches in its own .nx/cache, and concurrent runs both succeed', async () => {
    const clones = ['a', 'b'].map((n) => join(dir, n));
    for (const c of clones) {
      execFileSync('git', ['clone', '-q', '--no-hardlinks', repoRoot, c]);
      symlinkSync(join(repoRoot, 'node_modules'), join(c, 'node_modules'));
    }
    const args = ['run-many', '-t', 'test', '--projects=yaml-out,service-spec', '--parallel=1', '--output-style=static'];
    const results = await Promise.all(clones.map((c) => run(c, args)));
    for (const r of results) expect({ status: r.status, tail: r.out.slice(-1500) }).toEqual({ status: 0, tail: expect.any(String) });
    for (const c of clones) {
      expect(readdirSync(join(c, '.nx', 'cache')).length).toBeGreaterThan(0);
      expect(execFileSync('git', ['status', '--porcelain'], { cwd: c, encoding: 'utf8' }).split('\n').filter((l) => l && !l.includes('node_modules'))).toEqual([]);
    }
    // A second concurrent round replays each clone's own cache.
    const again = await Promise.all(clones.map((c) => run(c, args)));
    for (const r of again) {
      expect(r.status).toBe(0);
      expect(r.out).toMatch(/existing outputs match the cache|local cache/);
    }
  }, 10 * 60_000);
});
