import type { Rule, Violation } from '../core/types';

export interface TextFile {
  /** As printed: relative to the working directory. */
  readonly path: string;
  readonly text: string;
  /**
   * As allow-list entries name it, when that differs from `path`: relative to the output root
   * (`infra policy` on synth's output), so an entry holds wherever --out points. @default path
   */
  readonly allowPath?: string;
}

/** A documented exception for a literal that is safe by design, e.g. the local-only compose database default. */
export interface AllowEntry {
  readonly rule: string;
  readonly file: string;
  readonly match: string;
  readonly reason: string;
}

export interface SecretScan {
  readonly files: readonly TextFile[];
  /** Repository whose .gitignore must cover .env files. */
  readonly repoRoot: string;
  readonly allow: readonly AllowEntry[];
}

export type SecretRule = Rule<SecretScan>;

/** Marker for a literal that only ever runs on a developer machine; put it on the line or the line above. */
export const ALLOW_MARKER = 'policy-allow: local-only-default';

export interface Hit {
  readonly file: TextFile;
  readonly line: number;
  readonly found: string;
}

export function isAllowed(scan: SecretScan, rule: string, hit: Hit, markerHonoured: boolean): boolean {
  const lines = hit.file.text.split('\n');
  const text = lines[hit.line - 1] ?? '';
  // `match` is the literal as written in the file; it must appear on the reported line.
  if (scan.allow.some((a) => a.rule === rule && a.file === (hit.file.allowPath ?? hit.file.path) && text.includes(a.match) && text.includes(hit.found))) return true;
  if (!markerHonoured) return false;
  return [lines[hit.line - 1], lines[hit.line - 2]].some((l) => l !== undefined && l.includes(ALLOW_MARKER));
}

/** Every match of `pattern` with its 1-based line. */
export function findAll(file: TextFile, pattern: RegExp): Hit[] {
  const hits: Hit[] = [];
  file.text.split('\n').forEach((text, i) => {
    for (const m of text.matchAll(new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : pattern.flags + 'g'))) {
      hits.push({ file, line: i + 1, found: m[0] });
    }
  });
  return hits;
}

export function hitViolation(rule: string, hit: Hit, problem: string): Violation {
  return { rule, object: hit.file.path, message: `${hit.file.path}:${hit.line}: ${problem}` };
}
