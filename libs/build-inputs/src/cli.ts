/**
 * Image facts for scripts and Nx targets:
 *   ref <service>         local image ref, e.g. todo-backend:3f2a9c1b7d4e
 *   tag <service>         the content-hash tag alone
 *   build-args <service>  KEY=VALUE base-image build args (mirrors applied)
 *   context <service>     the context files Docker would receive
 *   mirror <image>        an image ref with spec + machine mirrors applied
 */
import { mirrorImage, todoStack } from '@todo/service-spec';
import { contextFiles } from './context-files';
import { findRepoRoot } from './repo-root';
import { buildArgs, localImageRef, machineMirrors } from './stack-images';

const repoRoot = findRepoRoot();
const [cmd, arg] = process.argv.slice(2);
const spec = todoStack;

function main(): void {
  if (!cmd || !arg) throw new Error('usage: cli.ts <ref|tag|build-args|context|mirror> <service|image>');
  switch (cmd) {
    case 'ref':
      console.log(localImageRef(repoRoot, spec, arg));
      return;
    case 'tag':
      console.log(localImageRef(repoRoot, spec, arg).split(':').pop());
      return;
    case 'build-args':
      for (const [k, v] of Object.entries(buildArgs(spec, arg))) console.log(`${k}=${v}`);
      return;
    case 'context': {
      const build = spec.services.find((s) => s.name === arg)?.image.build;
      if (!build) throw new Error(`service "${arg}" is not built from this repo`);
      for (const f of contextFiles(repoRoot, build.context, build.dockerfile)) console.log(f);
      return;
    }
    case 'mirror':
      console.log(mirrorImage(arg, { ...(spec.imageMirrors ?? {}), ...machineMirrors() }));
      return;
    default:
      throw new Error(`unknown command "${cmd}"; use ref, tag, build-args, context or mirror`);
  }
}

try {
  main();
} catch (e) {
  console.error(`build-inputs: ${(e as Error).message}`);
  process.exit(2);
}
