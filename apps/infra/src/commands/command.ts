import type { Io } from '../args';

/** One subcommand of the infra CLI. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full `--help` text. */
  readonly help: string;
  /** Returns the exit code: 0 ok, 1 problems found, 2 usage (UsageError). */
  run(argv: readonly string[], io: Io): number;
}
