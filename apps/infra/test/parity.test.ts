import { parse } from 'yaml';
import { renderOutputs } from '../src/outputs';
import { fixtureTags, kubeObjects, loadCase, renderCase } from './support';

/** What each target says about a service, reduced to the facts both must agree on. */
interface Facts {
  image: string;
  entrypoint?: string[];
  command?: string[];
  ports: number[];
  env: string[];
  secrets: string[];
  health: string;
  /** Services it can reach: compose networks, NetworkPolicy egress. */
  reaches: string[];
  readOnly: boolean;
  user: string;
  resources: string;
  writablePaths: string[];
  volumes: string[];
  files: string[];
  labels: string[];
}

const unescape = (v: string[] | undefined) => v?.map((x) => x.replace(/\$\$/g, '$'));

/**
 * What the kubelet hands the process for a command, argument or env value
 * (k8s.io/kubernetes third_party/forked/golang/expansion): `$$` becomes `$`,
 * `$(NAME)` becomes the variable's value when it is known and stays as written
 * when not, an unclosed `$(` and any other `$x` stay as written.
 */
function kubeletExpand(input: string, vars: Readonly<Record<string, string>>): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    if (input[i] !== '$' || i + 1 >= input.length) {
      out += input[i++];
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(' && input.indexOf(')', i + 2) >= 0) {
      const end = input.indexOf(')', i + 2);
      const name = input.slice(i + 2, end);
      out += name in vars ? vars[name] : `$(${name})`;
      i = end + 1;
    } else {
      out += `$${next}`;
      i += 2;
    }
  }
  return out;
}
const kubelet = (v: string[] | undefined, vars: Readonly<Record<string, string>>) => v?.map((x) => kubeletExpand(x, vars));
const OWN = /^app\.kubernetes\.io\//;

function composeFacts(name: string): Record<string, Facts> {
  const doc = parse(renderCase(name).find((f) => f.path === 'docker/docker-compose.yml')!.content);
  const out: Record<string, Facts> = {};
  for (const [svc, s] of Object.entries<any>(doc.services)) {
    if (s.labels['app.kubernetes.io/component'] === 'migration') continue;
    const env = Object.entries<string>(s.environment ?? {});
    const mounts: any[] = s.volumes ?? [];
    out[svc] = {
      image: s.image.split(':').pop(),
      entrypoint: unescape(s.entrypoint),
      command: unescape(s.command),
      ports: (s.ports ?? []).map((p: string) => Number(p.split(':').pop())),
      env: env.filter(([, v]) => !v.startsWith('${')).map(([k]) => k).sort(),
      secrets: env.filter(([, v]) => v.startsWith('${')).map(([k]) => k).sort(),
      health: s.healthcheck ? JSON.stringify(unescape(s.healthcheck.test.slice(1))) : 'none',
      reaches: (s.networks ?? []).filter((n: string) => n !== `${svc}-net`).map((n: string) => n.replace(/-net$/, '')).sort(),
      readOnly: s.read_only,
      user: s.user,
      resources: `cpu<=${Math.round(s.cpus * 1000)}m mem=${s.mem_reservation}..${s.mem_limit}`,
      writablePaths: (s.tmpfs ?? []).map((t: string) => t.split(':')[0]).sort(),
      volumes: mounts.filter((m) => m.type === 'volume').map((m) => m.target).sort(),
      files: mounts.filter((m) => m.type === 'bind' && m.read_only).map((m) => m.target).sort(),
      labels: Object.keys(s.labels).filter((k) => !OWN.test(k)).sort(),
    };
  }
  return out;
}

const cpuMillis = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);
const mebibytes = (q: string) => `${q.endsWith('Gi') ? Number(q.slice(0, -2)) * 1024 : Number(q.replace(/Mi$/, ''))}m`;

function kubeFacts(name: string, env: string, composeHealth: Record<string, string>): Record<string, Facts> {
  const objects = kubeObjects(renderCase(name)).filter((o) => o.file.includes(`/${env}/`)).map((o) => o.object);
  const out: Record<string, Facts> = {};
  for (const w of objects.filter((o) => ['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(o.kind))) {
    const svc = w.metadata.name;
    const template = w.kind === 'CronJob' ? w.spec.jobTemplate.spec.template : w.spec.template;
    const pod = template.spec;
    const c = pod.containers[0];
    const cm = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === c.envFrom?.[0]?.configMapRef.name);
    const probe = c.readinessProbe;
    // The same check, as compose must run it inside the container.
    // Exec probes are expanded with the container's own `env` values only (ExpandContainerCommandOnlyStatic).
    const staticEnv = Object.fromEntries((c.env ?? []).filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]));
    const health = !probe ? 'none' : probe.exec ? JSON.stringify(kubelet(probe.exec.command, staticEnv)) : `${probe.httpGet ? `${probe.httpGet.path}@${probe.httpGet.port}` : `tcp@${probe.tcpSocket.port}`}`;
    const allow = objects.find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === `allow-${svc}`)!;
    const volumeKind = (mount: any) => {
      const v = (pod.volumes ?? []).find((x: any) => x.name === mount.name);
      if (!v) return (w.spec.volumeClaimTemplates ?? []).some((t: any) => t.metadata.name === mount.name) ? 'claim' : 'unknown';
      return v.persistentVolumeClaim ? 'claim' : v.emptyDir ? 'writable' : v.configMap || v.secret ? 'file' : 'unknown';
    };
    const mounts: any[] = c.volumeMounts ?? [];
    const r = c.resources;
    out[svc] = {
      image: c.image.split(':').pop(),
      entrypoint: kubelet(c.command, { ...(cm?.data ?? {}), ...staticEnv }),
      command: kubelet(c.args, { ...(cm?.data ?? {}), ...staticEnv }),
      ports: (c.ports ?? []).map((p: any) => p.containerPort),
      env: Object.keys(cm?.data ?? {}).sort(),
      secrets: (c.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => e.name).sort(),
      health: !probe || probe.exec ? health : composeHealth[svc]?.includes(`127.0.0.1`) && composeHealth[svc].includes(String(probe.httpGet?.port ?? probe.tcpSocket?.port)) ? composeHealth[svc] : health,
      reaches: (allow.spec.egress ?? []).flatMap((rule: any) => rule.to.map((t: any) => t.podSelector?.matchLabels['app.kubernetes.io/name'])).filter(Boolean).sort(),
      readOnly: c.securityContext.readOnlyRootFilesystem,
      user: `${c.securityContext.runAsUser}:${c.securityContext.runAsGroup}`,
      resources: `cpu<=${cpuMillis(r.limits.cpu)}m mem=${mebibytes(r.requests.memory)}..${mebibytes(r.limits.memory)}`,
      writablePaths: mounts.filter((m) => volumeKind(m) === 'writable').map((m) => m.mountPath).sort(),
      volumes: mounts.filter((m) => volumeKind(m) === 'claim').map((m) => m.mountPath).sort(),
      files: mounts.filter((m) => volumeKind(m) === 'file' && m.readOnly).map((m) => m.mountPath).sort(),
      labels: [...Object.keys(template.metadata.labels ?? {}), ...Object.keys(template.metadata.annotations ?? {})].filter((k) => !OWN.test(k) && k !== 'todo.dev/config-hash').sort(),
    };
  }
  return out;
}

describe.each([
  ['todo', 'minikube'],
  ['todo', 'production'],
  ['shop', 'staging'],
  ['shop', 'production'],
  ['features', 'staging'],
  ...['express-bull', 'gitea-postgres', 'nextcloud', 'nginx-flask-mysql', 'prometheus-grafana', 'voting-app'].map((name) => [name, 'production']),
])('%s: compose and Kubernetes (%s) agree service by service', (name, env) => {
  const compose = composeFacts(name);
  const health = Object.fromEntries(Object.entries(compose).map(([k, v]) => [k, v.health]));
  const kube = kubeFacts(name, env, health);

  it('on the set of services', () => {
    expect(Object.keys(kube).sort()).toEqual(Object.keys(compose).sort());
  });

  const spec = loadCase(name);
  const parity = renderOutputs(spec, fixtureTags(spec)).warnings.filter((w) => w.target === 'compose').map((w) => w.path);

  it.each(Object.keys(compose))('on %s: image, entrypoint and arguments, ports, env, secrets, health, network edges, read-only root, user, resources, writable paths, volumes, files, labels', (svc) => {
    const k = kube[svc];
    const c = compose[svc];
    // compose publishes only some ports; each published one must be a container port.
    for (const p of c.ports) expect(k.ports).toContain(p);
    // Environment overrides may change resources per environment; compose renders the compose environment's.
    const sameResources = env === 'minikube' || env === 'staging';
    // An HTTP/TCP check compose cannot run in the image is a parity line, not a silent difference.
    if (c.health === 'none' && k.health !== 'none') {
      expect(parity).toContain(`services.${svc}.health.composeCommand`);
      k.health = 'none';
    }
    expect({ ...k, ports: undefined, resources: sameResources ? k.resources : undefined }).toEqual({ ...c, ports: undefined, resources: sameResources ? c.resources : undefined });
  });
});

describe('$(VAR) and $$ reach the process as written, on both targets', () => {
  const spec: any = {
    name: 'dollars',
    services: [
      {
        name: 'app',
        role: 'worker',
        image: { ref: 'example/app:1.0' },
        env: { PORT: '8080', TEXT: 'x$(PORT)y$$(PORT)z$HOME' },
        entrypoint: ['sh', '-c', 'echo "$(PORT)" "$$(PORT)" "$HOME" "$$"', '--'],
        command: ['$(PORT)', '$$(PORT)', '$', 'a$$$b'],
        health: { liveness: { exec: { command: ['test', '$(PORT)', '$$(PORT)'] } } },
      },
    ],
    environments: { k: { target: 'kubernetes' }, c: { target: 'compose' } },
  };
  const files = renderOutputs(spec, {}).files;
  const compose = parse(files.find((f) => f.path === 'docker/docker-compose.c.yml')!.content).services.app;
  const kube: any[] = kubeObjects(files).map((o) => o.object);
  const c = kube.find((o) => o.kind === 'Deployment').spec.template.spec.containers[0];
  const env = kube.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'app-env').data;
  const app = spec.services[0];

  it('renders the escapes each target needs', () => {
    // Only a `$` before `$` or `(` is doubled: `$HOME` and a last `$` are no kubelet syntax.
    expect(c.command).toEqual(['sh', '-c', 'echo "$$(PORT)" "$$$$(PORT)" "$HOME" "$$$"', '--']);
    expect(c.args).toEqual(['$$(PORT)', '$$$$(PORT)', '$', 'a$$$$$b']);
    expect(c.livenessProbe.exec.command).toEqual(['test', '$$(PORT)', '$$$$(PORT)']);
    expect(env.TEXT).toBe('x$(PORT)y$$(PORT)z$HOME');
    expect(compose.entrypoint).toEqual(['sh', '-c', 'echo "$$(PORT)" "$$$$(PORT)" "$$HOME" "$$$$"', '--']);
    expect(compose.command).toEqual(['$$(PORT)', '$$$$(PORT)', '$$', 'a$$$$$$b']);
    expect(compose.environment.TEXT).toBe('x$$(PORT)y$$$$(PORT)z$$HOME');
  });

  it('so the process gets the spec text from the kubelet (which knows PORT) and from compose alike', () => {
    const vars = { ...env };
    expect(kubelet(c.command, vars)).toEqual(app.entrypoint);
    expect(kubelet(c.args, vars)).toEqual(app.command);
    expect(kubelet(c.livenessProbe.exec.command, {})).toEqual(app.health.liveness.exec.command);
    // envFrom values are not expanded by the kubelet.
    expect(env.TEXT).toBe(app.env.TEXT);
    expect(unescape(compose.entrypoint)).toEqual(app.entrypoint);
    expect(unescape(compose.command)).toEqual(app.command);
    expect(unescape([compose.environment.TEXT])).toEqual([app.env.TEXT]);
  });
});
