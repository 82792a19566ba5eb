// `infra init`: the file name the Nx plugin picks up, and a starter spec that names the model's choices.
import { specSchema } from '@todo/service-spec';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { initCommand } from '../src/commands/spec-tools';
import { repoRoot } from './support';

let dir: string;
beforeEach(() => {
  mkdirSync(join(repoRoot, 'tmp'), { recursive: true });
  dir = mkdtempSync(join(repoRoot, 'tmp', 'init-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The init command itself, run in `dir` (inside the repository, where it finds the schema). */
function init(...args: string[]) {
  const out: string[] = [];
  const status = initCommand.run(args, { cwd: dir, out: (l) => void out.push(l), err: (l) => void out.push(l) });
  return { status, stdout: out.join('\n') };
}

describe('init', () => {
  it('writes <name>.stack.yaml by default: a name the docker-build plugin picks up (*.stack.yaml)', () => {
    expect(init().status).toBe(0);
    expect(existsSync(join(dir, 'app.stack.yaml'))).toBe(true);
    const r = init('--name', 'shop');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('init: wrote shop.stack.yaml');
    expect(existsSync(join(dir, 'shop.stack.yaml'))).toBe(true);
  });

  it("names every role value and the default user in the starter spec's comments", () => {
    expect(init('--out', 'x.yaml').status).toBe(0);
    const comments = readFileSync(join(dir, 'x.yaml'), 'utf8').split('\n').filter((l) => l.trim().startsWith('#')).join('\n');
    const roles = (specSchema as { definitions: Record<string, { enum: string[] }> }).definitions.ServiceRole.enum;
    expect(roles.length).toBeGreaterThan(3);
    for (const role of roles) expect(comments).toMatch(new RegExp(`\\b${role}\\b`));
    expect(comments).toMatch(/uid 1000, gid 1000/);
    expect(comments).toContain('docs/service-spec.md');
  });
});
