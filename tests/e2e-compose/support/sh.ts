import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

interface DockerTools {
  detectDocker(): { docker: string };
  detectCompose(): { command: string[] };
}
// The one detection every script and test uses: $DOCKER, else docker from PATH;
// `docker compose` (v2) when present, else docker-compose (v1.29).
const tools = require(join(__dirname, '..', '..', '..', 'scripts', 'docker-tools.cjs')) as DockerTools;
export const DOCKER = tools.detectDocker().docker;
export const COMPOSE = tools.detectCompose().command;
export const repoRoot = join(__dirname, '..', '..', '..');

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

export function runSync(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const r = spawnSync(cmd, args, { cwd: repoRoot, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Async so a long command (compose up, a browser run) never blocks jest's timers. */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, cwd = repoRoot): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

export function docker(...args: string[]): string {
  const r = runSync(DOCKER, args);
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')} failed (${r.status}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function poll<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}
