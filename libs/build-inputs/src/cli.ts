/**
 * Image facts for scripts and tests, all read from the build plan:
 *   plan [--official]      the stack's build plan as JSON
 *   ref <service>          local image ref, e.g. todo-backend:3f2a9c1b7d4e
 *   tag <service>          the tag alone
 *   build-args <service>   KEY=VALUE base-image build args (mirrors applied)
 *   context <service>      the context files Docker would receive
 *   mirror <image>         an image ref with spec + machine mirrors applied
 * Options: --spec FILE (JSON or .ts; default: the todo stack), --official
 * (ignore TODO_IMAGE_MIRRORS: the plan the synthesized output names).
 */
import { mirrorImage, todoStack, type StackSpec } from '@todo/service-spec';
import { parseArgs } from 'node:util';
import { contextFiles } from './context-files';
import { loadSpecFile } from './load-spec';
import { findRepoRoot } from './repo-root';
import { machineMirrors, stackImagePlan } from './stack-images';

const USAGE = 'usage: cli.ts <plan|ref|tag|build-args|context|mirror> [service|image] [--spec FILE] [--official]';

function main(): void {
  const repoRoot = findRepoRoot();
  const { values, positionals } = parseArgs({ options: { spec: { type: 'string' }, official: { type: 'boolean' } }, allowPositionals: true, strict: true });
  const [cmd, arg] = positionals;
  const spec: StackSpec = values.spec ? loadSpecFile(values.spec, repoRoot) : todoStack;
  const mirrors = values.official ? {} : machineMirrors();
  const plan = stackImagePlan(repoRoot, spec, mirrors);
  if (cmd === 'plan') {
    console.log(JSON.stringify(plan, null, 2));
    return;
  }
  if (!cmd || !arg) throw new Error(USAGE);
  if (cmd === 'mirror') {
    console.log(mirrorImage(arg, plan.mirrors));
    return;
  }
  const service = plan.services[arg];
  if (!service) {
    throw new Error(`service "${arg}" is not built from this repo (built services: ${Object.keys(plan.services).sort().join(', ')})`);
  }
  const build = plan.builds[service.build];
  switch (cmd) {
    case 'ref':
      console.log(service.ref);
      return;
    case 'tag':
      console.log(service.tag);
      return;
    case 'build-args':
      for (const [k, v] of Object.entries(build.buildArgs)) console.log(`${k}=${v}`);
      return;
    case 'context':
      for (const f of contextFiles(repoRoot, build.context, build.dockerfile)) console.log(f);
      return;
    default:
      throw new Error(`unknown command "${cmd}"; ${USAGE}`);
  }
}

try {
  main();
} catch (e) {
  console.error(`build-inputs: ${(e as Error).message}`);
  process.exit(2);
}
