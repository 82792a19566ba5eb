/**
 * The `.env` syntax compose reads (compose-go's dotenv parser), for the `.env`
 * beside a compose file, `--env-file` and a service's `env_file`:
 *
 *   # a comment line            KEY=value # an inline comment (after a space)
 *   export KEY=value            KEY='single: literal, no escapes, no $'
 *   KEY=                        KEY="double: \n \r \t \\ \" \$ escapes, ${VAR} interpolated"
 *   KEY: value (YAML style)     KEY   (no "=": the value comes from the lookup, or the key is left out)
 *
 * Quoted values may span lines. Unquoted and double-quoted values are
 * interpolated (see interpolate.ts) from the lookup first, then from the keys
 * above them in the same file.
 */
import { interpolate, InterpolationError, type Lookup, type VariableUse } from './interpolate';

export class DotenvError extends Error {}

export interface DotenvEntry {
  readonly value: string;
  /** 1-based line of the key. */
  readonly line: number;
  /** Variables the value read (an inherited `KEY` reads its own name). */
  readonly uses: readonly VariableUse[];
}

const KEY_CHAR = /[A-Za-z0-9_.\-[\]]/;
const SPACE = /[ \t\v\f\r\u0085\u00a0]/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"', $: '$$' };

/** Parses `text`; `from` names the file in each value's origin (".env", "--env-file a.env"). Throws DotenvError naming the line. */
export function parseDotenv(text: string, lookup: Lookup, from: string): Map<string, DotenvEntry> {
  const out = new Map<string, DotenvEntry>();
  const src = text.replace(/^\ufeff/, '');
  let i = 0;
  // Line numbers are counted on from the last one asked for (keys come in order), so a long file costs one pass, not one per key.
  let counted = { at: 0, line: 1 };
  const lineAt = (at: number) => {
    if (at < counted.at) counted = { at: 0, line: 1 };
    let { line } = counted;
    for (let k = src.indexOf('\n', counted.at); k !== -1 && k < at; k = src.indexOf('\n', k + 1)) line++;
    counted = { at, line };
    return line;
  };
  const fail = (at: number, why: string): never => {
    throw new DotenvError(`line ${lineAt(at)}: ${why}`);
  };
  // Earlier keys of the file count as variables after the lookup, as compose has it.
  const chained: Lookup = (name) => lookup(name) ?? (out.has(name) ? { value: out.get(name)!.value, from } : undefined);
  const expand = (value: string, at: number): { value: string; uses: VariableUse[] } => {
    try {
      return interpolate(value, chained);
    } catch (e) {
      if (e instanceof InterpolationError) return fail(at, e.message);
      throw e;
    }
  };
  const skipToLineEnd = () => {
    while (i < src.length && src[i] !== '\n') i++;
  };
  while (i < src.length) {
    // A statement starts at the next character that is not white space; # starts a comment line.
    while (i < src.length && /\s/.test(src[i])) i++;
    if (i >= src.length) break;
    if (src[i] === '#') {
      skipToLineEnd();
      continue;
    }
    const start = i;
    if (src.startsWith('export', i) && SPACE.test(src[i + 6] ?? '')) {
      i += 6;
      while (SPACE.test(src[i] ?? '')) i++;
    }
    const keyStart = i;
    while (i < src.length && KEY_CHAR.test(src[i])) i++;
    const key = src.slice(keyStart, i);
    while (SPACE.test(src[i] ?? '')) i++;
    if (!key) fail(start, `${JSON.stringify(src[i] ?? '')} cannot start a variable name (names are letters, digits, "_", ".", "-")`);
    if (i >= src.length || src[i] === '\n' || src[i] === '#') {
      // KEY alone: its value comes from the lookup, or it is not set at all.
      const v = lookup(key);
      if (v) out.set(key, { value: v.value, line: lineAt(keyStart), uses: [{ name: key, how: 'set', from: v.from }] });
      skipToLineEnd();
      continue;
    }
    if (src[i] !== '=' && src[i] !== ':') fail(i, `unexpected character ${JSON.stringify(src[i])} in variable name ${JSON.stringify(key)}; write KEY=value`);
    i++;
    while (SPACE.test(src[i] ?? '')) i++;
    const quote = src[i];
    let entry: { value: string; uses: VariableUse[] };
    if (quote === '"' || quote === "'") {
      const open = i;
      let raw = '';
      i++;
      for (;;) {
        if (i >= src.length) fail(open, `the ${quote === '"' ? 'double' : 'single'}-quoted value of ${key} is not closed`);
        const c = src[i];
        if (c === '\\' && i + 1 < src.length) {
          const n = src[i + 1];
          if (quote === "'") raw += n === "'" ? "'" : `\\${n}`;
          else raw += n in ESCAPES ? ESCAPES[n] : `\\${n}`;
          i += 2;
          continue;
        }
        if (c === quote) break;
        // In double quotes a literal $ is written $$ for the interpolation below; single quotes keep it as is.
        raw += c;
        i++;
      }
      i++;
      entry = quote === '"' ? expand(raw, open) : { value: raw, uses: [] };
      // After the closing quote only white space and a comment.
      while (SPACE.test(src[i] ?? '')) i++;
      if (i < src.length && src[i] !== '\n' && src[i] !== '#') fail(i, `unexpected text after the quoted value of ${key}`);
      skipToLineEnd();
    } else {
      const end = src.indexOf('\n', i) < 0 ? src.length : src.indexOf('\n', i);
      let value = src.slice(i, end);
      const comment = value.search(/[ \t]#/);
      if (comment >= 0) value = value.slice(0, comment);
      else if (value.startsWith('#')) value = '';
      entry = expand(value.replace(/[\s]+$/, ''), i);
      i = end;
    }
    out.set(key, { value: entry.value, line: lineAt(keyStart), uses: entry.uses });
  }
  return out;
}
