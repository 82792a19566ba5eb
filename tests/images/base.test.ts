// The base an image was really built on: the runtime stage's base image layers
// are the first layers of the built image. On stand-ins (TODO_IMAGE_MIRRORS)
// that is the stand-in, and the tag differs from the official-base build's.
import { readFileSync } from 'node:fs';
import { docker, ensureImage, buildInputs, type Service } from './docker';

interface Build {
  dockerfile: string;
  buildArgs: Record<string, string>;
  baseImages: Record<string, string>;
  mirroredArgs: string[];
}

/** The ARG the last FROM names: the base of the image that ships. */
function runtimeBaseArg(dockerfile: string): string {
  const froms = [...readFileSync(dockerfile, 'utf8').matchAll(/^FROM\s+\$\{?([A-Z_]+)\}?/gm)];
  return froms[froms.length - 1][1];
}

const layers = (ref: string): string[] => JSON.parse(docker('image', 'inspect', '-f', '{{json .RootFS.Layers}}', ref));

describe('base images', () => {
  it.each(['backend', 'frontend'] as Service[])('%s: is built on the base its build plan names', (service) => {
    const plan = JSON.parse(buildInputs('plan'));
    const build: Build = plan.builds[plan.services[service].build];
    const ref = ensureImage(service);
    const arg = runtimeBaseArg(build.dockerfile);
    const base = build.buildArgs[arg];
    expect(layers(ref).slice(0, layers(base).length)).toEqual(layers(base));
    const official = JSON.parse(buildInputs('plan', '', '--official')).services[service].ref;
    if (build.mirroredArgs.length) {
      expect(base).not.toBe(build.baseImages[arg]);
      expect(ref).not.toBe(official);
    } else {
      expect(ref).toBe(official);
    }
  });
});
