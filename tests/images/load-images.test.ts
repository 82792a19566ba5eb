// --dry-run prints the refs it would load (no cluster needed).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot, run } from './docker';

const loadImages = (...args: string[]) => run('bash', ['scripts/load-images.sh', ...args]);

describe('scripts/load-images.sh', () => {
  it('prints exactly the todo-* image refs, deduplicated, quotes stripped', () => {
    const r = loadImages('--dry-run', '--dir', join(__dirname, 'fixtures/minikube'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('todo-backend:0123456789ab\ntodo-frontend:ba9876543210\n');
  });

  it('fails naming the fix when the manifests are missing or hold no todo-* image', () => {
    const empty = mkdtempSync(join(tmpdir(), 'k8s-empty-'));
    try {
      const none = loadImages('--dry-run', '--dir', empty);
      expect(none.status).toBe(1);
      expect(none.stderr).toContain('run \'npx nx run infra:synth\' first');
      writeFileSync(join(empty, 'db.yaml'), 'spec:\n  containers:\n    - image: postgres:16-alpine\n');
      const noTodo = loadImages('--dry-run', '--dir', empty);
      expect(noTodo.status).toBe(1);
      expect(noTodo.stderr).toContain('no built image (todo-*)');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    expect(loadImages('--bogus').stderr).toContain("unknown argument '--bogus'");
  });

  const synthDir = join(repoRoot, 'dist/k8s/minikube');
  const synthesized = existsSync(synthDir) && readdirSync(synthDir).some((f) => f.endsWith('.yaml'));
  (synthesized ? it : it.skip)('on the synthesized manifests, prints what a YAML parser finds', () => {
    const images = new Set<string>();
    const walk = (n: unknown): void => {
      if (Array.isArray(n)) n.forEach(walk);
      else if (n && typeof n === 'object') {
        for (const [k, v] of Object.entries(n)) if (k === 'image' && typeof v === 'string') images.add(v); else walk(v);
      }
    };
    for (const f of readdirSync(synthDir).filter((x) => x.endsWith('.yaml'))) {
      for (const doc of parseAllDocuments(readFileSync(join(synthDir, f), 'utf8'))) walk(doc.toJS());
    }
    const expected = [...images].filter((i) => /(^|\/)todo-[^/]*$/.test(i)).sort();
    expect(expected.map((i) => i.replace(/:.*/, ''))).toEqual(['todo-backend', 'todo-frontend']);
    const r = loadImages('--dry-run');
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(expected);
  });
});
