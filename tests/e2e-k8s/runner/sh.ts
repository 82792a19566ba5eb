import { spawn } from 'node:child_process';
import { join } from 'node:path';

// The one Docker detection of every script and test ($DOCKER, else docker from PATH); the runner needs no BuildKit.
const tools = require(join(__dirname, '..', '..', '..', 'scripts', 'docker-tools.cjs')) as { detectDocker(): { docker: string } };
export const DOCKER = process.env.E2E_K8S_DOCKER ?? tools.detectDocker().docker;

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without a shell; `timeoutMs` kills it (code 124, as timeout(1) reports). */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = opts.timeoutMs ? setTimeout(() => ((timedOut = true), child.kill('SIGKILL')), opts.timeoutMs) : undefined;
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code: timedOut ? 124 : (code ?? -1), stdout, stderr });
    });
    if (child.stdin) {
      child.stdin.on('error', () => undefined); // a command that exits without reading its input
      child.stdin.end(opts.input);
    }
  });
}

export async function docker(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await run(DOCKER, args, opts);
  if (r.code !== 0) throw new Error(`docker ${args.slice(0, 3).join(' ')} … failed (${r.code}): ${r.stderr.trim()}`);
  return r.stdout.trim();
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Calls `fn` every `everyMs` until it returns a value; on timeout the error names `what`, the last error and `state()`. */
export async function poll<T>(what: string, ms: number, fn: () => Promise<T | undefined>, { everyMs = 500, state = (): string => '' }: { everyMs?: number; state?: () => string } = {}): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  const detail = state();
  throw new Error(`timed out after ${ms / 1000} s waiting for ${what}${last ? `: ${String(last)}` : ''}${detail ? `\n  ${detail}` : ''}`);
}
/** For a pod's own back-off and probe periods: they must not keep the process alive after teardown. */
export const idle = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
