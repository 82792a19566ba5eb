/**
 * The one command line of the deployment tool:
 *   npm run infra -- <subcommand> [options]        (from the workspace root)
 *   nx run infra:synth|check|policy -- [options]   (the Nx targets call this program)
 * Exit codes: 0 ok, 1 problems found (spec, output, gates), 2 usage (bad arguments).
 */
import { findRepoRoot } from '@todo/build-inputs';
import { InputError } from '@todo/build-inputs';
import { SpecValidationError } from '@todo/service-spec';
import { EXIT, ProblemError, UsageError, userDirectory, type Io } from './args';
import type { Command } from './commands/command';
import { importCommand } from './commands/import';
import { imagesCommand } from './commands/images';
import { policyCommand } from './commands/policy';
import { initCommand, schemaCommand, validateCommand } from './commands/spec-tools';
import { checkCommand, synthCommand } from './commands/synth';

const COMMANDS: readonly Command[] = [synthCommand, checkCommand, policyCommand, imagesCommand, validateCommand, initCommand, importCommand, schemaCommand];

export const USAGE = `usage: infra <subcommand> [options]   (npm run infra -- <subcommand> …, or nx run infra:<target> -- …)

Subcommands:
${COMMANDS.map((c) => `  ${c.name.padEnd(9)} ${c.summary}`).join('\n')}

Run \`infra <subcommand> --help\` for its options.
Exit codes: 0 ok, 1 problems found, 2 usage error.`;

/** Writes nothing when the spec has a problem: say so where it matters. */
const WRITES = new Set(['synth', 'init', 'import', 'schema']);

export function run(argv: readonly string[], io: Io): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(USAGE);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`infra: unknown subcommand "${name}"\n\n${USAGE}`);
    return EXIT.usage;
  }
  try {
    return command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`infra ${name}: ${e.message}\n\n${command.help}`);
      return EXIT.usage;
    }
    const nothing = WRITES.has(name) ? '\nNothing was written.' : '';
    if (e instanceof SpecValidationError || e instanceof ProblemError || e instanceof InputError) {
      io.err(`${e.message}${nothing}`);
      return EXIT.problems;
    }
    io.err(`infra ${name} failed: ${(e as Error).stack ?? e}${nothing}`);
    return EXIT.problems;
  }
}

// Run as a program (tools/run-ts.mjs bundles this file as the entry point).
if (process.argv[1]?.replace(/\\/g, '/').endsWith('apps/infra/src/cli.ts')) {
  const root = findRepoRoot(process.cwd());
  const cwd = userDirectory(process.env, process.cwd(), root);
  process.exitCode = run(process.argv.slice(2), { cwd, root, out: (t) => console.log(t), err: (t) => console.error(t) });
}
