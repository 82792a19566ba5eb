/**
 * A new user's walk, exactly as the README gives it (the blocks between
 * `<!-- walk:start -->` and `<!-- walk:end -->`): init a stack, edit it to build
 * an app of one's own, validate, synth, see its docker-build target in Nx, and
 * `docker compose up --build` it; then the app answers through the published port.
 *
 * The README's names are swapped for a run-private one (my-app -> walk-<pid>), so
 * a user's own stacks/my-app is never touched. On a machine without a registry
 * one compose override maps official bases to the stand-ins (TODO_IMAGE_MIRRORS),
 * and the built image gets a stand-in tag, never the content-hash tag of the
 * official-base build. Compose v1 is written for `docker compose` where that is
 * what the machine has.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
/* eslint-disable @nx/enforce-module-boundaries -- test code: the e2e-compose project's compose and shell helpers (shared, not a library) */
import { readMirrors } from '../e2e-compose/support/compose';
import { COMPOSE, DOCKER, repoRoot, run, runSync } from '../e2e-compose/support/sh';

const name = `walk-${process.pid}`;
const NAME = name.toUpperCase().replace(/-/g, '_');

interface Block {
  readonly lang: string;
  readonly body: string;
}

/** The README's walk, with the run-private name, as its fenced blocks in order. */
function walkBlocks(): Block[] {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf('<!-- walk:start -->');
  const end = readme.indexOf('<!-- walk:end -->');
  if (start < 0 || end < start) throw new Error('README.md has no <!-- walk:start --> ... <!-- walk:end --> section');
  const section = readme.slice(start, end).replace(/my-app/g, name).replace(/MY_APP/g, NAME);
  return [...section.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map((m) => ({ lang: m[1], body: m[2] }));
}

const stackDir = join(repoRoot, 'stacks', name);
const outDir = join(repoRoot, 'dist', 'stacks', name);
const composeFile = join(outDir, 'docker', 'docker-compose.yml');
const override = join(tmpdir(), `${name}-override.yml`);
const secrets = { [`${NAME}_DB_PASSWORD`]: 'x', [`${NAME}_WEB_DATABASE_URL`]: 'x' };

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/** The images compose built for the walk: removed afterwards with the rest. */
function builtImages(): string[] {
  if (!existsSync(composeFile)) return [];
  const doc = parse(readFileSync(composeFile, 'utf8')) as { services: Record<string, { image: string; build?: unknown }> };
  return Object.entries(doc.services).filter(([, s]) => s.build).map(([svc, s]) => (existsSync(override) ? `walk-standin/${svc}:${name}` : s.image));
}

/** Where the machine has no registry: official bases and images to their stand-ins, in one override. */
function writeOverride(): string[] {
  const mirrors = readMirrors();
  if (!Object.keys(mirrors).length) return [];
  const doc = parse(readFileSync(composeFile, 'utf8')) as { services: Record<string, { image: string; build?: { args?: Record<string, string> } }> };
  const services: Record<string, unknown> = {};
  for (const [svc, s] of Object.entries(doc.services)) {
    if (s.build) {
      const args = Object.fromEntries(Object.entries(s.build.args ?? {}).map(([k, v]) => [k, mirrors[v] ?? v]));
      services[svc] = { image: `walk-standin/${svc}:${name}`, build: { args } };
    } else if (mirrors[s.image]) services[svc] = { image: mirrors[s.image] };
  }
  writeFileSync(override, stringify({ services }));
  return ['-f', override];
}

describe('the README walk: init, edit, validate, synth, nx show projects, compose up --build', () => {
  afterAll(async () => {
    if (existsSync(composeFile)) {
      const files = ['-f', composeFile, ...(existsSync(override) ? ['-f', override] : [])];
      await run(COMPOSE[0], [...COMPOSE.slice(1), '-p', name, ...files, 'down', '-v', '--timeout', '5'], { ...process.env, ...secrets });
    }
    for (const image of builtImages()) runSync(DOCKER, ['rmi', '-f', image]);
    rmSync(stackDir, { recursive: true, force: true });
    rmSync(outDir, { recursive: true, force: true });
    rmSync(override, { force: true });
    for (const dir of [join(repoRoot, 'stacks'), join(repoRoot, 'dist', 'stacks')]) if (existsSync(dir) && !readdirSync(dir).length) rmdirSync(dir);
  });

  it('ends with the app answering on 127.0.0.1:3000, and the user\'s commands are all the README says', async () => {
    expect(existsSync(stackDir)).toBe(false);
    const blocks = walkBlocks();
    const [first, edit, dockerfile, server, last] = blocks;
    expect(blocks.map((b) => b.lang)).toEqual(['bash', 'yaml', 'dockerfile', 'js', 'bash']);
    const env = { ...process.env, NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true' };
    const bash = async (script: string, cwd: string) => {
      const r = await run('bash', ['-euo', 'pipefail', '-c', script], env, cwd);
      if (r.status !== 0) throw new Error(`the README's commands failed (exit ${r.status}):\n${script}\n--- stdout\n${r.stdout.slice(-3000)}\n--- stderr\n${r.stderr.slice(-3000)}`);
      return r.stdout;
    };

    // 1. mkdir, cd, init.
    await bash(first.body, repoRoot);
    const specFile = join(stackDir, `${name}.stack.yaml`);
    expect(existsSync(specFile)).toBe(true);

    // 2. The edit the README describes: the ref line becomes its build line; the app's files from its blocks.
    const spec = readFileSync(specFile, 'utf8');
    const refLine = /^(\s*)ref: ghcr\.io\/example\/web-app:1\.0\.0$/m.exec(spec);
    expect(refLine).not.toBeNull();
    writeFileSync(specFile, spec.replace(refLine![0], `${refLine![1]}${edit.body.trim()}`));
    for (const block of [dockerfile, server]) {
      const [header, ...rest] = block.body.split('\n');
      const file = /^(?:#|\/\/) (\S+)$/.exec(header)?.[1];
      expect(file).toBeDefined();
      mkdirSync(join(stackDir, file!, '..'), { recursive: true });
      writeFileSync(join(stackDir, file!), rest.join('\n'));
    }

    // 3. validate, synth, nx show projects, the variables, compose up --build: the README's lines, run from stacks/<name>.
    const lines = last.body.trim().split('\n');
    const curl = lines.pop()!;
    expect(curl).toMatch(/^curl http:\/\/127\.0\.0\.1:3000\//);
    const upAt = lines.findIndex((l) => l.startsWith('docker compose '));
    expect(upAt).toBe(lines.length - 1);
    const before = await bash(lines.slice(0, upAt).join('\n'), stackDir);
    expect(before).toContain(`validate: ${name}.stack.yaml is valid`);
    expect(before).toContain(`stacks-${name}-web`);
    expect(existsSync(composeFile)).toBe(true);
    expect(existsSync(join(outDir, 'dist', 'k8s', 'production', '30-web.yaml'))).toBe(true);
    const extra = writeOverride();
    const up = lines[upAt].replace(/^docker compose /, `${COMPOSE.join(' ')} -p ${name} `).replace(/ up --build/, ` ${extra.join(' ')} up --build`);
    // The variables are set by the README's export lines, in the same shell as compose.
    await bash([...lines.slice(0, upAt).filter((l) => l.startsWith('export ')), up].join('\n'), stackDir);

    // 4. The README's last line: the app, through the published port, with its database configured.
    const deadline = Date.now() + 120_000;
    let answer = { status: 0, body: '' };
    while (Date.now() < deadline) {
      answer = await get('http://127.0.0.1:3000/').catch(() => ({ status: 0, body: '' }));
      if (answer.status === 200) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(answer).toEqual({ status: 200, body: `hello from ${name} (database configured)\n` });
  }, 600_000);
});
