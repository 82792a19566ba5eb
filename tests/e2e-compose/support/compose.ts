import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { COMPOSE, DOCKER, docker, poll, repoRoot, run, runSync } from './sh';

interface ComposeService {
  image: string;
  healthcheck?: unknown;
  read_only?: boolean;
  restart?: string;
  user?: string;
  tmpfs?: string[];
  build?: { context?: string; dockerfile?: string };
  volumes?: Array<string | { target?: string; type?: string; read_only?: boolean }>;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
}

/** A generated compose file brought up under its own project name, with the machine's base-image mirrors. */
export class ComposeStack {
  readonly file: string;
  readonly spec: ComposeFile;
  private readonly dir = mkdtempSync(join(tmpdir(), 'todo-e2e-compose-'));
  private readonly override = join(this.dir, 'override.yml');
  private readonly held: string[] = [];
  /** Build contexts the override re-points (golden files only), kept by every rewrite of it. */
  private readonly builds: Record<string, { context: string }> = {};

  constructor(
    readonly project = process.env.E2E_COMPOSE_PROJECT ?? 'todo-e2e',
    file = process.env.E2E_COMPOSE_FILE ?? 'docker/docker-compose.yml',
    /**
     * specFile: the spec the file was synthesized from (default: the todo stack).
     * goldenTags: the file is a golden whose built images carry a fixed tag; match them by repository.
     */
    { specFile, goldenTags = false }: { specFile?: string; goldenTags?: boolean } = {},
  ) {
    this.file = resolve(repoRoot, file);
    this.spec = parse(readFileSync(this.file, 'utf8')) as ComposeFile;
    const mirrors = readMirrors();
    const built = builtOnThisMachine(specFile);
    const services: Record<string, { image?: string; build?: { context: string } }> = {};
    for (const [name, svc] of Object.entries(this.spec.services)) {
      const here = (goldenTags ? built.byRepository[svc.image.slice(0, svc.image.lastIndexOf(':'))] : built.byOfficialRef[svc.image]) ?? mirrors[svc.image];
      if (here) services[name] = { image: here };
      // Synth writes build contexts relative to <output root>/docker/; a golden file lives elsewhere,
      // and compose checks the context even for `down`: point it where synth meant it.
      if (goldenTags && svc.build?.context) {
        this.builds[name] = { context: resolve(repoRoot, 'docker', svc.build.context) };
        services[name] = { ...services[name], build: this.builds[name] };
      }
    }
    // The generated file is never touched: machines without a registry swap images in an override.
    writeFileSync(this.override, Object.keys(services).length ? stringify({ services }) : 'services: {}\n');
  }

  get services(): string[] {
    return Object.keys(this.spec.services);
  }

  image(service: string): string {
    const doc = parse(readFileSync(this.override, 'utf8')) as { services: Record<string, { image: string }> };
    return doc.services[service]?.image ?? this.spec.services[service].image;
  }

  /** Fails before `up` with the command that fixes each missing or stale image. */
  preflight(expectedRefs: Record<string, string>): void {
    const problems: string[] = [];
    for (const service of this.services) {
      const image = this.image(service);
      const expected = expectedRefs[image.split(':')[0]];
      if (expected && expected !== image) {
        problems.push(`services.${service}.image is ${image} but the sources build ${expected}: run \`npx nx run infra:synth\``);
      } else if (runSync(DOCKER, ['image', 'inspect', image]).status !== 0) {
        const fix = image.startsWith('todo-offline/')
          ? 'run scripts/offline-bases.sh'
          : image.startsWith('todo-')
            ? 'run `npx nx run-many -t docker-build --parallel=2`'
            : `docker pull ${image}, or on a machine without a registry: scripts/offline-bases.sh && export TODO_IMAGE_MIRRORS=scripts/offline-mirrors.json`;
        problems.push(`services.${service}.image ${image} is not in the Docker engine: ${fix}`);
      }
    }
    if (problems.length) throw new Error(`${this.file} cannot start:\n  ${problems.join('\n  ')}`);
    this.hold();
  }

  /**
   * Runs every service from a run-private tag of the exact image the file names, so a concurrent
   * `docker rmi` or rebuild of the shared tag (the image tests do both) cannot change or remove it
   * between `down` and `up`.
   */
  private hold(): void {
    const services: Record<string, { image: string; build?: { context: string } }> = {};
    for (const service of this.services) {
      const held = `todo-e2e-hold/${service}:${this.project}`;
      docker('tag', docker('image', 'inspect', '-f', '{{.Id}}', this.image(service)), held);
      services[service] = { image: held, ...(this.builds[service] ? { build: this.builds[service] } : {}) };
      this.held.push(held);
    }
    writeFileSync(this.override, stringify({ services }));
  }

  async compose(...args: string[]): Promise<string> {
    const r = await run(COMPOSE[0], [...COMPOSE.slice(1), '-p', this.project, '-f', this.file, '-f', this.override, ...args]);
    if (r.status !== 0) throw new Error(`${COMPOSE.join(' ')} ${args.join(' ')} failed (${r.status}):\n${r.stderr.trim()}`);
    return r.stdout.trim();
  }

  /** Container id of a service, including exited one-shot containers. */
  async container(service: string): Promise<string> {
    const id = (await this.compose('ps', '-a', '-q', service)).split('\n')[0];
    if (!id) throw new Error(`service ${service} has no container in project ${this.project}`);
    return id;
  }

  async waitHealthy(timeoutMs = 240_000): Promise<void> {
    for (const service of this.services) {
      const id = await this.container(service);
      const hasCheck = Boolean(this.spec.services[service].healthcheck);
      await poll(`${service} to be ${hasCheck ? 'healthy' : 'completed'}`, timeoutMs, () => {
        const [status, exit, health] = docker('inspect', '-f', '{{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{end}}', id).split(' ');
        if (!hasCheck) {
          if (status === 'exited' && exit !== '0') throw new Error(`${service} exited with ${exit}: ${docker('logs', '--tail', '20', id)}`);
          return status === 'exited' ? true : undefined;
        }
        return health === 'healthy' ? true : undefined;
      });
    }
  }

  cleanup(): void {
    for (const ref of this.held) runSync(DOCKER, ['rmi', ref]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * The generated file names images built on the official bases (a golden file: a fixed tag);
 * docker-build tags what it builds here from the plan, which covers the machine's mirrors.
 * Official ref (or repository) -> the ref built here. A ref matching neither is left as it is,
 * so a stale committed tag still fails the preflight.
 */
function builtOnThisMachine(specFile?: string): { byOfficialRef: Record<string, string>; byRepository: Record<string, string> } {
  const plan = (...args: string[]) => {
    const r = runSync(process.execPath, ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', 'images', 'plan', ...(specFile ? ['--spec', specFile] : []), ...args]);
    if (r.status !== 0) throw new Error(`infra images plan: ${r.stderr}`);
    return JSON.parse(r.stdout).services as Record<string, { ref: string }>;
  };
  const official = plan('--official');
  const here = plan();
  return {
    byOfficialRef: Object.fromEntries(Object.keys(here).map((s) => [official[s].ref, here[s].ref])),
    byRepository: Object.fromEntries(Object.values(here).map(({ ref }) => [ref.slice(0, ref.lastIndexOf(':')), ref])),
  };
}

/** The machine's mirror map (TODO_IMAGE_MIRRORS, a path relative to the repository root or absolute). */
export function readMirrors(): Record<string, string> {
  const file = process.env.TODO_IMAGE_MIRRORS;
  if (!file) return {};
  try {
    return JSON.parse(readFileSync(resolve(repoRoot, file), 'utf8')) as Record<string, string>;
  } catch (error) {
    throw new Error(`TODO_IMAGE_MIRRORS=${file}: cannot read the mirror map (${(error as Error).message}); point it at a JSON object like scripts/offline-mirrors.json`);
  }
}
