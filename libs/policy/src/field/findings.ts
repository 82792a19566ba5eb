import { globToRegExp, isExpired, type ToolWaiver } from '../core/waivers';

/** One finding of a field tool, named by the tool's own rule id. */
export interface Finding {
  readonly tool: string;
  readonly rule: string;
  /** The scanned file, relative to the workspace root (absolute when outside it). */
  readonly file: string;
  /** `Kind/namespace/name` for Kubernetes objects. */
  readonly object?: string;
  readonly message: string;
}

export interface Judged {
  readonly open: Finding[];
  readonly waived: Array<{ finding: Finding; waiver: ToolWaiver }>;
  /** Expired waivers of these tools: each fails the gate, whether it matches or not. */
  readonly expired: ToolWaiver[];
  /** Waivers of these tools that matched nothing (a warning). */
  readonly unused: ToolWaiver[];
}

export function matches(w: ToolWaiver, f: Finding): boolean {
  return (
    w.tool === f.tool &&
    w.rule === f.rule &&
    (w.target === undefined || globToRegExp(w.target).test(f.file)) &&
    (w.object === undefined || w.object === f.object)
  );
}

/** Waivers of other tools (a vulnerability scanner's) are left alone. */
export function judge(findings: readonly Finding[], waivers: readonly ToolWaiver[], tools: readonly string[], on: string): Judged {
  const mine = waivers.filter((w) => tools.includes(w.tool));
  const live = mine.filter((w) => !isExpired(w, on));
  const used = new Set<ToolWaiver>();
  const open: Finding[] = [];
  const waived: Judged['waived'] = [];
  for (const f of findings) {
    const w = live.find((x) => matches(x, f));
    if (w) {
      used.add(w);
      waived.push({ finding: f, waiver: w });
    } else open.push(f);
  }
  return { open, waived, expired: mine.filter((w) => isExpired(w, on)), unused: live.filter((w) => !used.has(w)) };
}

const where = (f: Finding) => `${f.file}${f.object ? ` ${f.object}` : ''}`;

export function formatJudged(j: Judged, waiverFile: string, counts: Record<string, number>, verbose = false): string {
  const lines: string[] = [];
  for (const f of j.open) lines.push(`FAIL ${f.tool} ${f.rule}: ${where(f)}: ${f.message}`);
  // Waived findings are counted per waiver: `--verbose` lists each one.
  const byWaiver = new Map<ToolWaiver, Finding[]>();
  for (const { finding, waiver } of j.waived) byWaiver.set(waiver, [...(byWaiver.get(waiver) ?? []), finding]);
  for (const [w, fs] of byWaiver) {
    lines.push(`WAIVED ${w.tool} ${w.rule}${w.target ? ` in ${w.target}` : ''}${w.object ? ` ${w.object}` : ''}: ${fs.length} findings until ${w.expires} (${w.at}; reason: ${w.reason})`);
    if (verbose) for (const f of fs) lines.push(`  ~ ${where(f)}: ${f.message}`);
  }
  for (const w of j.expired) {
    lines.push(
      `FAIL expired waiver ${waiverFile}: ${w.at} (${w.tool} ${w.rule}${w.target ? ` ${w.target}` : ''}${w.object ? ` ${w.object}` : ''}) expired on ${w.expires}; ` +
        `fix: fix the finding, or renew "expires" with a reason that still holds`,
    );
  }
  for (const w of j.unused) lines.push(`warning: waiver ${waiverFile}: ${w.at} (${w.tool} ${w.rule}) matched nothing; fix: remove it`);
  const per = Object.entries(counts).map(([t, n]) => `${t} ${n}`).join(', ');
  lines.push(
    `scan-config: ${j.open.length + j.waived.length} findings (${per}), ${j.open.length} open, ${j.waived.length} waived` +
      (j.expired.length ? `, ${j.expired.length} expired waivers` : ''),
  );
  return lines.join('\n');
}
