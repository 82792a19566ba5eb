/**
 * Compose interpolation, as the Compose Specification defines it (compose-go's
 * template package): `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `${VAR:+alternative}`, `${VAR+alternative}`,
 * `$$` for a literal `$`, and interpolation nested in a default, an alternative or
 * an error message (`${A:-${B:-x}}`). Any other `$` is an invalid template, which
 * compose refuses ("Invalid template").
 *
 * Values come only from what the caller passes (see variables.ts): `infra import`
 * never reads the process environment, so the same files give the same spec.
 */

/** A variable's value and where it came from, as the report names it (".env", "--env-file x.env", "--env"). */
export interface VariableValue {
  readonly value: string;
  readonly from: string;
}

export type Lookup = (name: string) => VariableValue | undefined;

/** One variable read while interpolating a string, and how its value was chosen. */
export interface VariableUse {
  readonly name: string;
  /**
   * set: the variable's own value (from `from`); default: the text after `:-`/`-`;
   * alternative: the text after `:+`/`+`; unset: no value and no default, so "" (compose warns).
   */
  readonly how: 'set' | 'default' | 'alternative' | 'unset';
  readonly from?: string;
  /** The default or alternative text as written (it holds no secret: it is in the compose file). */
  readonly text?: string;
}

/** The file cannot be interpolated; compose refuses it too. `variable` is set for `${VAR:?message}`. */
export class InterpolationError extends Error {
  constructor(
    message: string,
    readonly variable?: string,
  ) {
    super(message);
  }
}

const NAME_START = /[_a-zA-Z]/;
const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;
const BRACED = /^([_a-zA-Z][_a-zA-Z0-9]*)(?:(:?[-+?])([\s\S]*))?$/;

/** Index of the `}` closing the `${` whose content starts at `from`, or -1. `$$` is skipped; nested `${` counted. */
function closingBrace(s: string, from: number): number {
  let depth = 1;
  for (let j = from; j < s.length; j++) {
    if (s[j] === '$' && s[j + 1] === '$') j++;
    else if (s[j] === '$' && s[j + 1] === '{') {
      depth++;
      j++;
    } else if (s[j] === '}' && --depth === 0) return j;
  }
  return -1;
}

/** True when the string has something compose interpolates or unescapes (a `$`). */
export const hasDollar = (s: string): boolean => s.includes('$');

/**
 * The string as compose interpolates it, and every variable it read.
 * Throws InterpolationError on an invalid template or a required variable without a value.
 */
export function interpolate(text: string, lookup: Lookup): { value: string; uses: VariableUse[] } {
  const uses: VariableUse[] = [];
  const invalid = (why: string) => new InterpolationError(`invalid interpolation ${JSON.stringify(text)}: ${why}; compose refuses it too ("Invalid template"); fix: write "$$" for a literal "$"`);
  const sub = (s: string): string => {
    let out = '';
    for (let i = 0; i < s.length; ) {
      const c = s[i];
      if (c !== '$') {
        out += c;
        i++;
        continue;
      }
      const next = s[i + 1];
      if (next === '$') {
        out += '$';
        i += 2;
      } else if (next !== undefined && NAME_START.test(next)) {
        const name = NAME.exec(s.slice(i + 1))![0];
        out += plain(name);
        i += 1 + name.length;
      } else if (next === '{') {
        const end = closingBrace(s, i + 2);
        if (end < 0) throw invalid(`"\${" at ${i} has no closing "}"`);
        out += braced(s.slice(i + 2, end));
        i = end + 1;
      } else throw invalid(next === undefined ? 'it ends with "$"' : `"$" followed by ${JSON.stringify(next)} is not a variable`);
    }
    return out;
  };
  const plain = (name: string): string => {
    const v = lookup(name);
    uses.push(v ? { name, how: 'set', from: v.from } : { name, how: 'unset' });
    return v?.value ?? '';
  };
  const braced = (inner: string): string => {
    const m = BRACED.exec(inner);
    if (!m) throw invalid(`"\${${inner}}" is not \${NAME}, \${NAME:-default}, \${NAME-default}, \${NAME:?error}, \${NAME?error}, \${NAME:+alternative} or \${NAME+alternative}`);
    const [, name, op, word = ''] = m;
    if (op === undefined) return plain(name);
    const v = lookup(name);
    const empty = v === undefined || (op.startsWith(':') && v.value === '');
    const own = (): string => {
      uses.push(v ? { name, how: 'set', from: v.from } : { name, how: 'unset' });
      return v?.value ?? '';
    };
    switch (op) {
      case ':-':
      case '-':
        if (!empty) return own();
        uses.push({ name, how: 'default', text: word, ...(v && { from: v.from }) });
        return sub(word);
      case ':+':
      case '+':
        if (empty) return own();
        uses.push({ name, how: 'alternative', text: word, from: v!.from });
        return sub(word);
      default: {
        // :? and ?: compose stops with the message (interpolated too).
        if (!empty) return own();
        const message = sub(word);
        throw new InterpolationError(`required variable ${name} is ${v === undefined ? 'not set' : 'empty'}${message ? `: ${message}` : ''} (compose refuses the file: "required variable ${name} is missing a value${message ? `: ${message}` : ''}")`, name);
      }
    }
  };
  return { value: sub(text), uses };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A string of the file that holds a `$`, and what interpolation made of it. */
export interface Interpolated {
  /** Compose path of the field, as the report names it: `services.web.ports[0]`, `services.web.environment.LOG_LEVEL`. */
  readonly path: string;
  readonly uses: readonly VariableUse[];
}

/** Lists whose items are `KEY=value`: the report names an item by its key, not its index. */
const KEYED_LISTS = new Set(['environment', 'labels', 'args']);
/** Fields compose reads as booleans: `read_only: ${RO:-true}` is a boolean once interpolated. */
const BOOLEAN_FIELDS = new Set(['read_only', 'disable', 'required', 'nocopy', 'create_host_path', 'external']);

/**
 * The whole compose file interpolated (values, not keys; extension fields `x-*`
 * are compose-only and left as written), and every field that held a `$`.
 * Throws InterpolationError with the field's path in front of the message.
 */
export function interpolateDocument(doc: unknown, lookup: Lookup): { doc: unknown; fields: Interpolated[] } {
  const fields: Interpolated[] = [];
  const walk = (v: unknown, path: string, key: string, parentKey: string): unknown => {
    if (typeof v === 'string') {
      if (!hasDollar(v)) return v;
      const at = KEYED_LISTS.has(parentKey) && /^\S/.test(v) && path.endsWith(']') ? `${path.slice(0, path.lastIndexOf('['))}.${v.split('=')[0]}` : path;
      let r;
      try {
        r = interpolate(v, lookup);
      } catch (e) {
        if (e instanceof InterpolationError) throw new InterpolationError(`${at}: ${e.message}`, e.variable);
        throw e;
      }
      if (r.uses.length || r.value !== v) fields.push({ path: at, uses: r.uses });
      if (BOOLEAN_FIELDS.has(key) && /^(true|false)$/i.test(r.value)) return r.value.toLowerCase() === 'true';
      return r.value;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}[${i}]`, key, key));
    if (isObj(v)) {
      const out: Obj = {};
      for (const [k, x] of Object.entries(v)) {
        // defineProperty: a key named __proto__ stays a key.
        Object.defineProperty(out, k, { value: k.startsWith('x-') ? x : walk(x, path ? `${path}.${k}` : k, k, key), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return v;
  };
  return { doc: walk(doc, '', '', ''), fields };
}
