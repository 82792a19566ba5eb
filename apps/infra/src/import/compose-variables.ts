/**
 * What the importer does with compose variables: it interpolates the whole file
 * before mapping it (interpolate.ts), reports where each value came from, and
 * reads each service's `env_file` into its environment (dotenv.ts).
 */
import { looksSecretName } from '@todo/service-spec';
import { DotenvError, parseDotenv } from './dotenv';
import { ComposeImportError } from './errors';
import { interpolateDocument, InterpolationError, type Lookup, type VariableUse } from './interpolate';
import type { ImportEntry } from './report';

type Note = (path: string, status: ImportEntry['status'], message: string) => void;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A file the compose file names, read relative to it and only inside the repository. */
export type ReadResult = { readonly state: 'inside'; readonly text: string } | { readonly state: 'missing' } | { readonly state: 'outside'; readonly real: string } | { readonly state: 'unreadable'; readonly why: string };
export type ReadFile = (composeRelative: string) => ReadResult;

const HOW_TO_SET = (names: string[]) => `set ${names.length > 1 ? 'them' : 'it'} in .env beside the compose file, in a file given with --env-file, or with ${names.map((n) => `--env ${n}=VALUE`).join(' ')}, and import again`;

function describe(u: VariableUse): string {
  if (u.how === 'set') return `${u.name} from ${u.from}`;
  if (u.how === 'default') return `${u.name} from its default ${JSON.stringify(u.text)}${u.from ? ` (${u.from} sets it empty)` : ''}`;
  if (u.how === 'alternative') return `${u.name} is set (${u.from}), so the alternative ${JSON.stringify(u.text)}`;
  return `${u.name} is not set`;
}

/**
 * One report line per field that read variables, always a decision: compose reads the variables
 * again at each `up`, while the spec holds the value they had at import, so setting one on the
 * host no longer changes the output. The line says where each value came from.
 */
function reportUses(path: string, uses: readonly VariableUse[], note: Note): void {
  if (!uses.length) return;
  const unset = [...new Set(uses.filter((u) => u.how === 'unset').map((u) => u.name))];
  const read = [...new Map(uses.map((u) => [`${u.name}\0${u.how}`, u])).values()];
  if (unset.length) {
    note(path, 'decision', `interpolates ${unset.join(', ')}, which ${unset.length > 1 ? 'are' : 'is'} not set in .env, --env-file or --env: compose uses "" (and warns), and so does the import; ${HOW_TO_SET(unset)}${read.length > unset.length ? `. Also: ${read.filter((u) => u.how !== 'unset').map(describe).join('; ')}` : ''}`);
  } else {
    const names = [...new Set(read.map((u) => u.name))];
    note(path, 'decision', `interpolated: ${read.map(describe).join('; ')}; the spec holds this value, so ${names.join(', ')} set on the host no longer ${names.length > 1 ? 'change' : 'changes'} it (compose reads ${names.length > 1 ? 'them' : 'it'} at each \`up\`): edit the spec to change it`);
  }
}

/**
 * The compose file interpolated, as compose would before it reads any field, with a
 * report line at each field that read a variable. Returns the interpolated file and
 * the fields whose value was built from a variable named like a secret.
 * Throws ComposeImportError (the caller names the file) for a template compose refuses.
 */
export function interpolateCompose(doc: unknown, lookup: Lookup, note: Note): { doc: unknown; secretFed: Set<string>; fields: Set<string> } {
  let result;
  try {
    result = interpolateDocument(doc, lookup);
  } catch (e) {
    if (e instanceof InterpolationError) throw new ComposeImportError(`${e.message}${e.variable ? `; fix: ${HOW_TO_SET([e.variable])}` : ''}`);
    throw e;
  }
  for (const f of result.fields) reportUses(f.path, f.uses, note);
  return { doc: result.doc, secretFed: new Set(result.fields.filter((f) => f.uses.some((u) => looksSecretName(u.name))).map((f) => f.path)), fields: new Set(result.fields.filter((f) => f.uses.length).map((f) => f.path)) };
}

/** `env_file` entries in their long form: a string is `{ path, required: true }`. */
function envFiles(raw: unknown, p: string, note: Note): { path: string; required: boolean; at: string }[] {
  const list = Array.isArray(raw) ? raw : [raw];
  const out: { path: string; required: boolean; at: string }[] = [];
  list.forEach((e, i) => {
    const at = Array.isArray(raw) ? `${p}.env_file[${i}]` : `${p}.env_file`;
    if (typeof e === 'string' && e) out.push({ path: e, required: true, at });
    else if (isObj(e) && typeof e.path === 'string' && e.path) {
      out.push({ path: e.path, required: e.required !== false, at });
      for (const k of Object.keys(e)) {
        if (k === 'format' && e.format !== undefined && e.format !== 'raw') note(`${at}.format`, 'unmapped', `env file format ${JSON.stringify(e.format)} is not one compose knows; read as the .env syntax`);
        else if (k === 'format') note(`${at}.format`, 'decision', 'format "raw": compose takes each value as written; the import reads the .env syntax (quotes and ${VAR} are interpreted)');
        else if (k !== 'path' && k !== 'required') note(`${at}.${k}`, 'unmapped', 'not a field of env_file');
      }
    } else note(at, 'unmapped', `${JSON.stringify(e)} is not an env file (a path, or { path, required })`);
  });
  return out;
}

export interface ServiceEnvironment {
  /** Variable -> value (null: named without a value, which nothing gave). `environment` wins over env_file. */
  readonly env: Record<string, string | null>;
  /** Report path of each variable that did not come from `environment`. */
  readonly paths: Record<string, string>;
  /** Report paths whose value was built from a variable named like a secret. */
  readonly secretFed: Set<string>;
}

/**
 * A service's environment as compose builds it: its env_file files in order (a later
 * file wins), then `environment` over them; a variable named without a value takes it
 * from the project variables. Throws ComposeImportError for a missing required env_file.
 */
export function serviceEnvironment(c: Obj, p: string, environment: Record<string, string | null>, lookup: Lookup, readFile: ReadFile | undefined, note: Note, secretFed: Set<string>): ServiceEnvironment {
  // No prototype: a variable named __proto__ stays a key (the importer reports it), and no key is "in" the map before it is set.
  const env: Record<string, string | null> = Object.create(null);
  const paths: Record<string, string> = Object.create(null);
  if (c.env_file !== undefined && c.env_file !== null) {
    for (const f of envFiles(c.env_file, p, note)) {
      if (!readFile) {
        note(f.at, 'unmapped', `env file "${f.path}" is not read (this import has no file access): copy its variables into environment`);
        continue;
      }
      const got = readFile(f.path);
      if (got.state === 'missing') {
        if (f.required) throw new ComposeImportError(`${f.at}: env file "${f.path}" does not exist (compose refuses to start the service without it); fix: create it, or write { path: "${f.path}", required: false }`);
        note(f.at, 'mapped', `env file "${f.path}" does not exist and is optional (required: false); compose skips it too`);
        continue;
      }
      if (got.state === 'outside') throw new ComposeImportError(`${f.at}: env file "${f.path}" resolves to ${got.real}, outside the repository; fix: keep the env file inside the repository`);
      if (got.state === 'unreadable') throw new ComposeImportError(`${f.at}: env file "${f.path}" cannot be read: ${got.why}`);
      let parsed;
      try {
        parsed = parseDotenv(got.text, lookup, `env_file ${f.path}`);
      } catch (e) {
        if (e instanceof DotenvError) throw new ComposeImportError(`${f.at}: env file "${f.path}", ${e.message}`);
        throw e;
      }
      note(f.at, 'mapped', `env file "${f.path}": ${parsed.size} variable${parsed.size === 1 ? '' : 's'} (${[...parsed.keys()].join(', ') || 'none'}), each reported below by name`);
      for (const [k, entry] of parsed) {
        env[k] = entry.value;
        paths[k] = `${f.at}.${k}`;
        if (entry.uses.some((u) => looksSecretName(u.name))) secretFed.add(paths[k]);
        reportUses(paths[k], entry.uses, note);
      }
    }
  }
  for (const [k, v] of Object.entries(environment)) {
    if (k in paths) note(`${p}.environment.${k}`, 'mapped', `set in environment, which wins over the env_file value (as in compose)`);
    delete paths[k];
    if (v !== null) env[k] = v;
    else {
      // Named without a value: compose takes it from the variables it interpolates with.
      const got = lookup(k);
      env[k] = got ? got.value : null;
      // A decision, as for an interpolated field: compose passes the host's value at each `up`, the spec holds this one.
      if (got) note(`${p}.environment.${k}`, 'decision', `named without a value: compose passes ${k} from ${got.from}; the spec holds this value, so ${k} set on the host no longer changes it: edit the spec to change it`);
    }
  }
  return { env, paths, secretFed };
}
