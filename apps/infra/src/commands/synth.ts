import { stackImageTags } from '@todo/build-inputs';
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve as resolvePath, sep } from 'node:path';
import { OUT_OPTION, parse, ProblemError, shown, SPEC_HELP, SPEC_OPTION, UsageError, type Io, workspaceRoot } from '../args';
import { checkOutputs } from '../check';
import { renderOutputs, TODO_SPEC } from '../outputs';
import { loadSpec } from '../spec-file';
import { writeOutputs } from '../write';
import type { Command } from './command';

const OPTIONS = { ...SPEC_OPTION, ...OUT_OPTION };
const OUT_HELP = `  --out DIR     output root: dist/ and docker/ are written under it (default: the
                workspace root for the todo stack; dist/stacks/<stack name>/ for a --spec)`;
const OPTION_HELP = `${SPEC_HELP}
${OUT_HELP}
  -h, --help    this text`;

/** Where the output of several stacks lives in one workspace (README "Command line"). */
export const STACKS_DIR = 'dist/stacks';

/**
 * The output root when no --out is given: the workspace root for the workspace's own
 * todo stack (its committed dist/ and docker/), and dist/stacks/<name>/ for any
 * --spec, so a stack of one's own never lands on the todo stack's files and two
 * stacks never land on each other's (the name is a DNS label: one safe path segment).
 */
export function defaultOutputRoot(specGiven: boolean, stackName: string, repoRoot: string): string {
  return specGiven ? join(repoRoot, STACKS_DIR, stackName) : repoRoot;
}

/** The output root must be a directory, or a path whose first existing ancestor is one (synth creates the rest). */
export function outputRoot(io: Io, out: string | undefined, fallback: string): string {
  if (out === '') throw new UsageError('--out: the directory name is empty; give a directory (dist/ and docker/ are written under it)');
  const root = out === undefined ? fallback : resolvePath(io.cwd, out);
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

/** An argument as a POSIX shell reads it back. */
const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/** The --spec and --out the user gave, as they gave them: for a command to run from the same directory. */
export function sameFlags(values: Record<string, unknown>): string {
  return (['spec', 'out'] as const)
    .filter((k) => values[k] !== undefined)
    .map((k) => ` --${k} ${quote(values[k] as string)}`)
    .join('');
}

function render(argv: readonly string[], io: Io, options = {}) {
  const { values } = parse(argv, { ...OPTIONS, ...options });
  if (values.help) return undefined;
  const repoRoot = workspaceRoot(io);
  const spec = loadSpec(values.spec as string | undefined, repoRoot, io.cwd);
  const out = outputRoot(io, values.out as string | undefined, defaultOutputRoot(values.spec !== undefined, spec.name, repoRoot));
  const specPath = specPathOf(values.spec as string | undefined, io, repoRoot);
  return { out, values, stack: spec.name, shownOut: resolvePath(out) === resolvePath(io.cwd) ? '.' : shown(out, io.cwd), ...renderOutputs(spec, stackImageTags(repoRoot, spec), { specPath, outRoot: out, repoRoot }) };
}

export const synthCommand: Command = {
  name: 'synth',
  summary: 'validate the spec and write dist/k8s/<env>/, docker/docker-compose*.yml, the parity report and the diagram',
  help: `usage: infra synth [--spec FILE] [--out DIR] [--force]

Validates the spec (shape, then meaning) and writes every environment's output.
Without --out, the todo stack is written to the workspace root and any --spec to
dist/stacks/<stack name>/ (its dist/k8s/, docker/, ... under that folder), so
stacks in one workspace never write over each other.
Synth replaces and removes only the files it wrote (listed, with the stack and its
spec, in DIR/dist/synth-manifest.json); any other file in those folders keeps its
bytes and is named as "left alone". It refuses, and writes nothing, when DIR holds
another stack's output, when a file it did not write sits where it would write one,
or when a path leads through a symbolic link out of DIR.
Nothing is written when the spec has a problem.

${OPTION_HELP.replace('  -h, --help', `  --force       take over another stack's output in DIR, and replace files synth
                did not write where it writes (never through a link out of DIR)
  -h, --help`)}`,
  run(argv, io) {
    const r = render(argv, io, { force: { type: 'boolean' } });
    if (!r) {
      io.out(this.help);
      return 0;
    }
    const { removed, foreign, replaced, tookOver } = writeOutputs(r.out, r.files, { stack: r.stack, shownRoot: r.shownOut, force: r.values.force === true });
    const width = Math.max(...r.files.map((f) => f.path.length));
    for (const f of r.files) io.out(`${f.path.padEnd(width)}  ${f.objects} ${f.unit ?? 'objects'}`);
    if (tookOver !== undefined) io.out(`took over the output of stack "${tookOver}" (--force)`);
    for (const f of replaced) io.out(`replaced ${f} (not written by synth; --force)`);
    for (const f of removed) io.out(`removed ${f} (a previous synth wrote it; the spec no longer produces it)`);
    for (const f of foreign) io.out(`left alone ${f} (not written by synth)`);
    io.out(`synth: ${r.files.length} files in ${r.shownOut}; ${r.warnings.length} parity warnings in dist/parity-report.md`);
    return 0;
  },
};

export const checkCommand: Command = {
  name: 'check',
  summary: 'render in memory and fail with a diff when the committed output is stale',
  help: `usage: infra check [--spec FILE] [--out DIR]

Renders the spec in memory and compares it with the files synth owns under DIR
(the same default as synth). Exit 1 with a unified diff, the objects a synth would
remove, and the command that brings DIR up to date, when they differ; exit 1 when
DIR does not exist.

${OPTION_HELP}`,
  run(argv, io) {
    const r = render(argv, io);
    if (!r) {
      io.out(this.help);
      return 0;
    }
    const again = sameFlags(r.values);
    if (!existsSync(r.out)) {
      throw new ProblemError(`infra:check: ${r.shownOut} does not exist: there is no output to check.\nfix: write it with \`npm run infra -- synth${again}\`, or give --out the folder synth wrote`);
    }
    const result = checkOutputs(r.out, r.files);
    for (const f of result.foreign) io.out(`not checked ${f} (not written by synth)`);
    if (!result.stale.length) {
      io.out(`infra:check: ${r.files.length} generated files match a fresh synth`);
      return 0;
    }
    io.out(result.diff);
    io.err(`\ninfra:check: ${result.stale.length} generated file(s) are stale: ${result.stale.join(', ')}`);
    if (result.stack !== undefined && result.stack !== r.stack) io.err(`  ${r.shownOut} holds the output of stack "${result.stack}", not of "${r.stack}"`);
    for (const id of result.removedObjects) io.err(`  would remove ${id}`);
    io.err(`Run \`npx nx run infra:synth${again ? ` --${again}` : ''}\` (or \`npm run infra -- synth${again}\`) and commit the result.`);
    return 1;
  },
};
