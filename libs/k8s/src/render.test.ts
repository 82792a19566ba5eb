import { resolve, type StackSpec } from '@todo/service-spec';
import { kubernetesWarnings } from './warnings';
import { renderKubernetes } from './render';
import { PRE_STOP_SLEEP_SECONDS, writableVolumeName } from './workload';

const spec: StackSpec = {
  name: 'mini',
  services: [
    { name: 'db', role: 'database', image: { ref: 'postgres:16-alpine' }, ports: [{ name: 'pg', port: 5432 }], health: { liveness: { exec: { command: ['pg_isready'] } } }, volumes: [{ name: 'data', mountPath: '/data', sizeGiB: 3 }], user: { uid: 70, gid: 70 } },
    { name: 'worker', role: 'worker', image: { ref: 'example/worker:1.0' }, health: { liveness: { exec: { command: ['true'] } } }, dependsOn: ['db'] },
  ],
  environments: { k: { target: 'kubernetes' }, c: { target: 'compose' } },
};

const objects = (env = 'k') => renderKubernetes(resolve(spec, env)).flatMap((f) => f.objects as any[]);

describe('renderKubernetes', () => {
  it('numbers files so the namespace comes first and dependencies before dependents', () => {
    expect(renderKubernetes(resolve(spec, 'k')).map((f) => f.name)).toEqual(['00-namespace.yaml', '10-network-policies.yaml', '20-db.yaml', '30-worker.yaml']);
  });

  it('refuses a compose environment', () => {
    expect(() => renderKubernetes(resolve(spec, 'c'))).toThrow('environment "c" targets compose, not kubernetes');
  });

  it('gives a worker without ports no Service, and a database a virtual IP for clients plus the headless Service its StatefulSet needs', () => {
    const services = objects().filter((o) => o.kind === 'Service');
    expect(services.map((s) => [s.metadata.name, s.spec.clusterIP])).toEqual([
      ['db', undefined],
      ['db-headless', 'None'],
    ]);
    const set = objects().find((o) => o.kind === 'StatefulSet');
    expect(set.spec.serviceName).toBe('db-headless');
    // Both select the database's pods, by the same labels.
    expect(services[0].spec.selector).toEqual(services[1].spec.selector);
    expect(services[0].spec.selector).toEqual(set.spec.selector.matchLabels);
  });

  it('writes explicit names and selectors without construct-path hashes', () => {
    const text = JSON.stringify(objects());
    expect(text).not.toContain('cdk8s.io/metadata.addr');
    expect(objects().filter((o) => o.metadata).every((o) => /^[a-z0-9-]+$/.test(o.metadata.name))).toBe(true);
  });

  it('gives a Deployment behind a Service a preStop sleep, and nothing else one', () => {
    const web = { name: 'web', role: 'web', image: { ref: 'example/web:1.0' }, ports: [{ name: 'http', port: 8080 }], health: { liveness: { exec: { command: ['true'] } } } } as const;
    const all = renderKubernetes(resolve({ ...spec, services: [...spec.services, web] }, 'k')).flatMap((f) => f.objects as any[]);
    const lifecycle = (name: string) => all.find((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === name).spec.template.spec.containers[0].lifecycle;
    expect(lifecycle('web')).toEqual({ preStop: { sleep: { seconds: PRE_STOP_SLEEP_SECONDS } } });
    expect(PRE_STOP_SLEEP_SECONDS).toBeGreaterThanOrEqual(2);
    // A worker has no Service to leave, and a StatefulSet database is not rolled behind a load.
    expect(lifecycle('worker')).toBeUndefined();
    expect(lifecycle('db')).toBeUndefined();
  });

  it('asks the scheduler to spread the replicas of a workload over nodes, and only when it has more than one', () => {
    const web = { name: 'web', role: 'web', image: { ref: 'example/web:1.0' }, ports: [{ name: 'http', port: 8080 }], replicas: 3 } as const;
    const withWeb = { ...spec, services: [...spec.services, web], environments: { k: { target: 'kubernetes', podDisruptionBudgets: true } } } as const;
    const all = renderKubernetes(resolve(withWeb, 'k')).flatMap((f) => f.objects as any[]);
    const affinity = (name: string) => all.find((o) => ['Deployment', 'StatefulSet'].includes(o.kind) && o.metadata.name === name).spec.template.spec.affinity;
    const dep = all.find((o) => o.kind === 'Deployment' && o.metadata.name === 'web');
    expect(affinity('web')).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: dep.spec.selector.matchLabels } } },
        ],
      },
    });
    expect(affinity('worker')).toBeUndefined();
    expect(affinity('db')).toBeUndefined();
  });

  it('sizes the PVC from the spec', () => {
    const sts = objects().find((o) => o.kind === 'StatefulSet');
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('3Gi');
    expect(sts.spec.template.spec.containers[0].volumeMounts).toEqual([{ mountPath: '/data', name: 'data' }]);
  });

  it('keeps env and file names that are Object properties (constructor, toString) in their ConfigMaps', () => {
    const odd = { constructor: 'a', toString: 'b', __proto__x: 'c', PLAIN: 'd' } as Record<string, string>;
    const env = odd;
    const files = [{ path: '/etc/app/constructor', content: 'f' }];
    const onlyOdd = { name: 'odd', role: 'worker', image: { ref: 'example/odd:1.0' }, env: { toString: 'g' }, health: { liveness: { exec: { command: ['true'] } } } } as const;
    const services = [{ ...spec.services[1], env, files }, onlyOdd];
    const all = renderKubernetes(resolve({ ...spec, services: [spec.services[0], ...services] } as StackSpec, 'k')).flatMap((f) => f.objects as any[]);
    const data = (name: string) => all.find((o) => o.kind === 'ConfigMap' && o.metadata.name === name).data;
    expect(data('worker-env')).toEqual({ constructor: 'a', toString: 'b', __proto__x: 'c', PLAIN: 'd' });
    expect(Object.values(all.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('worker-files')).data)).toEqual(['f']);
    expect(data('odd-env')).toEqual({ toString: 'g' });
  });

  it('sets fsGroup and runAsGroup to the spec gid when it differs from the uid, and probes the named port, not the first one', () => {
    const web = {
      name: 'web',
      role: 'web',
      image: { ref: 'example/web:1.0' },
      ports: [
        { name: 'metrics', port: 9090 },
        { name: 'http', port: 8080 },
      ],
      health: { liveness: { http: { path: '/healthz', port: 'http' } }, readiness: { tcp: { port: 'http' } } },
      user: { uid: 1001, gid: 2002 },
    } as const;
    const all = renderKubernetes(resolve({ ...spec, services: [...spec.services, web] } as StackSpec, 'k')).flatMap((f) => f.objects as any[]);
    const pod = all.find((o) => o.kind === 'Deployment' && o.metadata.name === 'web').spec.template.spec;
    expect(pod.securityContext).toMatchObject({ fsGroup: 2002, runAsUser: 1001, runAsGroup: 2002 });
    const [c] = pod.containers;
    expect(c.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 8080 });
    expect(c.readinessProbe.tcpSocket.port).toBe(8080);
  });

  it('is deterministic', () => {
    expect(JSON.stringify(objects())).toBe(JSON.stringify(objects()));
  });
});

describe('writableVolumeName', () => {
  it.each([
    ['/tmp', 'writable-tmp'],
    ['/app/.next/cache', 'writable-app-next-cache'],
    ['/var/run/postgresql', 'writable-var-run-postgresql'],
    ['/', 'writable-root'],
  ])('%s -> %s', (path, name) => expect(writableVolumeName(path)).toBe(name));
});

describe('kubernetesWarnings', () => {
  it('reports published host ports and local-only secret defaults it cannot express', () => {
    const withPort: StackSpec = {
      ...spec,
      services: [{ ...spec.services[0], ports: [{ name: 'pg', port: 5432, hostPort: 5432 }], secrets: { PW: { secret: 'db', key: 'pw', localDefault: 'x' } } }, spec.services[1]],
    };
    expect(kubernetesWarnings(resolve(withPort, 'k')).map((w) => w.path)).toEqual(['services.db.ports[0].hostPort', 'services.db.secrets.PW.localDefault', 'services.worker.dependsOn.db']);
  });

  it('says that either compose HTTP client is compose-only, and stays quiet for the runtime', () => {
    const withClient = (composeHttpClient: 'runtime' | 'wget' | 'curl'): StackSpec => ({
      ...spec,
      services: [spec.services[0], { name: 'web', role: 'web', image: { ref: 'example/web:1.0' }, ports: [{ name: 'http', port: 80 }], health: { liveness: { http: { path: '/', port: 'http' } }, composeHttpClient } }],
    });
    for (const client of ['wget', 'curl'] as const) {
      const w = kubernetesWarnings(resolve(withClient(client), 'k')).find((x) => x.path === 'services.web.health.composeHttpClient');
      expect(w?.message).toBe(`compose-only: Kubernetes runs the probes themselves, not ${client}`);
    }
    expect(kubernetesWarnings(resolve(withClient('runtime'), 'k')).map((w) => w.path)).not.toContain('services.web.health.composeHttpClient');
  });
});

/** A stack that uses the fields real stacks need, one service per concern. */
const wide: StackSpec = {
  name: 'wide',
  services: [
    {
      name: 'db',
      role: 'database',
      image: { ref: 'mariadb:10.11' },
      ports: [{ name: 'mysql', port: 3306 }],
      command: ['--character-set-server=utf8mb4'],
      volumes: [{ name: 'data', mountPath: '/var/lib/mysql' }],
      user: { uid: 999, gid: 999 },
    },
    {
      name: 'app',
      role: 'api',
      image: { ref: 'example/app:1.0' },
      entrypoint: ['/bin/tini', '--'],
      command: ['app', 'serve'],
      ports: [{ name: 'http', port: 8080 }],
      health: { liveness: { tcp: { port: 'http' } } },
      volumes: [{ name: 'uploads', mountPath: '/uploads', sizeGiB: 4, storageClass: 'fast' }],
      files: [
        { path: '/etc/app/app.conf', content: 'listen 8080\n' },
        { path: '/run/secrets/api-token', secret: { secret: 'app', key: 'token' } },
      ],
      labels: { team: 'payments' },
      annotations: { 'example.com/owner': 'payments' },
      talksTo: ['db'],
      dependsOn: [{ service: 'migrate', condition: 'completed' }],
    },
    { name: 'migrate', role: 'worker', image: { ref: 'example/app:1.0' }, command: ['app', 'migrate'], job: { backoffLimit: 2 } },
    { name: 'nightly', role: 'worker', image: { ref: 'example/app:1.0' }, command: ['app', 'report'], job: { schedule: '0 3 * * *' }, restart: 'never' },
  ],
  environments: { k: { target: 'kubernetes' } },
};

describe('renderKubernetes: container semantics, storage, files, jobs', () => {
  const all = (spec: StackSpec = wide) => renderKubernetes(resolve(spec, 'k')).flatMap((f) => f.objects as any[]);
  const find = (kind: string, name: string, spec?: StackSpec) => all(spec).find((o) => o.kind === kind && o.metadata.name === name);
  const pod = (kind: string, name: string, spec?: StackSpec) => {
    const o = find(kind, name, spec);
    return kind === 'CronJob' ? o.spec.jobTemplate.spec.template : o.spec.template;
  };

  it('keeps the image ENTRYPOINT when only arguments are given (args, not command)', () => {
    const db = pod('StatefulSet', 'db').spec.containers[0];
    expect([db.command, db.args]).toEqual([undefined, ['--character-set-server=utf8mb4']]);
    const app = pod('Deployment', 'app').spec.containers[0];
    expect([app.command, app.args]).toEqual([['/bin/tini', '--'], ['app', 'serve']]);
  });

  it('gives a non-database service with a volume one claim and a Recreate Deployment', () => {
    const claim = find('PersistentVolumeClaim', 'app-uploads');
    expect(claim.spec).toEqual({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '4Gi' } }, storageClassName: 'fast', volumeMode: 'Filesystem' });
    const dep = find('Deployment', 'app');
    expect(dep.spec.strategy).toEqual({ type: 'Recreate' });
    expect(dep.spec.template.spec.volumes).toContainEqual({ name: 'uploads', persistentVolumeClaim: { claimName: 'app-uploads', readOnly: false } });
    expect(dep.spec.template.spec.containers[0].volumeMounts).toContainEqual({ mountPath: '/uploads', name: 'uploads' });
  });

  it('mounts config files from a ConfigMap and secret files from a Secret, read-only, and rolls pods on change', () => {
    const c = pod('Deployment', 'app').spec.containers[0];
    expect(c.volumeMounts).toContainEqual({ mountPath: '/etc/app/app.conf', name: 'files', readOnly: true, subPath: 'etc-app-app.conf' });
    expect(c.volumeMounts).toContainEqual({ mountPath: '/run/secrets/api-token', name: 'secret-app', readOnly: true, subPath: 'run-secrets-api-token' });
    expect(find('ConfigMap', 'app-files').data).toEqual({ 'etc-app-app.conf': 'listen 8080\n' });
    const vols = pod('Deployment', 'app').spec.volumes;
    expect(vols).toContainEqual({ name: 'secret-app', secret: { defaultMode: 0o440, items: [{ key: 'token', path: 'run-secrets-api-token' }], secretName: 'app' } });
    const changed = JSON.parse(JSON.stringify(wide));
    changed.services[1].files[0].content = 'listen 9090\n';
    const hash = (spec?: StackSpec) => pod('Deployment', 'app', spec).metadata.annotations['todo.dev/config-hash'];
    expect(hash(changed)).not.toBe(hash());
  });

  it('renders no probes for a service without health checks, and TCP probes when asked', () => {
    expect(pod('StatefulSet', 'db').spec.containers[0].livenessProbe).toBeUndefined();
    expect(pod('Deployment', 'app').spec.containers[0].livenessProbe.tcpSocket).toEqual({ port: 8080 });
  });

  it('opens a talksTo edge in the NetworkPolicies, and none to a job', () => {
    const allow = (n: string) => find('NetworkPolicy', `allow-${n}`).spec;
    expect(allow('app').egress.map((r: any) => r.to[0].podSelector.matchLabels['app.kubernetes.io/name'])).toEqual(['db']);
    expect(allow('db').ingress.map((r: any) => r.from[0].podSelector.matchLabels['app.kubernetes.io/name'])).toEqual(['app']);
  });

  it('runs a one-shot job as a Job and a scheduled one as a CronJob, arguments kept as args', () => {
    const job = find('Job', 'migrate');
    expect(job.spec.backoffLimit).toBe(2);
    expect(job.spec.template.spec.restartPolicy).toBe('OnFailure');
    expect(job.spec.template.spec.containers[0].args).toEqual(['app', 'migrate']);
    expect(job.spec.template.spec.containers[0].readinessProbe).toBeUndefined();
    const cron = find('CronJob', 'nightly');
    expect(cron.spec.schedule).toBe('0 3 * * *');
    expect(cron.spec.concurrencyPolicy).toBe('Forbid');
    expect(cron.spec.jobTemplate.spec.template.spec.restartPolicy).toBe('Never');
    expect(cron.spec.jobTemplate.spec.template.spec.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  it('puts the spec labels and annotations on the workload and its pods, selectors unchanged', () => {
    const dep = find('Deployment', 'app');
    expect(dep.metadata.labels.team).toBe('payments');
    expect(dep.metadata.annotations).toEqual({ 'example.com/owner': 'payments' });
    expect(dep.spec.template.metadata.labels.team).toBe('payments');
    expect(dep.spec.template.metadata.annotations['example.com/owner']).toBe('payments');
    expect(dep.spec.selector.matchLabels.team).toBeUndefined();
  });

  it('honours readOnlyRootFilesystem: false (cdk8s-plus would default it to true)', () => {
    const spec = JSON.parse(JSON.stringify(wide));
    spec.services[1].readOnlyRootFilesystem = false;
    spec.services[1].gateWaivers = [{ rule: 'read-only-root-filesystem', reason: 'the vendor image writes all over /' }];
    expect(pod('Deployment', 'app', spec).spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(false);
  });

  it('zero-pads file prefixes so 9+ services still sort in apply order', () => {
    const many: StackSpec = {
      name: 'many',
      // Each serves a port: a dependency without one is refused for Kubernetes (no Service to reach).
      services: Array.from({ length: 10 }, (_, i) => ({ name: `s${i}`, role: 'worker' as const, image: { ref: 'x:1' }, ports: [{ name: 'http', port: 8080 }], ...(i > 0 && { dependsOn: [`s${i - 1}`] }) })),
      environments: { k: { target: 'kubernetes' } },
    };
    const names = renderKubernetes(resolve(many, 'k')).map((f) => f.name);
    expect(names.slice(0, 3)).toEqual(['000-namespace.yaml', '010-network-policies.yaml', '020-s0.yaml']);
    expect(names.slice(-2)).toEqual(['100-s8.yaml', '110-s9.yaml']);
    expect([...names].sort()).toEqual(names);
  });

  it('applies escape-hatch patches, and fails with the patch path when one no longer applies', () => {
    const patched = { ...wide, environments: { k: { target: 'kubernetes' as const, patches: { kubernetes: [{ kind: 'Deployment', name: 'app', patch: [{ op: 'add' as const, path: '/spec/template/spec/priorityClassName', value: 'high' }] }] } } } };
    expect(pod('Deployment', 'app', patched).spec.priorityClassName).toBe('high');
    const stale = { ...wide, environments: { k: { target: 'kubernetes' as const, patches: { kubernetes: [{ kind: 'Deployment', name: 'app', patch: [{ op: 'remove' as const, path: '/spec/template/spec/nodeSelector' }] }] } } } };
    expect(() => all(stale)).toThrow('environments.k.patches.kubernetes[0].patch[0]: remove /spec/template/spec/nodeSelector no longer applies');
    const gone = { ...wide, environments: { k: { target: 'kubernetes' as const, patches: { kubernetes: [{ kind: 'Deployment', name: 'api', patch: [{ op: 'remove' as const, path: '/spec/paused' }] }] } } } };
    expect(() => all(gone)).toThrow('environments.k.patches.kubernetes[0]: no Deployment named "api"');
  });
});

describe('renderKubernetes: NetworkPolicy ports', () => {
  const udp: StackSpec = {
    name: 'dns',
    services: [
      { name: 'resolver', role: 'cache', image: { ref: 'example/dns:1.0' }, ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }, { name: 'metrics', port: 9153 }] },
      { name: 'client', role: 'worker', image: { ref: 'example/client:1.0' }, talksTo: ['resolver'] },
    ],
    environments: { k: { target: 'kubernetes' } },
  };
  const policy = (name: string) => renderKubernetes(resolve(udp, 'k')).flatMap((f) => f.objects as any[]).find((o) => o.kind === 'NetworkPolicy' && o.metadata.name === name);

  it('opens each target port with its own protocol, both ways', () => {
    const ports = [{ port: 5353, protocol: 'UDP' }, { port: 9153, protocol: 'TCP' }];
    expect(policy('allow-client').spec.egress).toEqual([{ to: [expect.anything()], ports }]);
    expect(policy('allow-resolver').spec.ingress).toEqual([{ from: [expect.anything()], ports }]);
  });
});

describe('renderKubernetes: secret file volumes', () => {
  it('names each volume with a DNS-1123 label, also for a secret name with dots or of subdomain length, and never shares one', () => {
    const files = [
      { path: '/etc/tls/tls.crt', secret: { secret: 'web.tls', key: 'tls.crt' } },
      { path: '/etc/tls2/ca.crt', secret: { secret: 'web-tls', key: 'ca.crt' } },
      { path: '/etc/long/key', secret: { secret: `a.${'b'.repeat(70)}`, key: 'key' } },
    ];
    const s: StackSpec = { name: 'tls', services: [{ name: 'web', role: 'web', image: { ref: 'nginx:1.27' }, ports: [{ name: 'http', port: 8080 }], files }], environments: { k: { target: 'kubernetes' } } };
    const deployment = renderKubernetes(resolve(s, 'k')).flatMap((f) => f.objects as any[]).find((o) => o.kind === 'Deployment');
    const names = deployment.spec.template.spec.volumes.filter((v: any) => v.secret).map((v: any) => v.name);
    expect(names).toHaveLength(3);
    expect(new Set(names).size).toBe(3);
    for (const n of names) expect(n).toMatch(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
    expect(names).toContain('secret-web-tls');
  });
});
