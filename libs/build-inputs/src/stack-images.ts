import { builtImageRef, mirrorImage, type StackSpec } from '@todo/service-spec';
import { existsSync, readFileSync } from 'node:fs';
import { imageTag } from './tag';

/** Tags of every built service of a stack, keyed by service name. */
export function stackImageTags(repoRoot: string, spec: StackSpec): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const s of spec.services) {
    if (s.image.build) tags[s.name] = imageTag(repoRoot, s.image.build);
  }
  return tags;
}

/**
 * Machine-level image mirrors from the file named by TODO_IMAGE_MIRRORS
 * (`{ "<official image>": "<replacement>" }`). They affect what docker-build
 * pulls its bases from, never the synthesized output.
 */
export function machineMirrors(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const file = env.TODO_IMAGE_MIRRORS;
  if (!file) return {};
  if (!existsSync(file)) throw new Error(`TODO_IMAGE_MIRRORS: file "${file}" does not exist; point it at a JSON object of official image -> replacement`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`TODO_IMAGE_MIRRORS: "${file}" is not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new Error(`TODO_IMAGE_MIRRORS: "${file}" must hold one JSON object of strings, official image -> replacement`);
  }
  return parsed as Record<string, string>;
}

/** The local ref docker-build tags a built service with (no registry prefix). */
export function localImageRef(repoRoot: string, spec: StackSpec, service: string): string {
  const s = spec.services.find((x) => x.name === service);
  if (!s?.image.build) {
    const built = spec.services.filter((x) => x.image.build).map((x) => x.name);
    throw new Error(`service "${service}" is not built from this repo (built services: ${built.join(', ')})`);
  }
  return builtImageRef(s.image.repository ?? `${spec.name}-${s.name}`, imageTag(repoRoot, s.image.build));
}

/** Base-image build args with the spec's mirrors, then the machine's, applied. */
export function buildArgs(spec: StackSpec, service: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const s = spec.services.find((x) => x.name === service);
  const mirrors = { ...(spec.imageMirrors ?? {}), ...machineMirrors(env) };
  const out: Record<string, string> = {};
  for (const [arg, base] of Object.entries(s?.image.build?.baseImages ?? {})) out[arg] = mirrorImage(base, mirrors);
  return out;
}
