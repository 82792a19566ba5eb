import { findRepoRoot } from '@todo/build-inputs';
import { existsSync, lstatSync, readlinkSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** Exit codes of every subcommand (README "Command line"). */
export const EXIT = { ok: 0, problems: 1, usage: 2 } as const;

/** The command line is wrong: nothing was read or written. Exit 2 with the subcommand's usage. */
export class UsageError extends Error {}

/** A problem found in the user's input or output (a spec, a file, a gate). Exit 1. */
export class ProblemError extends Error {}

export interface Io {
  /** The user's directory: relative paths on the command line are relative to it. */
  readonly cwd: string;
  /** The workspace root (holds nx.json). @default the one at or above `cwd` */
  readonly root?: string;
  out(text: string): void;
  err(text: string): void;
}

/** The workspace the command works on. */
export function workspaceRoot(io: Io): string {
  return io.root ?? findRepoRoot(io.cwd);
}

/**
 * The directory the user typed the command in. `npm run infra` (and `npx nx run …`)
 * run the program from the workspace root, and npm passes the caller's directory as
 * INIT_CWD; without it a relative --spec given from a subdirectory would be read
 * from the workspace root. INIT_CWD counts only when the program runs at the
 * workspace root, as npm and Nx start it: anywhere else the process's own
 * directory is the user's, whatever an outer npm left in the environment.
 */
export function userDirectory(env: NodeJS.ProcessEnv, cwd: string, root: string): string {
  const init = env.INIT_CWD;
  if (!init || !isAbsolute(init) || resolve(cwd) !== resolve(root)) return cwd;
  return existsSync(init) && statSync(init).isDirectory() ? init : cwd;
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  readonly values: Record<string, string | boolean | string[] | undefined>;
  readonly positionals: string[];
}

/**
 * Strict parsing: `--spec=f` and `--spec f` both work; an unknown flag, a
 * missing value or an extra argument is a usage error, never silently ignored.
 */
export function parse(argv: readonly string[], options: Options, maxPositionals = 0): Parsed {
  // --help wins over everything else on the line: it never runs the command.
  if (argv.includes('--help') || argv.includes('-h')) return { values: { help: true }, positionals: [] };
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: true, tokens: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, '').replace(/\.?\nDid you forget.*$/s, ': it needs a value'));
  }
  // parseArgs keeps the last of a repeated option and drops the others without a word
  // (an option declared `multiple: true` collects every value instead).
  const seen = new Set<string>();
  for (const t of parsed.tokens) {
    if (t.kind !== 'option' || (options[t.name] as { multiple?: boolean } | undefined)?.multiple) continue;
    if (seen.has(t.name)) throw new UsageError(`--${t.name} is given more than once; give it once`);
    seen.add(t.name);
  }
  if (parsed.positionals.length > maxPositionals) {
    throw new UsageError(`unexpected argument${parsed.positionals.length - maxPositionals > 1 ? 's' : ''}: ${parsed.positionals.slice(maxPositionals).join(' ')}`);
  }
  return { values: parsed.values, positionals: parsed.positionals } as Parsed;
}

export const SPEC_OPTION = { spec: { type: 'string' } } as const;
export const OUT_OPTION = { out: { type: 'string' } } as const;

export const SPEC_HELP = '  --spec FILE   the stack spec: .json, .yaml/.yml or .ts (default: the todo stack)';

/** A path as the user should read it: relative when under `cwd`, absolute otherwise. */
export function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/**
 * A file a command writes (`--out`, `--report`) is written there, never through a
 * symbolic link: the link's target (outside the workspace, or not there yet, which
 * the "exists" check cannot see) would be created or replaced instead. Refused even
 * with --force, as synth refuses a link out of its output root.
 */
export function refuseLink(path: string, flag: string, cwd: string): void {
  let link = false;
  try {
    link = lstatSync(path).isSymbolicLink();
  } catch {
    return;
  }
  if (link) throw new ProblemError(`${flag}: ${shown(path, cwd)} is a symbolic link (to ${readlinkSync(path)}); infra writes the file itself, never through a link, even with --force.\nfix: remove the link, or choose another ${flag}`);
}
