// No secret reaches any layer: plant .env files with markers across the repo,
// build the images under probe tags, `docker save` them and search every layer.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, dockerBuild, run, unique, DOCKER, type Service } from './docker';
import { fakeDbUrl, fakeOpenAiKey, marker, plant, unplant } from './plant';

/** Unpacks every layer of an image into its own dir; returns the root. */
function unpackLayers(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  const saved = run('sh', ['-c', `${DOCKER} save "$0" | tar -x -C "$1"`, ref, dir]);
  if (saved.status !== 0) throw new Error(saved.stderr);
  const layers = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('layer.tar'));
  if (layers.length === 0) throw new Error(`no layers found in docker save of ${ref}`);
  for (const l of layers) {
    const r = run('sh', ['-c', 'mkdir -p "$1.d" && tar -x -C "$1.d" -f "$1" 2>/dev/null; rm -f "$1"', 'x', join(dir, l)]);
    if (r.status !== 0) throw new Error(r.stderr);
  }
  return dir;
}

/** Files (config JSON and layer contents) containing the pattern. */
function grep(dir: string, pattern: string, fixed: boolean): string[] {
  const r = run('grep', ['-rlaI', fixed ? '-F' : '-E', '-e', pattern, dir]);
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
