import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Finding } from './findings';

const INLINE_IGNORE = /trivy:ignore/i;

/** The environment without TRIVY_* settings (e.g. TRIVY_IGNOREFILE, TRIVY_SEVERITY) a caller's shell could carry. */
function withoutTrivyEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('TRIVY_')));
}

interface TrivyReport {
  readonly Results?: ReadonlyArray<{
    readonly Target: string;
    readonly Misconfigurations?: ReadonlyArray<{
      readonly ID: string;
      readonly Title: string;
      readonly Message: string;
      readonly Severity: string;
      readonly Status: string;
      readonly CauseMetadata?: { readonly StartLine?: number };
    }>;
  }>;
}

/**
 * `trivy config` with the checks embedded in the binary (`--skip-check-update`: nothing is
 * downloaded), once over every file: each is copied into a folder of its own in a scratch
 * tree, named as trivy needs to recognise it (Dockerfile, *.yaml), and mapped back.
 */
export function runTrivyConfig(bin: string, files: readonly string[], display: (file: string) => string): Finding[] {
  if (files.length === 0) return [];
  const scratch = mkdtempSync(join(tmpdir(), 'scan-config-'));
  try {
    const origin = new Map<string, string>();
    const inline: Finding[] = [];
    files.forEach((f, i) => {
      const rel = `${i}/${basename(f)}`;
      mkdirSync(join(scratch, String(i)));
      // An inline `trivy:ignore:<id>` comment would waive a check with no reason or expiry: the
      // copy trivy reads has it disarmed, and the comment itself is a finding.
      const text = readFileSync(f, 'utf8');
      const lines = text.split('\n');
      lines.forEach((l, n) => {
        if (INLINE_IGNORE.test(l)) inline.push({ tool: 'trivy', rule: 'inline-ignore', file: display(f), message: `line ${n + 1}: a trivy:ignore comment waives checks in the file itself; remove it and waive the finding in libs/policy/waivers.json, with a reason and an expiry` });
      });
      writeFileSync(join(scratch, rel), text.replace(new RegExp(INLINE_IGNORE.source, 'gi'), 'trivy-ignore-disarmed'));
      origin.set(rel, f);
    });
    // Run in the scratch folder, with an empty ignore file and no TRIVY_* settings: a
    // .trivyignore or trivy.yaml in the caller's folder must not change what is checked.
    mkdirSync(join(scratch, '.cache'));
    writeFileSync(join(scratch, '.cache', 'ignore-nothing'), '');
    const r = spawnSync(
      bin,
      ['config', '--skip-check-update', '--quiet', '--format', 'json', '--exit-code', '0', '--cache-dir', join(scratch, '.cache'), '--skip-dirs', '.cache',
        '--ignorefile', join(scratch, '.cache', 'ignore-nothing'), scratch],
      { cwd: scratch, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...withoutTrivyEnv(process.env), TRIVY_NO_PROGRESS: 'true', TRIVY_DISABLE_TELEMETRY: 'true', TRIVY_SKIP_VERSION_CHECK: 'true' } },
    );
    let report: TrivyReport;
    try {
      if (r.status !== 0) throw new Error();
      report = JSON.parse(r.stdout) as TrivyReport;
    } catch {
      throw new Error(`trivy config failed (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim().slice(0, 2000)}`);
    }
    const out: Finding[] = [...inline];
    for (const res of report.Results ?? []) {
      const file = origin.get(res.Target);
      for (const m of res.Misconfigurations ?? []) {
        if (m.Status !== 'FAIL') continue;
        const line = m.CauseMetadata?.StartLine ? `line ${m.CauseMetadata.StartLine}: ` : '';
        out.push({ tool: 'trivy', rule: m.ID, file: display(file ?? res.Target), message: `${line}[${m.Severity}] ${m.Message || m.Title}` });
      }
    }
    return out;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
