import { planImages, type StackImagePlan, type StackSpec } from '@todo/service-spec';
import { existsSync, readFileSync } from 'node:fs';
import { sourceHash } from './tag';
import { InputError } from './errors';

/**
 * Machine-level image mirrors from the file named by TODO_IMAGE_MIRRORS
 * (`{ "<official image>": "<replacement>" }`). They change what docker-build
 * builds from, and so the tags it builds; the synthesized output never reads them.
 */
export function machineMirrors(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const file = env.TODO_IMAGE_MIRRORS;
  if (!file) return {};
  if (!existsSync(file)) throw new InputError(`TODO_IMAGE_MIRRORS: file "${file}" does not exist; point it at a JSON object of official image -> replacement`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new InputError(`TODO_IMAGE_MIRRORS: "${file}" is not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new InputError(`TODO_IMAGE_MIRRORS: "${file}" must hold one JSON object of strings, official image -> replacement`);
  }
  return parsed as Record<string, string>;
}

/**
 * The build plan of a stack, reading the build inputs from disk. Without
 * `extraMirrors` it is the plan the synthesized output names (official bases);
 * docker-build passes the machine's mirrors.
 */
export function stackImagePlan(repoRoot: string, spec: StackSpec, extraMirrors: Readonly<Record<string, string>> = {}): StackImagePlan {
  const hashes = new Map<string, string>();
  return planImages(spec, {
    extraMirrors,
    sourceHash: (source) => {
      const key = `${source.context}\0${source.dockerfile}`;
      if (!hashes.has(key)) hashes.set(key, sourceHash(repoRoot, source));
      return hashes.get(key)!;
    },
  });
}

/** Tags of every built service as the synthesized output names them, keyed by service name. */
export function stackImageTags(repoRoot: string, spec: StackSpec): Record<string, string> {
  const plan = stackImagePlan(repoRoot, spec);
  return Object.fromEntries(Object.entries(plan.services).map(([name, s]) => [name, s.tag]));
}
