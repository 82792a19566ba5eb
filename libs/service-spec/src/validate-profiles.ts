import type { SpecIssue } from './errors';
import { dependencyName } from './resolve-helpers';
import type { ServiceSpec, StackSpec } from './types';

/** Compose's profile name grammar (compose-spec: `^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`, one character allowed as compose accepts it). */
const PROFILE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Whether the service runs in an environment: it has no profiles, or the environment enables one of them. */
export function runsIn(s: ServiceSpec, enabled: readonly string[] | undefined): boolean {
  const profiles = s.profiles ?? [];
  return profiles.length === 0 || profiles.some((p) => (enabled ?? []).includes(p));
}

const list = (profiles: readonly string[]) => profiles.map((p) => `"${p}"`).join(', ');

function checkNames(profiles: readonly string[], path: string, out: SpecIssue[]): void {
  profiles.forEach((name, i) => {
    if (!PROFILE.test(name)) out.push({ path: `${path}[${i}]`, message: `"${name}" is not a compose profile name (letters, digits, and "_", "." or "-" after the first character)` });
    else if (profiles.indexOf(name) !== i) out.push({ path: `${path}[${i}]`, message: `"${name}" is listed twice` });
  });
}

/**
 * Profiles: names compose accepts; no service that runs more often than a profiled one waits
 * for it or talks to it (compose refuses to start it while the profile is off, and Kubernetes
 * scales the target to 0 under it); an environment enables only profiles some service has,
 * and does not scale (autoscaling, replicas) a service it leaves at 0.
 */
export function checkProfiles(spec: StackSpec, out: SpecIssue[]): void {
  const byName = new Map(spec.services.map((s) => [s.name, s]));
  const declared = new Set(spec.services.flatMap((s) => s.profiles ?? []));
  for (const s of spec.services) {
    const p = `services.${s.name}`;
    checkNames(s.profiles ?? [], `${p}.profiles`, out);
    const mine = s.profiles ?? [];
    const edge = (target: string, path: string, verb: string) => {
      const t = byName.get(target);
      const theirs = t?.profiles ?? [];
      if (!t || t === s || theirs.length === 0) return;
      if (mine.length && mine.every((x) => theirs.includes(x))) return;
      const runs = mine.length ? `runs with profile(s) ${list(mine.filter((x) => !theirs.includes(x)))}, which do not start "${target}"` : 'runs without a profile';
      out.push({
        path,
        message: `"${s.name}" ${verb} "${target}", which runs only with profile(s) ${list(theirs)}; "${s.name}" ${runs}: compose refuses to start "${s.name}" while "${target}" is disabled, and Kubernetes scales "${target}" to 0; fix: give "${s.name}" profiles among ${list(theirs)}, or remove the profiles of "${target}"`,
      });
    };
    (s.dependsOn ?? []).forEach((d, i) => edge(dependencyName(d), `${p}.dependsOn[${i}]`, 'depends on'));
    (s.talksTo ?? []).forEach((t, i) => edge(t, `${p}.talksTo[${i}]`, 'talks to'));
  }
  for (const [envName, env] of Object.entries(spec.environments)) {
    const ep = `environments.${envName}`;
    checkNames(env.profiles ?? [], `${ep}.profiles`, out);
    (env.profiles ?? []).forEach((name, i) => {
      if (PROFILE.test(name) && !declared.has(name)) out.push({ path: `${ep}.profiles[${i}]`, message: `no service has profile "${name}"${declared.size ? ` (profiles: ${list([...declared].sort())})` : ''}; fix: correct the name or remove it` });
    });
    for (const [svc, o] of Object.entries(env.services ?? {})) {
      const s = byName.get(svc);
      if (!s || runsIn(s, env.profiles)) continue;
      const why = `"${svc}" runs only with profile(s) ${list(s.profiles ?? [])}, which environment "${envName}" does not enable, so it is scaled to 0 there`;
      const fix = `fix: enable one in ${ep}.profiles, or remove this setting`;
      if (o.autoscaling) out.push({ path: `${ep}.services.${svc}.autoscaling`, message: `${why}: a HorizontalPodAutoscaler would scale it up; ${fix}` });
      if (o.replicas !== undefined) out.push({ path: `${ep}.services.${svc}.replicas`, message: `${why}: ${o.replicas} replicas would not apply; ${fix}` });
    }
  }
}
