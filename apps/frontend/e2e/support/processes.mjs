import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** Asks the kernel for a free port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a long-running process in its own process group, logging to a file.
 * `stop()` signals only that group, so nothing else on the machine is touched.
 */
export function startProcess(name, command, args, { cwd, env, logFile, stopSignal = 'SIGTERM' }) {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let running = true;
  exited.then(() => {
    running = false;
  });
  return {
    name,
    child,
    logFile,
    get running() {
      return running;
    },
    exited,
    /** Synchronous stop for signal handlers, which cannot await: signal, then block until the group is gone. */
    stopNow(signal = stopSignal, timeoutMs = 5_000) {
      // The leader turns into a zombie that only the (blocked) event loop would reap, so "gone" means exited, not unlisted.
      const alive = () => {
        try {
          return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${child.pid}/stat`, 'utf8'));
        } catch {
          return false;
        }
      };
      if (!alive()) return;
      process.kill(-child.pid, signal);
      const deadline = Date.now() + timeoutMs;
      const pause = new Int32Array(new SharedArrayBuffer(4));
      while (alive() && Date.now() < deadline) Atomics.wait(pause, 0, 0, 100);
      if (alive()) process.kill(-child.pid, 'SIGKILL');
    },
    async stop(timeoutMs = 10_000) {
      if (!running) return;
      try {
        process.kill(-child.pid, stopSignal);
      } catch {
        return;
      }
      const done = await Promise.race([exited.then(() => true), sleep(timeoutMs).then(() => false)]);
      if (!done && running) {
        process.kill(-child.pid, 'SIGKILL');
        await exited;
      }
    },
  };
}

export function tail(file, lines = 30) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Polls `url` until it answers 2xx; fails early, with the log tail, if the process dies. */
export async function waitForHttp(url, proc, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (proc && !proc.running) {
      throw new Error(`${proc.name} exited before ${url} was ready. Last log lines (${proc.logFile}):\n${tail(proc.logFile)}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = `HTTP ${response.status}: ${(await response.text()).slice(0, 200)}`;
    } catch (error) {
      last = error.cause?.code ?? error.message;
    }
    await sleep(250);
  }
  const logs = proc ? `\nLast log lines (${proc.logFile}):\n${tail(proc.logFile)}` : '';
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})${logs}`);
}

/** Runs a command to completion; rejects with its output when it fails. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output}`)),
    );
  });
}
