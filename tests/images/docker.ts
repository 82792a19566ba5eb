import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { join } from 'node:path';

interface DockerTools {
  detectDocker(): { docker: string; build: string[]; buildEnv: Record<string, string>; problem?: string };
}
// The one detection every script and test uses: $DOCKER, else docker from PATH.
const tools = require(join(__dirname, '..', '..', 'scripts', 'docker-tools.cjs')) as DockerTools;
export const dockerTool = tools.detectDocker();
export const DOCKER = dockerTool.docker;
export const repoRoot = join(__dirname, '..', '..');
export type Service = 'backend' | 'frontend';

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): Run {
  const r = spawnSync(cmd, args, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  if (r.error) throw r.error;
  // Nx colours its output when CI is set; the tests read the words.
  const plain = (s: unknown) => String(s ?? '').replace(/\x1b\[[0-9;]*m/g, '');
  return { status: r.status ?? -1, stdout: plain(r.stdout), stderr: plain(r.stderr) };
}

/** Runs docker and throws with its stderr when it fails. */
export function docker(...args: string[]): string {
  const r = run(DOCKER, args);
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.status}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

export function buildInputs(cmd: 'ref' | 'build-args' | 'context' | 'mirror' | 'plan', arg = '', ...options: string[]): string {
  const r = run(process.execPath, ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', 'images', cmd, ...(arg ? [arg] : []), ...options]);
  if (r.status !== 0) throw new Error(`build-inputs ${cmd} ${arg}: ${r.stderr}`);
  return r.stdout.trim();
}

export function dockerBuild(service: Service, ...extra: string[]): Run {
  return run(process.execPath, ['scripts/docker-build.mjs', service, ...extra]);
}

export const imageExists = (ref: string): boolean => run(DOCKER, ['image', 'inspect', ref]).status === 0;

/** Builds the service's image unless present; returns its ref. */
export function ensureImage(service: Service): string {
  const ref = buildInputs('ref', service);
  if (!imageExists(ref)) {
    const r = dockerBuild(service);
    if (r.status !== 0) throw new Error(`building ${service} failed:\n${r.stderr}\n${r.stdout.slice(-4000)}`);
  }
  return ref;
}

export function healthStatus(container: string): string {
  return docker('inspect', '-f', '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}', container);
}

export async function waitHealthy(container: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let status = '';
  while (Date.now() < deadline) {
    status = healthStatus(container);
    if (status === 'healthy') return;
    if (docker('inspect', '-f', '{{.State.Running}}', container) !== 'true') break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  const logs = run(DOCKER, ['logs', '--tail', '50', container]);
  const health = run(DOCKER, ['inspect', '-f', '{{json .State.Health}}', container]).stdout;
  throw new Error(`${container} is "${status}", not healthy\nhealth: ${health}\nlogs:\n${logs.stdout}${logs.stderr}`);
}

export function removeContainers(...names: string[]): void {
  for (const n of names) run(DOCKER, ['rm', '-f', '-v', n]);
}

/** Unique per run so parallel runs on a shared engine never collide. */
export const unique = (prefix: string): string => `${prefix}-${process.pid}-${Date.now().toString(36)}`;
