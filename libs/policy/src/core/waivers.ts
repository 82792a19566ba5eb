import { existsSync, readFileSync } from 'node:fs';

/** An accepted exception: the rule still runs, the named object's violations are printed as WAIVED. */
export interface Waiver {
  readonly rule: string;
  readonly object: string;
  readonly reason: string;
}

export class WaiverFileError extends Error {}

const MIN_REASON = 10;

/** Every problem is collected so one run shows all of them, each with its JSON path and fix. */
export function parseWaivers(text: string, file: string, knownRules: ReadonlySet<string>): Waiver[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new WaiverFileError(`${file}: not valid JSON (${(e as Error).message}); fix: write {"waivers": [...]}`);
  }
  const list = (raw as { waivers?: unknown } | null)?.waivers;
  if (!Array.isArray(list)) {
    throw new WaiverFileError(`${file}: waivers: must be an array; fix: write {"waivers": []} when nothing is waived`);
  }
  const errors: string[] = [];
  const waivers: Waiver[] = [];
  list.forEach((entry: unknown, i) => {
    const at = `${file}: waivers[${i}]`;
    const w = (entry ?? {}) as Record<string, unknown>;
    const before = errors.length;
    if (typeof w.rule !== 'string' || !knownRules.has(w.rule)) {
      errors.push(`${at}.rule: ${JSON.stringify(w.rule)} is not a rule id; fix: use one of the ids the CLI prints`);
    }
    if (typeof w.object !== 'string' || w.object.trim() === '') {
      errors.push(`${at}.object: missing; fix: name the object as printed (Kind/namespace/name or a file path)`);
    }
    if (typeof w.reason !== 'string' || w.reason.trim().length < MIN_REASON) {
      errors.push(`${at}.reason: missing or shorter than ${MIN_REASON} characters; fix: say why the rule does not apply`);
    }
    for (const key of Object.keys(w)) {
      if (!['rule', 'object', 'reason'].includes(key)) errors.push(`${at}.${key}: unknown field; fix: remove it`);
    }
    if (errors.length === before) waivers.push({ rule: w.rule as string, object: w.object as string, reason: w.reason as string });
  });
  if (errors.length > 0) throw new WaiverFileError(errors.join('\n'));
  return waivers;
}

export function loadWaivers(file: string, knownRules: ReadonlySet<string>, required: boolean): Waiver[] {
  if (!existsSync(file)) {
    if (required) throw new WaiverFileError(`${file}: not found; fix: pass an existing --waivers file`);
    return [];
  }
  return parseWaivers(readFileSync(file, 'utf8'), file, knownRules);
}
