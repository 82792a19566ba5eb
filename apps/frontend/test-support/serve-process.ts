import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const appDir = path.resolve(__dirname, '..');

/**
 * A stand-in for Next's standalone server.js: it creates its server with http.createServer
 * and listens on PORT/HOSTNAME, as Next's does, so serve.cjs wraps it exactly as in the
 * image. Like the page routes behind Next's Proxy, it reads every request body whole
 * before answering; it echoes the request target it was handed.
 */
const NEXT_STAND_IN = `'use strict';
const http = require('node:http');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('error', () => undefined);
  req.on('end', () => {
    const body = JSON.stringify({ next: true, method: req.method, url: req.url, bytes: Buffer.concat(chunks).length });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(Number(process.env.PORT), process.env.HOSTNAME, () => {
  console.log('listening on ' + server.address().port);
});
`;

let built: string | undefined;

/**
 * serve.cjs and the API fast path compiled by the same tsconfig as \`npm run build\`, in a
 * temporary directory laid out as .next/standalone is, with the stand-in as server.js.
 */
export function buildServeDir(): string {
  if (built) return built;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'frontend-serve-'));
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.server.json', '--outDir', path.join(dir, 'server-lib')], {
    cwd: appDir,
    stdio: 'pipe',
  });
  copyFileSync(path.join(appDir, 'serve.cjs'), path.join(dir, 'serve.cjs'));
  writeFileSync(path.join(dir, 'server.js'), NEXT_STAND_IN);
  built = dir;
  return dir;
}

export function removeServeDir(): void {
  if (built) rmSync(built, { recursive: true, force: true });
  built = undefined;
}

export interface ServeProcess {
  url: string;
  port: number;
  pid: number;
  /** Everything the process wrote to stdout and stderr so far. */
  log(): string;
  /** Resident set size of the server process in bytes (Linux /proc). */
  rss(): number;
  stop(): Promise<void>;
}

/** Starts `node serve.cjs` for real on a free loopback port. */
export async function startServe(env: Record<string, string>): Promise<ServeProcess> {
  const dir = buildServeDir();
  const child: ChildProcess = spawn(process.execPath, ['serve.cjs'], {
    cwd: dir,
    // NODE_PATH: the compiled proxy finds undici in this app's node_modules, as the image's copy does beside it.
    env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(appDir, 'node_modules'), NODE_ENV: 'production', HOSTNAME: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve.cjs did not start:\n${output}`)), 10_000);
    const check = () => {
      const match = /listening on (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve.cjs exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? 0,
    log: () => output,
    rss: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

export interface RawExchange {
  /** Everything the server sent. */
  text: string;
  /** Whether the server closed the connection before `waitMs` passed. */
  closed: boolean;
  /** Status codes of the responses in `text`, in order. */
  statuses: number[];
}

/** Writes raw bytes on a TCP connection and collects the answer for up to `waitMs` or until the server closes. */
export function rawExchange(port: number, request: string | Buffer, waitMs = 1_000): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ text, closed, statuses: [...text.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((m) => Number(m[1])) });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (d) => chunks.push(d));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
  });
}

/** The JSON body of the last response in a raw exchange. */
export function lastJson(text: string): Record<string, unknown> {
  const at = text.lastIndexOf('\r\n\r\n');
  return JSON.parse(text.slice(at + 4));
}
