import { spawnSync } from 'node:child_process';
import type { Finding } from './findings';

interface KubeScoreObject {
  readonly object_name: string;
  readonly type_meta: { readonly kind: string };
  readonly object_meta: { readonly name?: string; readonly namespace?: string };
  readonly file_name: string;
  readonly checks: ReadonlyArray<{
    readonly check: { readonly id: string; readonly name: string };
    readonly grade: number;
    readonly skipped: boolean;
    readonly comments: ReadonlyArray<{ readonly path: string; readonly summary: string; readonly description: string }> | null;
  }>;
}

/** kube-score's grades: 1 CRITICAL, 5 WARNING, 7 almost OK, 10 OK. CRITICAL and WARNING are findings. */
const FINDING_GRADE = 5;

/**
 * kube-score on one `kubectl apply` set (an environment's folder): its cross-object checks
 * (Service selectors, NetworkPolicies, PDBs) see exactly the objects that are applied together.
 */
export function runKubeScore(bin: string, files: readonly string[], cwd: string, display: (file: string) => string): Finding[] {
  // `kube-score/ignore` annotations (which a spec's annotations could carry onto any object)
  // would switch checks off with no reason or expiry: only the waivers file may waive.
  const r = spawnSync(bin, ['score', '--output-format', 'json', '--kubernetes-version', 'v1.33', '--disable-ignore-checks-annotations', ...files], { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  // It exits 1 when it grades something CRITICAL; anything else, or no JSON, is a failure to run.
  let objects: KubeScoreObject[];
  try {
    if (r.status !== 0 && r.status !== 1) throw new Error();
    objects = JSON.parse(r.stdout) as KubeScoreObject[];
  } catch {
    throw new Error(`kube-score failed on ${files.map(display).join(' ')} (exit ${r.status ?? r.signal}): ${(r.stderr || r.stdout).trim().slice(0, 2000)}`);
  }
  const out: Finding[] = [];
  for (const o of objects) {
    const ns = o.object_meta.namespace ?? 'default';
    const object = `${o.type_meta.kind}/${ns}/${o.object_meta.name ?? o.object_name}`;
    for (const c of o.checks) {
      if (c.skipped || c.grade > FINDING_GRADE) continue;
      const comments = c.comments?.length ? c.comments : [{ path: '', summary: c.check.name, description: '' }];
      for (const m of comments) {
        out.push({
          tool: 'kube-score',
          rule: c.check.id,
          file: display(o.file_name),
          object,
          message: `${m.path ? `(${m.path}) ` : ''}${m.summary}${m.description ? `: ${m.description}` : ''}`,
        });
      }
    }
  }
  return out;
}
