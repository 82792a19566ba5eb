import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { validate } from '../validate';
import { validateShape } from '../validate-shape';
import { mutate, validStack } from './fixture';

const lib = join(__dirname, '..', '..');
const repoRoot = join(lib, '..', '..');
mkdirSync(join(repoRoot, 'tmp'), { recursive: true });

describe('the JSON Schema of the spec', () => {
  it('is generated from types.ts and the committed file is current', () => {
    const r = spawnSync(process.execPath, [join(lib, 'scripts', 'generate-schema.mjs'), '--check'], { cwd: repoRoot, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);

  it('goes stale when the types change: a field added to types.ts only is caught', () => {
    // Generate from a copy of types.ts that gained a field: the committed schema must then differ.
    const dir = mkdtempSync(join(repoRoot, 'tmp', 'schema-'));
    try {
      const types = join(dir, 'types.ts');
      writeFileSync(types, readFileSync(join(lib, 'src', 'types.ts'), 'utf8').replace('readonly imageMirrors?', 'readonly plantedField?: string;\n  readonly imageMirrors?'));
      const script = `const { generateSchema, SCHEMA_FILE } = await import(${JSON.stringify(join(lib, 'scripts', 'generate-schema.mjs'))});
        const { readFileSync } = await import('node:fs');
        const fresh = generateSchema(${JSON.stringify(types)});
        process.stdout.write(String(fresh.includes('plantedField') && fresh !== readFileSync(SCHEMA_FILE, 'utf8')));`;
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
      expect(out).toBe('true');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('lets env, dev env, label and annotation values be empty (compose `FOO: ""` sets FOO to the empty string), and no other string', () => {
    const spec = mutate((s: any) => {
      const api = s.services.find((x: any) => x.name === 'api');
      api.env = { ...api.env, EMPTY: '' };
      api.labels = { team: '' };
      api.dev = { env: { EMPTY: '' } };
    });
    expect(validateShape(spec)).toEqual([]);
    // The rule for every other string still holds.
    expect(validateShape(mutate((s: any) => (s.services[0].name = '')))).toContainEqual({ path: 'services[0].name', message: 'must be a non-empty string, got an empty string' });
  });

  it('accepts a spec that names the schema with $schema', () => {
    expect(validate({ $schema: './node_modules/@todo/service-spec/src/spec.schema.json', ...validStack() })).toEqual([]);
  });

  it('names services by name in shape paths, like the meaning phase', () => {
    const issues = validateShape(mutate((s: any) => (s.services[1].ports[0].port = 'http')));
    expect(issues).toEqual([{ path: 'services.api.ports[0].port', message: 'must be an integer, got "http"' }]);
  });

  it('falls back to the index when a service name is missing or duplicated', () => {
    expect(validateShape(mutate((s: any) => delete s.services[1].name))).toContainEqual({ path: 'services[1].name', message: 'is required' });
    const dup = mutate((s: any) => {
      s.services[1].name = 'db';
      s.services[1].replicas = 'two';
    });
    expect(validateShape(dup)).toContainEqual({ path: 'services[1].replicas', message: 'must be an integer, got "two"' });
  });

  it('reports every shape problem at once, across services and environments', () => {
    const issues = validateShape(
      mutate((s: any) => {
        s.services[0].role = 'server';
        s.services[1].health.liveness.periodSeconds = 1.5;
        s.environments.local.target = 'swarm';
        s.extra = true;
      }),
    );
    expect(issues.map((i) => i.path).sort()).toEqual(['environments.local.target', 'extra', 'services.api.health.liveness.periodSeconds', 'services.db.role']);
  });

  it('a union (dependsOn: name or object) reports the precise problem, or one message for a wrong type', () => {
    expect(validateShape(mutate((s: any) => (s.services[1].dependsOn = [5])))).toEqual([
      { path: 'services.api.dependsOn[0]', message: 'must be one of these forms: a string; DependencySpec' },
    ]);
    expect(validateShape(mutate((s: any) => (s.services[1].dependsOn = [{ service: 'db', condition: 'ready' }])))).toEqual([
      { path: 'services.api.dependsOn[0].condition', message: 'must be one of "healthy", "started", "completed", got "ready"' },
    ]);
  });
});
