import { buildArgs, contextFiles, findRepoRoot, ignoreFileFor, imageTag, localImageRef, machineMirrors } from '@todo/build-inputs';
import { mirrorImage, type StackSpec } from '@todo/service-spec';
import { parse, ProblemError, SPEC_HELP, SPEC_OPTION, UsageError } from '../args';
import { loadSpec } from '../spec-file';
import type { Command } from './command';

/** One image to build: every fact docker-build, resolve and the manifests need about it. */
export interface ImagePlan {
  readonly services: readonly string[];
  readonly ref: string;
  readonly repository: string;
  readonly tag: string;
  readonly context: string;
  readonly dockerfile: string;
  readonly ignoreFile: string | null;
  readonly buildArgs: Readonly<Record<string, string>>;
}

function buildPlan(repoRoot: string, spec: StackSpec): ImagePlan[] {
  return spec.services
    .filter((s) => s.image.build)
    .map((s) => {
      const build = s.image.build!;
      const ref = localImageRef(repoRoot, spec, s.name);
      const ignore = ignoreFileFor(repoRoot, build.context, build.dockerfile);
      return {
        services: [s.name],
        ref,
        repository: s.image.repository ?? `${spec.name}-${s.name}`,
        tag: imageTag(repoRoot, build),
        context: build.context,
        dockerfile: build.dockerfile,
        ignoreFile: ignore ?? null,
        buildArgs: buildArgs(spec, s.name),
      };
    });
}

const QUERIES = ['ref', 'tag', 'build-args', 'context', 'mirror'];

export const imagesCommand: Command = {
  name: 'images',
  summary: 'print the build plan (one entry per image) as JSON, or one fact of it',
  help: `usage: infra images [--spec FILE]
       infra images [--spec FILE] <ref|tag|build-args|context> SERVICE
       infra images [--spec FILE] mirror IMAGE

Without a query, prints the build plan as JSON: per built image its services, ref,
repository, tag, context, Dockerfile, ignore file and base-image build args (mirrors
from the spec and from the file named by TODO_IMAGE_MIRRORS applied).
  ref SERVICE         the local image ref, e.g. todo-backend:3f2a9c1b7d4e
  tag SERVICE         the content-hash tag alone
  build-args SERVICE  KEY=VALUE base-image build args
  context SERVICE     the context files Docker receives
  mirror IMAGE        an image ref with the spec's and the machine's mirrors applied

${SPEC_HELP}
  -h, --help    this text`,
  run(argv, io) {
    const { values, positionals } = parse(argv, SPEC_OPTION, 2);
    if (values.help) {
      io.out(this.help);
      return 0;
    }
    const repoRoot = findRepoRoot(io.cwd);
    const spec = loadSpec(values.spec as string | undefined, repoRoot, io.cwd);
    const [query, arg] = positionals;
    if (query === undefined) {
      io.out(JSON.stringify(buildPlan(repoRoot, spec), null, 2));
      return 0;
    }
    if (!QUERIES.includes(query)) throw new UsageError(`unknown query "${query}"; use ${QUERIES.join(', ')}`);
    if (arg === undefined) throw new UsageError(`${query}: name a ${query === 'mirror' ? 'image' : 'service'}`);
    if (query === 'mirror') {
      io.out(mirrorImage(arg, { ...(spec.imageMirrors ?? {}), ...machineMirrors() }));
      return 0;
    }
    const service = spec.services.find((s) => s.name === arg);
    if (!service?.image.build) {
      const built = spec.services.filter((s) => s.image.build).map((s) => s.name);
      throw new ProblemError(`service "${arg}" is not built from this repo (built services: ${built.join(', ') || 'none'})`);
    }
    if (query === 'ref') io.out(localImageRef(repoRoot, spec, arg));
    if (query === 'tag') io.out(localImageRef(repoRoot, spec, arg).split(':').pop()!);
    if (query === 'build-args') for (const [k, v] of Object.entries(buildArgs(spec, arg))) io.out(`${k}=${v}`);
    if (query === 'context') for (const f of contextFiles(repoRoot, service.image.build.context, service.image.build.dockerfile)) io.out(f);
    return 0;
  },
};
