import { hasHealthCheck, type ServiceSpec } from '@todo/service-spec';
import type { ImportEntry } from './report';
import { parseVolume } from './compose-parse';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Drops the report's lines at `path` that `keep` refuses (a line that said "mapped" for what is now changed). */
function drop(report: ImportEntry[], keep: (e: ImportEntry) => boolean): void {
  for (let i = report.length - 1; i >= 0; i--) if (!keep(report[i])) report.splice(i, 1);
}

/**
 * A service others wait for with service_completed_successfully is imported as a one-shot job,
 * and a job is refused what a long-running service has: ports, health checks, replicas, restart
 * "always", volume claims and the "database" role (libs/service-spec validate-service.ts). Each
 * is dropped or changed here, with a line at the compose field saying what changed and why; the
 * lines that called the field mapped are replaced. Mutates the job services and the report.
 */
export function fitJobs(services: Obj[], doc: Obj, report: ImportEntry[], composeName: (specName: string) => string): void {
  const note = (path: string, message: string) => report.push({ path, status: 'decision', message });
  for (const s of services.filter((x) => x.job)) {
    const name = composeName(s.name);
    const p = `services.${name}`;
    const c: Obj = isObj(doc.services?.[name]) ? doc.services[name] : {};
    if (s.role === 'database') {
      s.role = 'worker';
      drop(report, (e) => !(e.path === p && e.message.startsWith('role "database"')));
      note(p, 'looks like a database, but it runs once as a job: imported with role "worker" (a job cannot have role "database", a long-running StatefulSet)');
    }
    if (s.replicas !== undefined) {
      const at = `${p}.deploy.replicas`;
      drop(report, (e) => !(e.path === at && e.status === 'mapped'));
      note(at, `${s.replicas} replicas dropped: it runs once as a job (compose ran ${s.replicas} copies to completion; the spec runs one)`);
      delete s.replicas;
    }
    if ((s.ports ?? []).length) {
      const fields = report.filter((e) => e.status === 'mapped' && new RegExp(`^${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(ports|expose)\\[\\d+\\]$`).test(e.path)).map((e) => e.path);
      const paths = [...new Set(fields)];
      drop(report, (e) => !(e.status === 'mapped' && paths.includes(e.path)));
      for (const at of paths.length ? paths : [`${p}.ports`]) note(at, 'port dropped: the service runs once as a job, which serves nothing (no Service in Kubernetes, nothing published by compose); if others reach it, it is not a one-shot job: remove the service_completed_successfully wait');
      delete s.ports;
    }
    if (hasHealthCheck(s as ServiceSpec)) {
      const at = `${p}.healthcheck`;
      drop(report, (e) => !(e.status === 'mapped' && (e.path === at || e.path.startsWith(`${at}.`))));
      note(at, 'health check dropped: the service runs once as a job, which is not probed (dependents wait for it to complete)');
      delete s.health;
    }
    if (s.restart === 'always') {
      const at = `${p}.restart`;
      drop(report, (e) => e.path !== at);
      note(at, `"${c.restart}" would restart the job after it completes; a job cannot restart "always": imported as "on-failure" (it reruns only when it fails)`);
      s.restart = 'on-failure';
    }
    if ((s.volumes ?? []).length) {
      const list: unknown[] = Array.isArray(c.volumes) ? c.volumes : [];
      for (const v of s.volumes as Obj[]) {
        const i = list.findIndex((raw) => {
          const parsed = parseVolume(raw);
          return typeof parsed !== 'string' && parsed.target === v.mountPath;
        });
        const at = i >= 0 ? `${p}.volumes[${i}]` : `${p}.volumes`;
        drop(report, (e) => !(e.path === at && (e.message.startsWith('named volume') || e.message.startsWith('Kubernetes claims'))));
        note(at, `a job cannot claim a persistent volume: volume "${v.name}" at ${v.mountPath} imported as a writable path (an emptyDir in Kubernetes, a tmpfs in compose), so what the job writes there is not kept and it does not see data other services keep in that volume; if they share data, write it to a service that keeps the volume`);
        if (!(s.writablePaths ?? []).includes(v.mountPath)) s.writablePaths = [...(s.writablePaths ?? []), v.mountPath];
      }
      delete s.volumes;
    }
  }
}

/**
 * Conditions the spec refuses once jobs and health checks are known: a wait for a job is
 * "completed" (compose's service_started or service_healthy on a one-shot service), and a wait for
 * "healthy" on a service with no health check the spec can see is "started". Each changed
 * condition gets a line at the compose depends_on entry (or links, when the dependency came from a
 * link), replacing the line that called it mapped.
 */
export function fitConditions(services: Obj[], doc: Obj, report: ImportEntry[], composeName: (specName: string) => string): void {
  const byName = new Map(services.map((s) => [s.name, s]));
  for (const s of services) {
    const name = composeName(s.name);
    const c: Obj = isObj(doc.services?.[name]) ? doc.services[name] : {};
    for (const dep of (s.dependsOn ?? []) as Obj[]) {
      const t = byName.get(dep.service);
      if (!t) continue;
      const tn = composeName(t.name);
      const inDepends = Array.isArray(c.depends_on) ? c.depends_on.map(String).includes(tn) : isObj(c.depends_on) && tn in c.depends_on;
      const at = inDepends ? `services.${name}.depends_on.${tn}` : `services.${name}.links`;
      const was = dep.condition;
      let message: string | undefined;
      if (t.job && was !== 'completed') {
        dep.condition = 'completed';
        message = `"${tn}" runs once as a job (another service waits for it to complete), and the spec waits for a job only until it completes: imported as "completed" where compose waited until ${was}; remove the dependency if ${name} need not wait for ${tn} to finish`;
      } else if (!t.job && was === 'healthy' && !hasHealthCheck(t as ServiceSpec)) {
        dep.condition = 'started';
        message = `"${tn}" has no health check the spec carries (none in compose, or one disabled), so the spec cannot wait for "healthy" (the image's own HEALTHCHECK may exist, but the spec cannot see it): imported as "started", so ${name} may start before ${tn} is ready; add a healthcheck to ${tn} to keep waiting for healthy`;
      }
      if (!message) continue;
      drop(report, (e) => !(e.path === at && e.status === 'mapped' && e.message.startsWith('waits until')));
      report.push({ path: at, status: 'decision', message });
    }
  }
}
