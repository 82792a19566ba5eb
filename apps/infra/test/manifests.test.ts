import { K8S_RULES, parseManifests, runRules } from '@todo/policy';
import { kubeObjects, renderCase, validateKube } from './support';

describe.each(['todo', 'shop'])('Kubernetes output of the %s stack', (name) => {
  const files = renderCase(name);
  const objects = kubeObjects(files);

  it('has every kind the deployment needs', () => {
    const kinds = new Set(objects.map((o) => o.object.kind));
    for (const k of ['Namespace', 'NetworkPolicy', 'ConfigMap', 'Service', 'Deployment', 'StatefulSet', 'Ingress', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
      expect(kinds).toContain(k);
    }
  });

  it.each(objects.map((o) => [`${o.file} ${o.object.kind}/${o.object.metadata.name}`, o.object]))('%s is valid against the Kubernetes schema with no unknown keys', (_, obj) => {
    expect(validateKube(obj)).toEqual([]);
  });

  it('passes every policy rule (Pod Security restricted, probes, limits, tags, network, PDB, selectors, secrets)', () => {
    const envs = [...new Set(files.filter((f) => f.path.startsWith('dist/k8s/')).map((f) => f.path.split('/')[2]))];
    for (const env of envs) {
      const manifests = files.filter((f) => f.path.startsWith(`dist/k8s/${env}/`)).flatMap((f) => parseManifests(f.content, f.path));
      const result = runRules(K8S_RULES, manifests, []);
      const failures = result.outcomes.flatMap((o) => o.violations.map((v) => `${o.rule.id}: ${JSON.stringify(v)}`));
      expect(failures).toEqual([]);
    }
  });

  it('never writes a secret value, only secretKeyRefs', () => {
    for (const { object } of objects) {
      expect(object.kind).not.toBe('Secret');
      const text = JSON.stringify(object);
      expect(text).not.toContain('local-only');
      expect(text).not.toMatch(/:\/\/[^/\s:@]+:[^/\s@]+@/);
    }
  });

  it('pins every image and uses a pull policy that works with images loaded into minikube', () => {
    for (const { object } of objects) {
      const pod = object.spec?.template?.spec;
      if (!pod) continue;
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        expect(c.image).toMatch(/:[A-Za-z0-9._-]+$/);
        expect(c.image).not.toMatch(/:latest$/);
        expect(c.imagePullPolicy).toBe('IfNotPresent');
      }
    }
  });
});

describe('todo stack specifics', () => {
  const objects = kubeObjects(renderCase('todo'));
  const find = (env: string, kind: string, name: string) => objects.find((o) => o.file.includes(`/${env}/`) && o.object.kind === kind && o.object.metadata.name === name)?.object;

  it('runs migrations in an init container before the backend serves', () => {
    const init = find('minikube', 'Deployment', 'backend')!.spec.template.spec.initContainers;
    // Arguments only: the image's ENTRYPOINT (if any) still runs them.
    expect(init.map((c: any) => [c.name, c.command, c.args])).toEqual([['backend-migrate', undefined, ['python', '-m', 'todo_api.migrate']]]);
    expect(init[0].env.map((e: any) => e.name)).toContain('DATABASE_URL');
  });

  it('routes / to the frontend and /api to the backend', () => {
    const paths = find('production', 'Ingress', 'todo')!.spec.rules[0].http.paths;
    expect(paths.map((p: any) => [p.path, p.backend.service.name, p.backend.service.port.number])).toEqual([
      ['/api', 'backend', 8000],
      ['/', 'frontend', 3000],
    ]);
  });

  it('opens only the declared edges: frontend -> backend -> postgres', () => {
    const allow = (name: string) => find('minikube', 'NetworkPolicy', `allow-${name}`)!.spec;
    expect(find('minikube', 'NetworkPolicy', 'default-deny-all')!.spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(allow('postgres').ingress.map((r: any) => r.from[0].podSelector.matchLabels['app.kubernetes.io/name'])).toEqual(['backend']);
    expect(allow('postgres').egress).toBeUndefined();
    expect(allow('backend').egress[0].to[0].podSelector.matchLabels['app.kubernetes.io/name']).toBe('postgres');
    expect(allow('frontend').egress.map((r: any) => r.to[0].podSelector?.matchLabels['app.kubernetes.io/name'])).toEqual(['backend']);
  });

  it('gives postgres a StatefulSet with a PVC, and production an HPA and PDB per app', () => {
    const sts = find('production', 'StatefulSet', 'postgres')!;
    expect(sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('20Gi');
    expect(sts.spec.template.spec.securityContext.fsGroup).toBe(70);
    for (const app of ['backend', 'frontend']) {
      expect(find('production', 'HorizontalPodAutoscaler', app)!.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(find('production', 'PodDisruptionBudget', app)).toBeDefined();
      expect(find('production', 'Deployment', app)!.spec.replicas).toBeUndefined();
      expect(find('minikube', 'Deployment', app)!.spec.replicas).toBe(1);
      expect(find('minikube', 'HorizontalPodAutoscaler', app)).toBeUndefined();
    }
  });

  it('mounts an emptyDir for every writable path', () => {
    const pod = find('minikube', 'Deployment', 'frontend')!.spec.template.spec;
    expect(pod.containers[0].volumeMounts.map((m: any) => m.mountPath).sort()).toEqual(['/app/.next/cache', '/tmp']);
    expect(pod.volumes.every((v: any) => v.emptyDir)).toBe(true);
  });
});
