import type { ImportEntry } from './report';

type Obj = Record<string, any>;

const kebab = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'value';

/**
 * Shared values stay shared. Compose services that set one secret variable to the same value
 * (SECRET_KEY in api and worker, Airflow's FERNET_KEY in 7 services) read one secret: one
 * `{ secret, key }` that every one of them references (one Kubernetes Secret key, one compose host
 * variable), so nobody has to keep copies equal by hand. The same name with different values
 * stays one secret per service, with a line saying so. Mutates `services` and `report`.
 */
export function shareSecrets(services: Obj[], report: ImportEntry[], stackName: string): void {
  const byVar = new Map<string, Obj[]>();
  for (const s of services) for (const k of Object.keys(s.secrets ?? {})) byVar.set(k, [...(byVar.get(k) ?? []), s]);
  const names = new Set(services.map((s) => s.name as string));
  const sharedSecret = `${kebab(stackName)}-${names.has('shared') ? 'shared-values' : 'shared'}`;
  // The line the import wrote for a service's secret, wherever the variable came from (environment,
  // or an env_file at services.<s>.env_file[i].<K>) and whatever the service was renamed to.
  const lineOf = (s: Obj, k: string) => {
    const said = `secret "${s.secrets[k].secret}" key "${s.secrets[k].key}"`;
    return { said, i: report.findIndex((e) => e.path.endsWith(`.${k}`) && e.message.includes(said)) };
  };
  for (const [k, users] of byVar) {
    if (users.length < 2) continue;
    const list = users.map((s) => s.name as string).join(', ');
    const values = new Set(users.map((s) => JSON.stringify(s.secrets[k].localDefault ?? null)));
    if (values.size > 1) {
      for (const s of users) {
        const { i } = lineOf(s, k);
        report.push({ path: i >= 0 ? report[i].path : `services.${s.name}.environment.${k}`, status: 'decision', message: `services ${list} set ${k} to different values: kept as separate secrets (this one is secret "${s.secrets[k].secret}" key "${s.secrets[k].key}"); if they must be equal, point them at one secret key` });
      }
      continue;
    }
    const ref = { ...users[0].secrets[k], secret: sharedSecret, key: kebab(k) };
    for (const s of users) {
      const { said, i } = lineOf(s, k);
      s.secrets = { ...s.secrets, [k]: ref };
      const path = `services.${s.name}.environment.${k}`;
      const shared = `one secret "${ref.secret}" key "${ref.key}", which services ${list} all reference (they set it to the same value in compose)`;
      if (i >= 0) report[i] = { ...report[i], message: report[i].message.replace(said, shared) };
      else report.push({ path, status: 'decision', message: `a secret: imported as a reference to ${shared}` });
    }
  }
}
