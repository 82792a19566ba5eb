import { contextFiles, machineMirrors, stackImagePlan } from '@todo/build-inputs';
import { mirrorImage } from '@todo/service-spec';
import { parse, ProblemError, SPEC_HELP, SPEC_OPTION, UsageError, workspaceRoot } from '../args';
import { loadSpec } from '../spec-file';
import type { Command } from './command';

const QUERIES = ['plan', 'ref', 'tag', 'build-args', 'context', 'mirror'];

export const imagesCommand: Command = {
  name: 'images',
  summary: 'print the build plan (one entry per image) as JSON, or one fact of it',
  help: `usage: infra images [--spec FILE] [--official]
       infra images [--spec FILE] [--official] <ref|tag|build-args|context> SERVICE
       infra images [--spec FILE] [--official] mirror IMAGE

Without a query (or with \`plan\`), prints the build plan as JSON: per image build its
services, context, Dockerfile, base images, build args (mirrors applied), tag and refs,
and per built service its repository, tag and ref.
  ref SERVICE         the local image ref, e.g. todo-backend:3f2a9c1b7d4e
  tag SERVICE         the tag alone
  build-args SERVICE  KEY=VALUE base-image build args
  context SERVICE     the context files Docker receives
  mirror IMAGE        an image ref with the spec's and the machine's mirrors applied

${SPEC_HELP}
  --official    ignore TODO_IMAGE_MIRRORS: the plan the synthesized output names
  -h, --help    this text`,
  run(argv, io) {
    const { values, positionals } = parse(argv, { ...SPEC_OPTION, official: { type: 'boolean' } }, 2);
    if (values.help) {
      io.out(this.help);
      return 0;
    }
    const [query = 'plan', arg] = positionals;
    if (!QUERIES.includes(query)) throw new UsageError(`unknown query "${query}"; use ${QUERIES.join(', ')}`);
    if (query !== 'plan' && arg === undefined) throw new UsageError(`${query}: name a ${query === 'mirror' ? 'image' : 'service'}`);
    const repoRoot = workspaceRoot(io);
    const spec = loadSpec(values.spec as string | undefined, repoRoot, io.cwd);
    const plan = stackImagePlan(repoRoot, spec, values.official ? {} : machineMirrors());
    if (query === 'plan') {
      io.out(JSON.stringify(plan, null, 2));
      return 0;
    }
    if (query === 'mirror') {
      io.out(mirrorImage(arg!, plan.mirrors));
      return 0;
    }
    const service = plan.services[arg!];
    if (!service) throw new ProblemError(`service "${arg}" is not built from this repo (built services: ${Object.keys(plan.services).sort().join(', ') || 'none'})`);
    const build = plan.builds[service.build];
    if (query === 'ref') io.out(service.ref);
    if (query === 'tag') io.out(service.tag);
    if (query === 'build-args') for (const [k, v] of Object.entries(build.buildArgs)) io.out(`${k}=${v}`);
    if (query === 'context') for (const f of contextFiles(repoRoot, build.context, build.dockerfile)) io.out(f);
    return 0;
  },
};
