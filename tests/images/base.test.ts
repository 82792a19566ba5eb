// The base an image was really built on: the runtime stage's base image layers
// are the first layers of the built image; a runtime on `scratch` ships no layer
// of any base. On stand-ins (TODO_IMAGE_MIRRORS) the bases are the stand-ins, and
// the tag differs from the official-base build's.
import { readFileSync } from 'node:fs';
import { docker, ensureImage, buildInputs, type Service } from './docker';

interface Build {
  dockerfile: string;
  buildArgs: Record<string, string>;
  baseImages: Record<string, string>;
  mirroredArgs: string[];
}

/** The ARG the last FROM names (the base of the image that ships), or undefined for `scratch`. */
function runtimeBaseArg(dockerfile: string): string | undefined {
  const froms = [...readFileSync(dockerfile, 'utf8').matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
  const last = froms[froms.length - 1];
  if (last === 'scratch') return undefined;
  const arg = /^\$\{?([A-Z_]+)\}?$/.exec(last);
  if (!arg) throw new Error(`${dockerfile}: the last FROM (${last}) is neither scratch nor a base-image ARG`);
  return arg[1];
}

const layers = (ref: string): string[] => JSON.parse(docker('image', 'inspect', '-f', '{{json .RootFS.Layers}}', ref));

describe('base images', () => {
  it.each(['backend', 'frontend'] as Service[])('%s: is built on the base its build plan names', (service) => {
    const plan = JSON.parse(buildInputs('plan'));
    const build: Build = plan.builds[plan.services[service].build];
    const ref = ensureImage(service);
    const arg = runtimeBaseArg(build.dockerfile);
    if (arg) {
      const base = build.buildArgs[arg];
      expect(layers(ref).slice(0, layers(base).length)).toEqual(layers(base));
    } else {
      // scratch: the builder's base stays behind, not one of its layers ships.
      const baseLayers = new Set(Object.keys(build.baseImages).flatMap((a) => layers(build.buildArgs[a])));
      expect(layers(ref).filter((l) => baseLayers.has(l))).toEqual([]);
    }
    const official = JSON.parse(buildInputs('plan', '', '--official')).services[service].ref;
    if (build.mirroredArgs.length) {
      for (const a of build.mirroredArgs) expect(build.buildArgs[a]).not.toBe(build.baseImages[a]);
      expect(ref).not.toBe(official);
    } else {
      expect(ref).toBe(official);
    }
  });
});
