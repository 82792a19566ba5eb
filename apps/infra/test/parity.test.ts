import { parse } from 'yaml';
import { kubeObjects, renderCase } from './support';

/** What each target says about a service, reduced to the facts both must agree on. */
interface Facts {
  image: string;
  ports: number[];
  env: string[];
  secrets: string[];
  health: string;
  dependsOn: string[];
}

function composeFacts(name: string): Record<string, Facts> {
  const doc = parse(renderCase(name).find((f) => f.path === 'docker/docker-compose.yml')!.content);
  const out: Record<string, Facts> = {};
  for (const [svc, s] of Object.entries<any>(doc.services)) {
    if (s.labels['app.kubernetes.io/component'] === 'migration') continue;
    const env = Object.entries<string>(s.environment ?? {});
    out[svc] = {
      image: s.image.split(':').pop(),
      ports: (s.ports ?? []).map((p: string) => Number(p.split(':').pop())),
      env: env.filter(([, v]) => !v.startsWith('${')).map(([k]) => k).sort(),
      secrets: env.filter(([, v]) => v.startsWith('${')).map(([k]) => k).sort(),
      health: JSON.stringify(s.healthcheck.test.slice(1)),
      dependsOn: Object.keys(s.depends_on ?? {}).filter((d) => !d.endsWith('-migrate')).sort(),
    };
  }
  return out;
}

function kubeFacts(name: string, env: string, composeHealth: Record<string, string>): Record<string, Facts> {
  const objects = kubeObjects(renderCase(name)).filter((o) => o.file.includes(`/${env}/`)).map((o) => o.object);
  const out: Record<string, Facts> = {};
  for (const w of objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')) {
    const svc = w.metadata.name;
    const c = w.spec.template.spec.containers[0];
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === c.envFrom?.[0]?.configMapRef.name);
    const probe = c.readinessProbe;
    // The same check, as compose must run it inside the container.
    const health = probe.exec ? JSON.stringify(probe.exec.command) : `${probe.httpGet.path}@${probe.httpGet.port}`;
    const allow = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === `allow-${svc}`)!;
    out[svc] = {
      image: c.image.split(':').pop(),
      ports: (c.ports ?? []).map((p: any) => p.containerPort),
      env: Object.keys(cm?.data ?? {}).sort(),
      secrets: (c.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => e.name).sort(),
      health: probe.exec ? health : composeHealth[svc].includes(`http://127.0.0.1:${probe.httpGet.port}${probe.httpGet.path}'`) ? composeHealth[svc] : health,
      dependsOn: (allow.spec.egress ?? []).flatMap((r: any) => r.to.map((t: any) => t.podSelector?.matchLabels['app.kubernetes.io/name'])).filter(Boolean).sort(),
    };
  }
  return out;
}

describe.each([
  ['todo', 'minikube'],
  ['todo', 'production'],
  ['shop', 'staging'],
  ['shop', 'production'],
])('%s: compose and Kubernetes (%s) agree service by service', (name, env) => {
  const compose = composeFacts(name);
  const health = Object.fromEntries(Object.entries(compose).map(([k, v]) => [k, v.health]));
  const kube = kubeFacts(name, env, health);

  it('on the set of services', () => {
    expect(Object.keys(kube).sort()).toEqual(Object.keys(compose).sort());
  });

  it.each(Object.keys(compose))('on %s: image tag, ports, env names, secret names, health check and dependencies', (svc) => {
    const k = kube[svc];
    const c = compose[svc];
    // compose publishes only some ports; each published one must be a container port.
    for (const p of c.ports) expect(k.ports).toContain(p);
    expect({ ...k, ports: undefined }).toEqual({ ...c, ports: undefined });
  });
});
