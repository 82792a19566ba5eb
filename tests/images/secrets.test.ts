// No secret reaches any layer: plant .env files with markers across the repo,
// build the images under probe tags, `docker save` them and search every layer.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, dockerBuild, dockerTool, run, unique, DOCKER, type Service } from './docker';
import { fakeDbUrl, fakeOpenAiKey, marker, plant, unplant } from './plant';

/** Unpacks every layer of an image into its own dir; returns the root. */
function unpackLayers(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  const saved = run('sh', ['-c', `${DOCKER} save "$0" | tar -x -C "$1"`, ref, dir]);
  if (saved.status !== 0) throw new Error(saved.stderr);
  const layers = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('layer.tar'));
  if (layers.length === 0) throw new Error(`no layers found in docker save of ${ref}`);
  for (const l of layers) unpackLayer(join(dir, l));
  return dir;
}

/** Unpacks one layer tar beside itself; a layer that does not unpack fails the scan (it would hide files). */
function unpackLayer(tar: string): void {
  const r = run('sh', ['-c', 'mkdir -p "$1.d" && tar -x -C "$1.d" -f "$1" && rm -f "$1"', 'x', tar]);
  if (r.status !== 0) throw new Error(`cannot unpack ${tar}: ${r.stderr.trim()}`);
}

/**
 * Files (config JSON and layer contents) containing the pattern. `-a` reads
 * binary files as text: a secret in a .pyc, a .so or any binary is found
 * (`-I` would skip every binary file, whatever its position on the line).
 */
function grep(dir: string, pattern: string, fixed: boolean): string[] {
  const r = run('grep', ['-rla', fixed ? '-F' : '-E', '-e', pattern, dir]);
  if (r.status > 1) throw new Error(r.stderr);
  return r.stdout.split('\n').filter(Boolean);
}

describe.each(['backend', 'frontend'] as const)('%s image layers', (service: Service) => {
  const ref = `${unique('todo-secret-probe')}:${service}`;
  let dir = '';

  beforeAll(() => {
    plant();
    try {
      const b = dockerBuild(service, '--tag', ref);
      if (b.status !== 0) throw new Error(`probe build failed:\n${b.stderr}\n${b.stdout.slice(-3000)}`);
    } finally {
      unplant();
    }
    dir = unpackLayers(ref);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    run(DOCKER, ['rmi', '-f', ref]);
  });

  it('holds none of the planted markers, DATABASE_URL or key', () => {
    expect(grep(dir, marker, true)).toEqual([]);
    expect(grep(dir, fakeDbUrl, true)).toEqual([]);
    expect(grep(dir, fakeOpenAiKey, true)).toEqual([]);
  });

  it('holds nothing shaped like an OpenAI key and no .env file', () => {
    expect(grep(dir, '(^|[^A-Za-z0-9_-])sk-[A-Za-z0-9_]{20,}', false)).toEqual([]);
    const envFiles = run('find', [dir, '-name', '.env', '-o', '-name', '.env.*']).stdout.trim();
    expect(envFiles).toBe('');
  });

  it('the search itself finds a string that is in the image', () => {
    // Guards against a vacuous search (e.g. layers not unpacked).
    const inImage = service === 'backend' ? 'class FastAPI' : 'startServer';
    expect(grep(dir, inImage, true).filter((f) => f.includes('layer.tar.d')).length).toBeGreaterThan(0);
    expect(docker('image', 'inspect', '-f', '{{.Id}}', ref)).toMatch(/^sha256:/);
  });
});

describe('the layer scan', () => {
  it('finds a secret in binary files (.pyc, NUL bytes), and fails on a layer that does not unpack', () => {
    const ctx = mkdtempSync(join(tmpdir(), 'scan-probe-'));
    const ref = `${unique('todo-scan-probe')}:bin`;
    try {
      mkdirSync(join(ctx, 'app'));
      writeFileSync(join(ctx, 'app', 'module.pyc'), Buffer.concat([Buffer.from([0x6f, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0]), Buffer.from(marker), Buffer.from([0, 0xff])]));
      writeFileSync(join(ctx, 'app', 'blob.bin'), Buffer.concat([Buffer.alloc(64), Buffer.from(fakeOpenAiKey), Buffer.alloc(64)]));
      writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY app /app\n');
      const b = run(DOCKER, [...dockerTool.build, '-q', '-t', ref, ctx], { env: { ...process.env, ...dockerTool.buildEnv } });
      if (b.status !== 0) throw new Error(b.stderr);
      const dir = unpackLayers(ref);
      try {
        expect(grep(dir, marker, true).map((f) => f.split('/').pop())).toEqual(['module.pyc']);
        expect(grep(dir, fakeOpenAiKey, true).map((f) => f.split('/').pop())).toEqual(['blob.bin']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      writeFileSync(join(ctx, 'layer.tar'), 'not a tar archive');
      expect(() => unpackLayer(join(ctx, 'layer.tar'))).toThrow('cannot unpack');
    } finally {
      run(DOCKER, ['rmi', '-f', ref]);
      rmSync(ctx, { recursive: true, force: true });
    }
  });
});
