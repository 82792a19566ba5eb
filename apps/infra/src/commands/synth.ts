import { stackImageTags } from '@todo/build-inputs';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve as resolvePath, sep } from 'node:path';
import { OUT_OPTION, parse, shown, SPEC_HELP, SPEC_OPTION, UsageError, type Io, workspaceRoot } from '../args';
import { checkOutputs } from '../check';
import { renderOutputs, TODO_SPEC } from '../outputs';
import { loadSpec } from '../spec-file';
import { writeOutputs } from '../write';
import type { Command } from './command';

const OPTIONS = { ...SPEC_OPTION, ...OUT_OPTION };
const OPTION_HELP = `${SPEC_HELP}
  --out DIR     output root: dist/ and docker/ are written under it (default: the workspace root)
  -h, --help    this text`;

/** The output root must be a directory, or a path whose first existing ancestor is one (synth creates the rest). */
function outputRoot(io: Io, out: string | undefined, repoRoot: string): string {
  if (out === '') throw new UsageError('--out: the directory name is empty; give a directory (dist/ and docker/ are written under it)');
  const root = resolvePath(io.cwd, out ?? repoRoot);
  let p = root;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  if (!statSync(p).isDirectory()) throw new UsageError(`--out: ${shown(p, io.cwd)} is a file, not a directory; give a directory (dist/ and docker/ are written under it)`);
  return root;
}

/**
 * The spec as generated files name it: repo-relative, so the committed output is
 * the same on every machine; a spec outside the workspace by its file name only.
 */
export function specPathOf(spec: string | undefined, io: Io, repoRoot: string): string {
  if (spec === undefined) return TODO_SPEC;
  const file = resolvePath(io.cwd, spec);
  const rel = relative(repoRoot, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : basename(file);
}

function render(argv: readonly string[], io: Io) {
  const { values } = parse(argv, OPTIONS);
  if (values.help) return undefined;
  const repoRoot = workspaceRoot(io);
  const spec = loadSpec(values.spec as string | undefined, repoRoot, io.cwd);
  const out = outputRoot(io, values.out as string | undefined, repoRoot);
  const specPath = specPathOf(values.spec as string | undefined, io, repoRoot);
  return { out, ...renderOutputs(spec, stackImageTags(repoRoot, spec), { specPath }) };
}

export const synthCommand: Command = {
  name: 'synth',
  summary: 'validate the spec and write dist/k8s/<env>/, docker/docker-compose*.yml, the parity report and the diagram',
  help: `usage: infra synth [--spec FILE] [--out DIR]

Validates the spec (shape, then meaning) and writes every environment's output.
Synth replaces and removes only the files it wrote (listed in dist/synth-manifest.json);
any other file in those folders keeps its bytes and is named as "left alone".
Nothing is written when the spec has a problem.

${OPTION_HELP}`,
  run(argv, io) {
    const r = render(argv, io);
    if (!r) {
      io.out(this.help);
      return 0;
    }
    const { removed, foreign } = writeOutputs(r.out, r.files);
    const width = Math.max(...r.files.map((f) => f.path.length));
    for (const f of r.files) io.out(`${f.path.padEnd(width)}  ${f.objects} ${f.unit ?? 'objects'}`);
    for (const f of removed) io.out(`removed ${f} (a previous synth wrote it; the spec no longer produces it)`);
    for (const f of foreign) io.out(`left alone ${f} (not written by synth)`);
    io.out(`synth: ${r.files.length} files; ${r.warnings.length} parity warnings in dist/parity-report.md`);
    return 0;
  },
};

export const checkCommand: Command = {
  name: 'check',
  summary: 'render in memory and fail with a diff when the committed output is stale',
  help: `usage: infra check [--spec FILE] [--out DIR]

Renders the spec in memory and compares it with the files synth owns under DIR.
Exit 1 with a unified diff, and the objects a synth would remove, when they differ.

${OPTION_HELP}`,
  run(argv, io) {
    const r = render(argv, io);
    if (!r) {
      io.out(this.help);
      return 0;
    }
    const result = checkOutputs(r.out, r.files);
    for (const f of result.foreign) io.out(`not checked ${f} (not written by synth)`);
    if (!result.stale.length) {
      io.out(`infra:check: ${r.files.length} generated files match a fresh synth`);
      return 0;
    }
    io.out(result.diff);
    io.err(`\ninfra:check: ${result.stale.length} generated file(s) are stale: ${result.stale.join(', ')}`);
    for (const id of result.removedObjects) io.err(`  would remove ${id}`);
    io.err('Run `nx run infra:synth` (or `npm run infra -- synth`) and commit the result.');
    return 1;
  },
};
