import type { ResolvedStack } from '@todo/service-spec';
import { posix } from 'node:path';
import { escapeDollars } from './secrets';
import { composeMigration, composeService, configFilePath, migrationServiceName, networkName, volumeName, type ComposeLayout, type ComposeService } from './service';

export interface ComposeFile {
  readonly services: Record<string, ComposeService>;
  readonly networks?: Record<string, Record<string, unknown>>;
  readonly volumes?: Record<string, Record<string, unknown>>;
}

/**
 * The stack as a compose file: no `version:` and no top-level `name:`, so
 * docker-compose 1.29 and Compose v2 both load it. Pure: nothing is written.
 */
export function renderCompose(stack: ResolvedStack, layout: ComposeLayout = {}): ComposeFile {
  if (stack.target !== 'compose') throw new Error(`environment "${stack.environment}" targets ${stack.target}, not compose`);
  const services: Record<string, ComposeService> = {};
  const networks: Record<string, Record<string, unknown>> = {};
  const volumes: Record<string, Record<string, unknown>> = {};
  for (const s of stack.services) {
    services[s.name] = composeService(stack, s, layout);
    if (s.migration) services[migrationServiceName(s)] = composeMigration(stack, s, layout);
    if (s.connectedFrom.length) networks[networkName(s.name)] = { driver: 'bridge' };
    for (const v of s.volumes) volumes[volumeName(s, v.name)] = { labels: { 'app.kubernetes.io/part-of': stack.name } };
  }
  // Escape hatch: extra keys merged over the rendered service, last, exactly as written (compose syntax, interpolation included).
  for (const [svc, extra] of Object.entries(stack.patches.compose)) services[svc] = { ...services[svc], ...extra };
  return {
    services,
    ...(Object.keys(networks).length && { networks }),
    ...(Object.keys(volumes).length && { volumes }),
  };
}

/**
 * The development override (`-f docker-compose.yml -f docker-compose.dev.yml`):
 * source bind mounts and hot-reload commands for services that declare them.
 * Mount sources are repo-relative in the spec; compose resolves them against the
 * compose file's folder, so they are written through `layout.repoRoot`.
 */
export function renderComposeDev(stack: ResolvedStack, layout: ComposeLayout = {}): ComposeFile {
  const services: Record<string, ComposeService> = {};
  for (const s of stack.services) {
    const dev = s.dev;
    if (!dev.mounts.length && !dev.command && !dev.env.length) continue;
    services[s.name] = {
      ...(dev.command && { command: dev.command.map(escapeDollars) }),
      ...(dev.env.length && { environment: Object.fromEntries(dev.env.map((e) => [e.name, escapeDollars(e.value)])) }),
      ...(dev.mounts.length && {
        volumes: dev.mounts.map((m) => ({ type: 'bind', source: escapeDollars(posix.join(layout.repoRoot ?? '..', m.source)), target: m.target, read_only: m.readOnly })),
      }),
    };
  }
  return { services };
}

/** A file the compose file binds, relative to the compose file's directory. */
export interface ComposeSideFile {
  readonly path: string;
  readonly content: string;
}

/** The config files the compose services bind read-only: written beside the compose file, so the relative bind works wherever the output goes. */
export function composeConfigFiles(stack: ResolvedStack): ComposeSideFile[] {
  return stack.services.flatMap((s) => s.files.filter((f) => !f.secret).map((f) => ({ path: configFilePath(stack, s, f.key), content: f.content ?? '' })));
}
