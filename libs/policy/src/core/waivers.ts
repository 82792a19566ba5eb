import { existsSync, readFileSync } from 'node:fs';

/**
 * The one waivers file (libs/policy/waivers.json) holds two kinds of entry:
 *   { "rule", "object", "reason" [, "expires"] }                 one of our policy rules (`infra policy`)
 *   { "tool", "rule", "reason", "expires" [, "target"] [, "object"] }  a field tool's own rule id: a
 *     scanner finding (`infra:scan-config`: kube-score, trivy)
 *   { "tool": "osv", "rule", "reason", "expires" [, "object"] [, "package"] }  a vulnerability the
 *     image scan (scripts/image-security.mjs, the `scan` targets) finds: `rule` is the advisory id
 *     or an alias, `object` the image repository, `package` a package name as the scan prints it
 * `expires` is a date (YYYY-MM-DD): from the day after it the waiver no longer applies and the
 * gate that reads it fails, naming it. Every gate parses the whole file here, so one file gets one
 * verdict whichever gate reads it. `target` is a glob on the repo-relative file path
 * (`*` within a path segment, `**` across segments); `object` is `Kind/namespace/name`.
 */

/** An accepted exception to one of our rules: the rule still runs, the named object's violations are printed as WAIVED. */
export interface Waiver {
  readonly rule: string;
  readonly object: string;
  readonly reason: string;
  readonly expires?: string;
}

/** An accepted finding of a field tool, named by the tool's own rule id (or vulnerability id). */
export interface ToolWaiver {
  /** Its place in the file, for messages: `waivers[3]`. */
  readonly at: string;
  readonly tool: string;
  readonly rule: string;
  readonly reason: string;
  readonly expires: string;
  readonly target?: string;
  readonly object?: string;
  /** `osv` only: the package (source or binary package name) the waiver is limited to. */
  readonly package?: string;
}

export class WaiverFileError extends Error {}

const MIN_REASON = 10;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TOOL = /^[a-z][a-z0-9-]*$/;
const POLICY_FIELDS = ['rule', 'object', 'reason', 'expires'];
const TOOL_FIELDS = ['tool', 'rule', 'reason', 'expires', 'target', 'object'];
/** The image scan's tool: its findings are an image's packages, not files. */
export const IMAGE_SCAN_TOOL = 'osv';
const IMAGE_FIELDS = ['tool', 'rule', 'reason', 'expires', 'object', 'package'];

function validDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** Every problem is collected so one run shows all of them, each with its JSON path and fix. */
export function parseWaiverFile(text: string, file: string, knownRules: ReadonlySet<string>): { policy: Waiver[]; tools: ToolWaiver[] } {
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
  const policy: Waiver[] = [];
  const tools: ToolWaiver[] = [];
  list.forEach((entry: unknown, i) => {
    const at = `${file}: waivers[${i}]`;
    const w = (entry ?? {}) as Record<string, unknown>;
    const before = errors.length;
    const isTool = w.tool !== undefined;
    const isImage = w.tool === IMAGE_SCAN_TOOL;
    if (isTool && (typeof w.tool !== 'string' || !TOOL.test(w.tool))) {
      errors.push(`${at}.tool: ${JSON.stringify(w.tool)} is not a tool name; fix: name the tool as its gate prints it (kube-score, trivy, ...)`);
    }
    if (isTool) {
      if (typeof w.rule !== 'string' || w.rule.trim() === '') {
        errors.push(`${at}.rule: missing; fix: give the tool's own rule id (or vulnerability id) as the gate prints it`);
      }
    } else if (typeof w.rule !== 'string' || !knownRules.has(w.rule)) {
      errors.push(`${at}.rule: ${JSON.stringify(w.rule)} is not a rule id; fix: use one of the ids the CLI prints, or add "tool" for a field tool's rule`);
    }
    if (!isTool && (typeof w.object !== 'string' || w.object.trim() === '')) {
      errors.push(`${at}.object: missing; fix: name the object as printed (Kind/namespace/name or a file path)`);
    }
    if (isTool && w.object !== undefined && (typeof w.object !== 'string' || w.object.trim() === '')) {
      errors.push(
        isImage
          ? `${at}.object: must be an image repository (e.g. todo-backend); fix: name it, or leave it out`
          : `${at}.object: must be a non-empty string (Kind/namespace/name); fix: name the object as printed, or leave it out`,
      );
    }
    if (isImage && w.target !== undefined) {
      errors.push(`${at}.target: a file glob does not apply to an image's findings; fix: use "object" (the image repository) and "package"`);
    } else if (isTool && w.target !== undefined && (typeof w.target !== 'string' || w.target.trim() === '')) {
      errors.push(`${at}.target: must be a non-empty glob of file paths; fix: e.g. "dist/k8s/**", or leave it out`);
    }
    if (isImage && w.package !== undefined && (typeof w.package !== 'string' || w.package.trim() === '')) {
      errors.push(`${at}.package: must be a package name as the scan prints it; fix: name it, or leave it out`);
    }
    if (typeof w.reason !== 'string' || w.reason.trim().length < MIN_REASON) {
      errors.push(`${at}.reason: missing or shorter than ${MIN_REASON} characters; fix: say why the rule does not apply`);
    }
    if (w.expires !== undefined || isTool) {
      if (typeof w.expires !== 'string' || !validDate(w.expires)) {
        errors.push(`${at}.expires: ${w.expires === undefined ? 'missing' : `${JSON.stringify(w.expires)} is not a date`}; fix: give the last day it applies as YYYY-MM-DD`);
      }
    }
    const fields = isImage ? [...IMAGE_FIELDS, 'target'] : isTool ? TOOL_FIELDS : POLICY_FIELDS;
    for (const key of Object.keys(w)) {
      if (!fields.includes(key)) errors.push(`${at}.${key}: unknown field; fix: remove it`);
    }
    if (errors.length > before) return;
    if (isTool) {
      tools.push({
        at: `waivers[${i}]`, tool: w.tool as string, rule: w.rule as string, reason: w.reason as string, expires: w.expires as string,
        ...(w.target !== undefined ? { target: w.target as string } : {}),
        ...(w.object !== undefined ? { object: w.object as string } : {}),
        ...(w.package !== undefined ? { package: w.package as string } : {}),
      });
    } else {
      policy.push({ rule: w.rule as string, object: w.object as string, reason: w.reason as string, ...(w.expires !== undefined ? { expires: w.expires as string } : {}) });
    }
  });
  if (errors.length > 0) throw new WaiverFileError(errors.join('\n'));
  return { policy, tools };
}

/** The waivers of our own policy rules (entries without `tool`); the whole file is validated. */
export function parseWaivers(text: string, file: string, knownRules: ReadonlySet<string>): Waiver[] {
  return parseWaiverFile(text, file, knownRules).policy;
}

/** `shown` names the file in messages (e.g. relative to the repository root); it defaults to `file`. */
export function loadWaiverFile(file: string, knownRules: ReadonlySet<string>, required: boolean, shown: string = file): { policy: Waiver[]; tools: ToolWaiver[] } {
  if (!existsSync(file)) {
    if (required) throw new WaiverFileError(`${shown}: not found; fix: pass an existing --waivers file`);
    return { policy: [], tools: [] };
  }
  return parseWaiverFile(readFileSync(file, 'utf8'), shown, knownRules);
}

export function loadWaivers(file: string, knownRules: ReadonlySet<string>, required: boolean): Waiver[] {
  return loadWaiverFile(file, knownRules, required).policy;
}

/** Today as YYYY-MM-DD (UTC); WAIVERS_TODAY overrides it, for tests of expiry. */
export function today(env: NodeJS.ProcessEnv = process.env): string {
  const fixed = env.WAIVERS_TODAY;
  return fixed && validDate(fixed) ? fixed : new Date().toISOString().slice(0, 10);
}

/** A waiver applies through its `expires` day; after it, the gate fails. */
export function isExpired(w: { readonly expires?: string }, on: string): boolean {
  return w.expires !== undefined && w.expires < on;
}

/** `*` matches within one path segment, `**` across segments, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      i++;
      if (glob[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
