/**
 * The variables compose interpolates a file with, in compose's precedence,
 * without the process environment (import must give the same spec on every
 * machine; `--env` stands where compose reads the shell):
 *
 *   1. `--env KEY=VALUE`, highest (the last of a repeated key wins);
 *   2. the `--env-file` files, the later over the earlier; given, they replace `.env`;
 *   3. otherwise `.env` beside the compose file.
 */
import { DotenvError, parseDotenv } from './dotenv';
import type { Lookup, VariableValue } from './interpolate';
import { looksSecretName } from '@todo/service-spec';

export interface VariableFile {
  /** How the report names the file: ".env", "--env-file ci.env". */
  readonly from: string;
  readonly text: string;
}

export interface VariableSources {
  /** `.env` beside the compose file, when it exists. */
  readonly dotenv?: VariableFile;
  readonly envFiles: readonly VariableFile[];
  /** `--env` values as given: KEY=VALUE. */
  readonly env: readonly string[];
}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

/** Throws DotenvError naming the file (or --env) and line. */
export function projectVariables(sources: VariableSources): Map<string, VariableValue> {
  const cli = new Map<string, VariableValue>();
  for (const kv of sources.env) {
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    if (eq < 0) throw new DotenvError(`--env ${kv}: give KEY=VALUE (import never reads the process environment)`);
    if (!NAME.test(key)) throw new DotenvError(`--env ${kv}: "${key}" is not a variable name ([A-Za-z_][A-Za-z0-9_]*)`);
    cli.set(key, { value: kv.slice(eq + 1), from: '--env' });
  }
  const files = new Map<string, VariableValue>();
  for (const f of sources.envFiles.length ? sources.envFiles : sources.dotenv ? [sources.dotenv] : []) {
    // A file reads --env first, then what the files before it set, then its own keys above.
    const lookup: Lookup = (name) => cli.get(name) ?? files.get(name);
    let parsed;
    try {
      parsed = parseDotenv(f.text, lookup, f.from);
    } catch (e) {
      if (e instanceof DotenvError) throw new DotenvError(`${f.from}: ${e.message}`);
      throw e;
    }
    for (const [k, entry] of parsed) files.set(k, { value: entry.value, from: f.from });
  }
  return new Map([...files, ...cli]);
}

/** A lookup over the variables. */
export const lookupIn = (vars: ReadonlyMap<string, VariableValue>): Lookup => (name) => vars.get(name);

/** True when a variable's name says it holds a secret: a value built from it is treated as one. */
export const secretVariable = (name: string): boolean => looksSecretName(name);
