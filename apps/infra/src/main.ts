/**
 * nx run infra:synth  -> writes dist/k8s/<env>/, docker/docker-compose*.yml, dist/parity-report.md
 * nx run infra:check  -> renders in memory and fails with a diff when the committed output is stale
 *
 * Options: --spec <file.json|.yaml> (default: the todo stack), --out <dir> (default: the workspace root)
 */
import { findRepoRoot, stackImageTags } from '@todo/build-inputs';
import { SpecValidationError, todoStack, validate, type StackSpec } from '@todo/service-spec';
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { parse } from 'yaml';
import { checkOutputs } from './check';
import { renderOutputs } from './outputs';
import { writeOutputs } from './write';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  if (!v || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
}

function loadSpec(file: string | undefined): StackSpec {
  if (!file) return todoStack;
  const text = readFileSync(file, 'utf8');
  const spec = file.endsWith('.json') ? JSON.parse(text) : parse(text);
  const issues = validate(spec);
  if (issues.length) throw new SpecValidationError(issues);
  return spec as StackSpec;
}

function main(argv: string[]): number {
  const [command = 'synth', ...args] = argv;
  const repoRoot = findRepoRoot();
  const out = resolvePath(option(args, '--out') ?? repoRoot);
  const spec = loadSpec(option(args, '--spec'));
  const { files, warnings } = renderOutputs(spec, stackImageTags(repoRoot, spec));

  if (command === 'check') {
    const result = checkOutputs(out, files);
    if (!result.stale.length) {
      console.log(`infra:check: ${files.length} generated files match a fresh synth`);
      return 0;
    }
    process.stdout.write(result.diff);
    console.error(`\ninfra:check: ${result.stale.length} generated file(s) are stale: ${result.stale.join(', ')}`);
    for (const id of result.removedObjects) console.error(`  would remove ${id}`);
    console.error('Run `nx run infra:synth` and commit the result.');
    return 1;
  }
  if (command !== 'synth') throw new Error(`unknown command "${command}"; use synth or check`);

  writeOutputs(out, files);
  const width = Math.max(...files.map((f) => f.path.length));
  for (const f of files) console.log(`${f.path.padEnd(width)}  ${f.objects} ${f.path.endsWith('.md') ? 'warnings' : f.path.includes('docker-compose') ? 'services' : 'objects'}`);
  console.log(`synth: ${files.length} files; ${warnings.length} parity warnings in dist/parity-report.md`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (e instanceof SpecValidationError) {
    console.error(`${e.message}\nNothing was written.`);
  } else {
    console.error(`synth failed: ${(e as Error).message}\nNothing was written.`);
  }
  process.exitCode = 1;
}
