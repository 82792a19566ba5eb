import type { Rule, RuleOutcome } from './types';
import type { Waiver } from './waivers';

export interface RunResult {
  readonly outcomes: RuleOutcome[];
  readonly unusedWaivers: Waiver[];
  readonly violationCount: number;
}

export function runRules<I>(rules: ReadonlyArray<Rule<I>>, input: I, waivers: readonly Waiver[] = []): RunResult {
  const used = new Set<Waiver>();
  const outcomes = rules.map((rule): RuleOutcome => {
    const outcome: RuleOutcome = { rule: rule as Rule<unknown>, violations: [], waived: [] };
    for (const violation of rule.check(input)) {
      const waiver = waivers.find((w) => w.rule === violation.rule && w.object === violation.object);
      if (waiver) {
        used.add(waiver);
        outcome.waived.push({ violation, reason: waiver.reason });
      } else {
        outcome.violations.push(violation);
      }
    }
    return outcome;
  });
  const ids = new Set(rules.map((r) => r.id));
  return {
    outcomes,
    unusedWaivers: waivers.filter((w) => ids.has(w.rule) && !used.has(w)),
    violationCount: outcomes.reduce((n, o) => n + o.violations.length, 0),
  };
}

export function formatResult(gate: string, result: RunResult): string {
  const lines: string[] = [];
  for (const { rule, violations, waived } of result.outcomes) {
    const status = violations.length > 0 ? 'FAIL' : 'PASS';
    const waivedNote = waived.length > 0 ? ` (${waived.length} waived)` : '';
    lines.push(`${status} ${rule.id}: ${rule.description}${waivedNote}`);
    for (const v of violations) lines.push(`  - ${v.message}`);
    for (const w of waived) lines.push(`  ~ WAIVED ${w.violation.message} (reason: ${w.reason})`);
  }
  for (const w of result.unusedWaivers) {
    lines.push(`warning: waiver ${w.rule} ${w.object} matched nothing; fix: remove it from the waivers file`);
  }
  const waivedTotal = result.outcomes.reduce((n, o) => n + o.waived.length, 0);
  lines.push(
    `${gate}: ${result.outcomes.length} rules, ${result.violationCount} violations` +
      (waivedTotal > 0 ? `, ${waivedTotal} waived` : ''),
  );
  return lines.join('\n');
}
