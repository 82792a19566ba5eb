import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
/* eslint-disable @nx/enforce-module-boundaries -- test code: the spec's types, and the e2e-compose project's compose and shell helpers (shared, not a library) */
import type { StackSpec } from '@todo/service-spec';
import { ComposeStack, readMirrors } from '../../e2e-compose/support/compose';
import { DOCKER, docker, poll, repoRoot, run, runSync } from '../../e2e-compose/support/sh';


interface ComposeService {
  image: string;
  healthcheck?: unknown;
  restart?: string;
  volumes?: ({ type?: string; source?: string } | string)[];
}

/**
 * A public stack from apps/infra/test/fixtures/<name>, run from its golden compose file
 * (which the golden tests hold byte-equal to what synth renders from spec.json). Everything
 * the runner needs comes from the spec and that file: which images to build and how, which
 * variables compose requires, which services are one-shot, which have health checks.
 */
export class PublicStack {
  readonly dir: string;
  readonly specFile: string;
  readonly spec: StackSpec;
  readonly composeFile: string;
  readonly compose: ComposeStack;
  readonly services: Record<string, ComposeService>;
  /** Values given to the variables compose requires: secrets as values or as files. */
  readonly env: Record<string, string> = {};
  readonly timings: Record<string, number> = {};
  private readonly secretsDir = mkdtempSync(join(tmpdir(), 'e2e-stacks-secrets-'));

  constructor(readonly name: string) {
    this.dir = join(repoRoot, 'apps', 'infra', 'test', 'fixtures', name);
    this.specFile = join(this.dir, 'spec.json');
    this.spec = JSON.parse(readFileSync(this.specFile, 'utf8')) as StackSpec;
    this.composeFile = join(this.dir, 'expected', 'docker-compose.yml');
    const text = readFileSync(this.composeFile, 'utf8');
    this.services = (parse(text) as { services: Record<string, ComposeService> }).services;
    // Unique per checkout and stack, so parallel runs on one engine never share containers or volumes.
    const prefix = process.env.E2E_STACKS_PROJECT_PREFIX ?? 'e2e-stacks';
    this.provideVariables(text);
    Object.assign(process.env, this.env);
    this.compose = new ComposeStack(`${prefix}-${name}`, relative(repoRoot, this.composeFile), { specFile: relative(repoRoot, this.specFile), goldenTags: true });
  }

  /** Every `${VAR:?…}` the file requires gets a random value; one used as a bind source gets a file holding it. */
  private provideVariables(text: string): void {
    const fileVars = new Set<string>();
    for (const svc of Object.values(this.services)) {
      for (const v of svc.volumes ?? []) {
        const source = typeof v === 'string' ? v.split(':')[0] : (v.source ?? '');
        for (const m of source.matchAll(/\$\{([A-Z0-9_]+)/g)) fileVars.add(m[1]);
      }
    }
    for (const m of text.matchAll(/\$\{([A-Z0-9_]+):\?/g)) {
      const name = m[1];
      if (this.env[name]) continue;
      const value = `e2e-${randomBytes(9).toString('base64url')}`;
      if (fileVars.has(name)) {
        const file = join(this.secretsDir, name.toLowerCase());
        writeFileSync(file, value, { mode: 0o644 }); // read by the containers' non-root users
        this.env[name] = file;
      } else {
        this.env[name] = value;
      }
    }
  }

  /**
   * Builds every `image.build` service of the spec with scripts/docker-build.mjs (the plan's tags,
   * bases through the mirror map); pulls a published image that has no mirror and is not in the engine.
   */
  async build(): Promise<void> {
    const mirrors = readMirrors();
    for (const svc of this.spec.services) {
      const ref = svc.image.ref;
      if (!ref || mirrors[ref] || runSync(DOCKER, ['image', 'inspect', ref]).status === 0) continue;
      const r = await run(DOCKER, ['pull', '-q', ref]);
      if (r.status !== 0) throw new Error(`services.${svc.name}.image.ref ${ref} is not in the engine and cannot be pulled (${r.stderr.trim()}); without a registry: scripts/offline-bases.sh && export TODO_IMAGE_MIRRORS=scripts/offline-mirrors.json`);
    }
    // The project's own build: the plan's tag (which covers the bases after the machine's mirrors),
    // so a stand-in build never carries the tag the compose file gives the official-base build;
    // ComposeStack swaps the refs in its override.
    const built = this.spec.services.filter((svc) => svc.image.build).map((svc) => svc.name);
    if (built.length) {
      const started = Date.now();
      const r = await run('nice', [process.execPath, 'scripts/docker-build.mjs', '--spec', relative(repoRoot, this.specFile), ...built]);
      if (r.status !== 0) throw new Error(`docker-build --spec ${relative(repoRoot, this.specFile)} ${built.join(' ')} failed (${r.status}):\n${(r.stderr || r.stdout).slice(-3000)}`);
      this.timings['build'] = seconds(started);
    }
  }

  /** One-shot services (jobs) run to exit 0; services with a health check become healthy; the rest run. */
  async waitReady(timeoutMs = 240_000): Promise<void> {
    for (const [service, svc] of Object.entries(this.services)) {
      const id = await this.compose.container(service);
      const oneShot = svc.restart === 'no';
      const wanted = oneShot ? 'completed' : svc.healthcheck ? 'healthy' : 'running';
      await poll(`${this.name}: ${service} to be ${wanted}`, timeoutMs, () => {
        const [status, exit, health, restarts] = docker('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}} {{.RestartCount}}', id).split(' ');
        if (status === 'exited' && exit !== '0') throw new Error(`${service} exited with ${exit}: ${docker('logs', '--tail', '30', id)}`);
        if (Number(restarts) > 0) throw new Error(`${service} restarted ${restarts} times: ${docker('logs', '--tail', '30', id)}`);
        if (oneShot) return status === 'exited' ? true : undefined;
        if (status !== 'running') return undefined;
        return !svc.healthcheck || health === 'healthy' ? true : undefined;
      });
    }
  }

  async up(): Promise<void> {
    const started = Date.now();
    await this.compose.compose('up', '-d');
    await this.waitReady();
    this.timings[this.timings['up (first)'] === undefined ? 'up (first)' : 'up (again)'] = seconds(started);
  }

  /** `down` without `-v`: containers and networks go, named volumes stay. */
  async down(): Promise<void> {
    const started = Date.now();
    await this.compose.compose('down');
    this.timings.down = seconds(started);
  }

  async logs(service: string): Promise<string> {
    return this.compose.compose('logs', '--no-color', service);
  }

  async exec(service: string, ...cmd: string[]): Promise<string> {
    return docker('exec', await this.compose.container(service), ...cmd);
  }

  async destroy(): Promise<void> {
    // A short stop timeout: teardown keeps no data.
    await this.compose.compose('down', '-v', '--remove-orphans', '--timeout', '5').catch((e: Error) => console.error(`teardown ${this.name}: ${e.message}`));
    this.compose.cleanup();
    rmSync(this.secretsDir, { recursive: true, force: true });
  }
}

export const seconds = (since: number) => Number(((Date.now() - since) / 1000).toFixed(1));
