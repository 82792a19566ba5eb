import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './support';

/** Runs the real CLI, as `nx run infra:synth` and `npm run infra` do. */
function synth(args: string[]) {
  return spawnSync('node', ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', ...args], { cwd: repoRoot, encoding: 'utf8' });
}
const SHOP = join(__dirname, 'fixtures', 'shop', 'spec.json');

function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'tmp') continue;
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
      else out[`${rel}${e.name}`] = readFileSync(join(d, e.name), 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

describe('infra synth and check (real program, temp output root)', () => {
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'synth-'));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  it('writes every environment and prints one line per file with its object count', () => {
    const r = synth(['synth', '--out', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^dist\/k8s\/minikube\/30-backend\.yaml\s+3 objects$/m);
    expect(r.stdout).toMatch(/^docker\/docker-compose\.yml\s+4 services$/m);
    expect(r.stdout).toMatch(/^dist\/k8s\/production\/30-backend\.yaml\s+5 objects$/m);
    expect(Object.keys(snapshotTree(out)).sort()).toEqual(expect.arrayContaining(['dist/k8s/minikube/00-namespace.yaml', 'docker/docker-compose.yml', 'docker/docker-compose.dev.yml', 'dist/parity-report.md']));
    // The staging directory is gone, and so is the tmp/ that held it: --out holds only what synth owns.
    expect(readdirSync(out).sort()).toEqual(['dist', 'docker']);
  });

  it('is deterministic: two runs give the same bytes, with no timestamps', () => {
    expect(synth(['synth', '--out', out]).status).toBe(0);
    const first = snapshotTree(out);
    expect(synth(['synth', '--out', out]).status).toBe(0);
    expect(snapshotTree(out)).toEqual(first);
    expect(Object.values(first).join('\n')).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:/);
  });

  it('reports all 5 planted errors with their paths and writes nothing', () => {
    expect(synth(['synth', '--out', out]).status).toBe(0);
    const before = snapshotTree(out);
    const spec = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'shop', 'spec.json'), 'utf8'));
    const api = spec.services.find((s: any) => s.name === 'api');
    api.dependsOn = ['postgress', 'cache'];
    api.ports[0].port = 70000;
    api.health.liveness.http.port = 'admin';
    spec.services.find((s: any) => s.name === 'cache').image.ref = 'redis:latest';
    spec.services.find((s: any) => s.name === 'worker').writablePaths = ['tmp'];
    const bad = join(out, 'bad-spec.json');
    writeFileSync(bad, JSON.stringify(spec));
    const r = synth(['synth', '--spec', bad, '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('The service spec has 5 problems:');
    for (const line of [
      'services.api.dependsOn[0]: unknown service "postgress"',
      'services.api.ports[0].port: port 70000 is out of range 1-65535',
      'services.api.health.liveness.http.port: health check uses port "admin"',
      'services.cache.image.ref: image "redis:latest" is untagged or :latest',
      'services.worker.writablePaths[0]: "tmp" is not an absolute path',
    ]) {
      expect(r.stderr).toContain(line);
    }
    expect(r.stderr).toContain('Nothing was written.');
    rmSync(bad);
    expect(snapshotTree(out)).toEqual(before);
  });

  it('check passes on fresh output, fails with a diff after a hand edit, and names removed objects', () => {
    expect(synth(['synth', '--out', out]).status).toBe(0);
    expect(synth(['check', '--out', out]).status).toBe(0);

    const file = join(out, 'dist/k8s/minikube/40-frontend.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('replicas: 1', 'replicas: 3'));
    const edited = synth(['check', '--out', out]);
    expect(edited.status).toBe(1);
    expect(edited.stdout).toContain('-  replicas: 3');
    expect(edited.stdout).toContain('+  replicas: 1');
    expect(edited.stderr).toContain('stale: dist/k8s/minikube/40-frontend.yaml');

    // Objects a previous synth wrote (another stack here, taken over with --force) that this spec no longer produces are named as removals.
    expect(synth(['synth', '--spec', SHOP, '--out', out, '--force']).status).toBe(0);
    const other = synth(['check', '--out', out]);
    expect(other.status).toBe(1);
    expect(other.stderr).toContain('would remove dist/k8s/staging/');
    expect(other.stderr).toContain('holds the output of stack "shop", not of "todo"');
  });

  it('synth removes the files a previous synth wrote and the spec no longer produces, and names them', () => {
    expect(synth(['synth', '--spec', SHOP, '--out', out]).status).toBe(0);
    expect(readdirSync(join(out, 'dist/k8s')).sort()).toEqual(['production', 'staging']);
    // Another stack's output: only --force takes it over.
    expect(synth(['synth', '--out', out]).status).toBe(1);
    const r = synth(['synth', '--out', out, '--force']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('took over the output of stack "shop" (--force)');
    expect(r.stdout).toMatch(/^removed dist\/k8s\/staging\/\S+ \(a previous synth wrote it/m);
    expect(readdirSync(join(out, 'dist/k8s')).sort()).toEqual(['minikube', 'production']);
    expect(readdirSync(join(out, 'docker')).sort()).toEqual(['docker-compose.dev.yml', 'docker-compose.yml']);
    expect(synth(['check', '--out', out]).status).toBe(0);
  });

  it('a broken JSON spec fails with file, line and column, exit 1, and writes nothing', () => {
    expect(synth(['synth', '--out', out]).status).toBe(0);
    const before = snapshotTree(out);
    const bad = join(out, 'broken.json');
    writeFileSync(bad, '{\n  "name": "shop",\n  "services": [\n');
    const r = synth(['synth', '--spec', bad, '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/broken\.json:3:16: invalid JSON: /);
    expect(r.stderr).toContain('Nothing was written.');
    rmSync(bad);
    expect(snapshotTree(out)).toEqual(before);
  });

  it('the committed output in this repository is current', () => {
    const r = synth(['check']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('the synth builds its image tags from the same function docker-build uses', () => {
  it('dist and docker-build agree on the backend and frontend refs', () => {
    const run = (svc: string) => execFileSync('node', ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', 'images', '--official', 'ref', svc], { cwd: repoRoot, encoding: 'utf8' }).trim();
    const manifests = readFileSync(join(repoRoot, 'dist/k8s/minikube/30-backend.yaml'), 'utf8') + readFileSync(join(repoRoot, 'dist/k8s/minikube/40-frontend.yaml'), 'utf8');
    const compose = readFileSync(join(repoRoot, 'docker/docker-compose.yml'), 'utf8');
    for (const svc of ['backend', 'frontend']) {
      const ref = run(svc);
      expect(manifests).toContain(`image: ${ref}\n`);
      expect(compose).toContain(`image: ${ref}\n`);
    }
    expect(`${manifests}${compose}`).not.toContain(':latest');
  });
});

describe('synth owns only the files it wrote', () => {
  // Hand-written files where synth writes: compose's own override file and a manifest of one's own.
  const planted = {
    'docker/docker-compose.override.yml': 'services:\n  backend:\n    environment:\n      LOG_LEVEL: DEBUG\n',
    'dist/k8s/mine/x.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n  namespace: todo\n',
  };
  const plant = (root: string) => {
    for (const [path, content] of Object.entries(planted)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), content);
    }
  };
  const expectIntact = (root: string, stdout: string) => {
    for (const [path, content] of Object.entries(planted)) {
      expect(readFileSync(join(root, path), 'utf8')).toBe(content);
      expect(stdout).toContain(`left alone ${path} (not written by synth)`);
    }
  };

  it('under --out: both planted files survive a synth (and a re-synth) with unchanged bytes, and are reported', () => {
    const out = mkdtempSync(join(tmpdir(), 'synth-own-'));
    try {
      plant(out);
      const first = synth(['synth', '--out', out]);
      expect(first.status).toBe(0);
      expectIntact(out, first.stdout);
      const again = synth(['synth', '--out', out]);
      expect(again.status).toBe(0);
      expectIntact(out, again.stdout);
      // check compares only synth's files: the planted ones do not make the output stale.
      const check = synth(['check', '--out', out]);
      expect(check.status).toBe(0);
      expect(check.stdout).toContain('not checked dist/k8s/mine/x.yaml (not written by synth)');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('in the repository: both planted files survive `synth` with unchanged bytes', () => {
    const existed = Object.keys(planted).filter((p) => existsSync(join(repoRoot, p)));
    expect(existed).toEqual([]);
    try {
      plant(repoRoot);
      const r = synth(['synth']);
      expect(r.status).toBe(0);
      expectIntact(repoRoot, r.stdout);
    } finally {
      rmSync(join(repoRoot, 'docker/docker-compose.override.yml'), { force: true });
      rmSync(join(repoRoot, 'dist/k8s/mine'), { recursive: true, force: true });
    }
  });

  it('a manifest that lists files outside dist/ and docker/ (or is broken) stops synth before it removes anything', () => {
    const out = mkdtempSync(join(tmpdir(), 'synth-own-'));
    try {
      expect(synth(['synth', '--out', out]).status).toBe(0);
      writeFileSync(join(out, 'keep.txt'), 'mine\n');
      const manifest = join(out, 'dist/synth-manifest.json');
      writeFileSync(manifest, JSON.stringify({ files: ['dist/parity-report.md', '../keep.txt', 'keep.txt', 'dist/../keep.txt'] }));
      const r = synth(['synth', '--out', out]);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('dist/synth-manifest.json: lists "../keep.txt", "keep.txt", "dist/../keep.txt", outside dist/ and docker/');
      expect(readFileSync(join(out, 'keep.txt'), 'utf8')).toBe('mine\n');
      writeFileSync(manifest, '{ "files": [');
      const broken = synth(['synth', '--out', out]);
      expect(broken.status).toBe(1);
      expect(broken.stderr).toContain('dist/synth-manifest.json: not valid JSON');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('output written before the manifest existed is recognised by its generated-file mark', () => {
    const out = mkdtempSync(join(tmpdir(), 'synth-own-'));
    try {
      expect(synth(['synth', '--spec', SHOP, '--out', out]).status).toBe(0);
      rmSync(join(out, 'dist/synth-manifest.json'));
      plant(out);
      const r = synth(['synth', '--out', out]);
      expect(r.status).toBe(0);
      expect(existsSync(join(out, 'dist/k8s/staging'))).toBe(false);
      expectIntact(out, r.stdout);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('the stack diagram', () => {
  it('the README embeds the todo stack diagram exactly as synth writes it', () => {
    const page = readFileSync(join(repoRoot, 'dist/stack-diagram.md'), 'utf8');
    const block = page.slice(page.indexOf('```mermaid'), page.lastIndexOf('```') + 3);
    expect(block).toContain('svc_backend -- "depends on (healthy)" --> svc_postgres');
    expect(readFileSync(join(repoRoot, 'README.md'), 'utf8')).toContain(block);
  });
});
