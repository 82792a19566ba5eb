import { todoStack, validate, type StackSpec } from '@todo/service-spec';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { renderOutputs, type OutputFile } from '../src/outputs';

export const repoRoot = join(__dirname, '..', '..', '..');

/** Fixed tags so golden files do not change with every source edit. */
export function fixtureTags(spec: StackSpec): Record<string, string> {
  return Object.fromEntries(spec.services.filter((s) => s.image.build).map((s) => [s.name, 'fixture00000']));
}

export function loadCase(name: string): StackSpec {
  if (name === 'todo') return todoStack;
  const spec = JSON.parse(readFileSync(join(__dirname, 'fixtures', name, 'spec.json'), 'utf8'));
  const issues = validate(spec);
  if (issues.length) throw new Error(`fixture ${name} is invalid: ${JSON.stringify(issues)}`);
  return spec;
}

/** The fixture's spec file as synth names it in headers and the manifest (the todo stack: its own module). */
export function casePath(name: string): string | undefined {
  return name === 'todo' ? undefined : `apps/infra/test/fixtures/${name}/spec.json`;
}

export function renderCase(name: string): OutputFile[] {
  const spec = loadCase(name);
  return renderOutputs(spec, fixtureTags(spec), { specPath: casePath(name) }).files;
}

export type KubeObject = Record<string, any> & { kind: string; apiVersion: string; metadata: { name: string; namespace?: string } };

export function kubeObjects(files: readonly OutputFile[]): { file: string; object: KubeObject }[] {
  return files
    .filter((f) => f.path.startsWith('dist/k8s/'))
    .flatMap((f) => parseAllDocuments(f.content).map((d) => ({ file: f.path, object: d.toJS() as KubeObject })));
}

export { validateComposeSchema, validateKube } from '../src/output-schemas';

/**
 * Compose v2 as argv, from the one detection every script uses (scripts/docker-tools.cjs:
 * $COMPOSE, else `docker compose`); it throws, naming scripts/docker-plugins.sh, when the plugin is missing.
 */
export function composeArgv(): string[] {
  return (require(join(repoRoot, 'scripts', 'docker-tools.cjs')) as { detectCompose(): { command: string[] } }).detectCompose().command;
}

/**
 * Runs the real `docker compose` (v2) on files; returns its normalised config, every profile's
 * services included (v2 leaves out services of profiles not enabled; `--profile '*'` enables all).
 */
export function dockerComposeConfig(files: Record<string, string>, args: string[] = [], env: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'compose-'));
  try {
    const flags: string[] = [];
    for (const [name, content] of Object.entries(files)) {
      writeFileSync(join(dir, name), content);
      flags.push('-f', join(dir, name));
    }
    const [cmd, ...pre] = composeArgv();
    return execFileSync(cmd, [...pre, ...flags, '--project-directory', dir, '--profile', '*', 'config', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
