import { resolve } from '../resolve';
import { todoStack } from '../stacks/todo';
import { mutate, validStack } from './fixture';

const tags = { api: '0123456789ab' };

describe('resolve', () => {
  it('fills defaults', () => {
    const stack = resolve(validStack(), 'local', { imageTags: tags });
    const api = stack.services.find((s) => s.name === 'api')!;
    expect(api.replicas).toBe(1);
    expect(api.resources).toEqual({ cpuMillis: { request: 100, limit: 500 }, memoryMiB: { request: 128, limit: 256 } });
    expect(api.user).toEqual({ uid: 1000, gid: 1000 });
    expect(api.readOnlyRootFilesystem).toBe(true);
    expect(api.readiness).toEqual(api.liveness);
    expect(api.liveness).toEqual({ http: { path: '/health', port: 'http', portNumber: 8000 }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3, initialDelaySeconds: 0 });
    expect(api.image).toBe('demo-api:0123456789ab');
    expect(stack.namespace).toBe('demo');
    expect(stack.imagePullPolicy).toBe('IfNotPresent');
  });

  it("an environment's replicas wins over the service's own, and autoscaling's minimum over both", () => {
    const spec = mutate((s) => {
      s.services.find((x: { name: string }) => x.name === 'api').replicas = 2;
      s.environments.prod.services = { api: { replicas: 4 } };
    });
    expect(resolve(spec, 'prod', { imageTags: tags }).services.find((s) => s.name === 'api')!.replicas).toBe(4);
    expect(resolve(spec, 'local', { imageTags: tags }).services.find((s) => s.name === 'api')!.replicas).toBe(2);
    const scaled = mutate((s) => {
      s.services.find((x: { name: string }) => x.name === 'api').replicas = 2;
      s.environments.prod.services = { api: { replicas: 4, autoscaling: { minReplicas: 3, maxReplicas: 6 } } };
    });
    expect(resolve(scaled, 'prod', { imageTags: tags }).services.find((s) => s.name === 'api')!.replicas).toBe(3);
  });

  it('orders services dependencies first and records reverse edges', () => {
    const stack = resolve(validStack(), 'local', { imageTags: tags });
    expect(stack.services.map((s) => s.name)).toEqual(['db', 'api']);
    expect(stack.services[0].dependents).toEqual(['api']);
  });

  it('applies environment overrides, registry and autoscaling', () => {
    const spec = mutate((s) => {
      s.environments.prod.services = {
        api: { autoscaling: { minReplicas: 3, maxReplicas: 5 }, env: { LOG_LEVEL: 'WARNING' }, resources: { memoryMiB: { request: 300, limit: 600 } } },
        db: { volumeSizeGiB: { data: 50 } },
      };
    });
    const stack = resolve(spec, 'prod', { imageTags: tags });
    const api = stack.services.find((s) => s.name === 'api')!;
    expect(api.image).toBe('registry.example.com/demo/demo-api:0123456789ab');
    expect(api.replicas).toBe(3);
    expect(api.autoscaling).toEqual({ minReplicas: 3, maxReplicas: 5, cpuUtilization: 70 });
    expect(api.env).toEqual([{ name: 'LOG_LEVEL', value: 'WARNING' }]);
    expect(api.resources.memoryMiB).toEqual({ request: 300, limit: 600 });
    expect(api.podDisruptionBudget).toBe(true);
    expect(stack.services.find((s) => s.name === 'db')!.volumes[0].sizeGiB).toBe(50);
    expect(stack.services.find((s) => s.name === 'db')!.podDisruptionBudget).toBe(false);
  });

  it('applies image mirrors to published images and base images, spec first then machine', () => {
    const spec = mutate((s) => {
      s.imageMirrors = { 'postgres:16-alpine': 'mirror.example.com/postgres:16-alpine' };
      s.services[1].image.build.baseImages = { PYTHON_IMAGE: 'python:3.13-slim' };
    });
    const stack = resolve(spec, 'prod', { imageTags: tags, extraMirrors: { 'python:3.13-slim': 'local/python:3.11' } });
    expect(stack.services[0].image).toBe('mirror.example.com/postgres:16-alpine');
    expect(stack.services[1].build!.buildArgs).toEqual({ PYTHON_IMAGE: 'local/python:3.11' });
  });

  it('keeps command as arguments and entrypoint apart, with per-environment overrides', () => {
    const spec = mutate((s) => {
      s.services[1].command = ['serve'];
      s.environments.prod.services = { api: { entrypoint: ['/tini', '--'], command: ['serve', '--prod'], hostAddress: '0.0.0.0', labels: { tier: 'gold' } } };
      s.services[1].labels = { team: 'a' };
    });
    const local = resolve(spec, 'local', { imageTags: tags }).services.find((s) => s.name === 'api')!;
    const prod = resolve(spec, 'prod', { imageTags: tags }).services.find((s) => s.name === 'api')!;
    expect([local.entrypoint, local.command]).toEqual([undefined, ['serve']]);
    expect([prod.entrypoint, prod.command]).toEqual([['/tini', '--'], ['serve', '--prod']]);
    expect(prod.ports[0].hostAddress).toBe('0.0.0.0');
    expect(local.ports[0].hostAddress).toBe('127.0.0.1');
    expect(prod.labels).toEqual({ team: 'a', tier: 'gold' });
  });

  it('defaults dependency conditions: healthy with a check, started without, completed for a job', () => {
    const spec = mutate((s) => {
      s.services.push({ name: 'seed', role: 'worker', image: { ref: 'x:1' }, job: {} });
      s.services.push({ name: 'plain', role: 'worker', image: { ref: 'x:1' }, ports: [{ name: 'p', port: 1 }] });
      s.services[1].dependsOn = ['db', 'seed', 'plain'];
      s.services[0].talksTo = ['plain'];
    });
    const stack = resolve(spec, 'local', { imageTags: tags });
    const by = (n: string) => stack.services.find((s) => s.name === n)!;
    expect(by('api').dependsOn).toEqual([
      { service: 'db', condition: 'healthy' },
      { service: 'plain', condition: 'started' },
      { service: 'seed', condition: 'completed' },
    ]);
    // A job serves nothing: no network edge to it. talksTo opens one without ordering.
    expect(by('api').connectsTo).toEqual(['db', 'plain']);
    expect(by('plain').connectedFrom).toEqual(['api', 'db']);
    expect(by('db').dependsOn).toEqual([]);
  });

  it('reads repo files through the caller, and reports one it cannot read', () => {
    const spec = mutate((s) => (s.services[1].files = [{ path: '/etc/app.conf', source: 'conf/app.conf' }]));
    const api = resolve(spec, 'local', { imageTags: tags, readRepoFile: (p) => `read ${p}` }).services.find((s) => s.name === 'api')!;
    expect(api.files).toEqual([{ path: '/etc/app.conf', key: 'etc-app.conf', content: 'read conf/app.conf', source: 'conf/app.conf' }]);
    expect(() =>
      resolve(spec, 'local', {
        imageTags: tags,
        readRepoFile: () => {
          throw new Error('ENOENT');
        },
      }),
    ).toThrow('services.api.files: source "conf/app.conf" cannot be read (ENOENT)');
  });

  it('gives the todo stack its production shape', () => {
    const stack = resolve(todoStack, 'production', { imageTags: { backend: 'a'.repeat(12), frontend: 'b'.repeat(12) } });
    for (const s of stack.services.filter((x) => x.role !== 'database')) {
      expect(s.replicas).toBeGreaterThanOrEqual(2);
      expect(s.autoscaling).toBeDefined();
      expect(s.podDisruptionBudget).toBe(true);
      expect(s.image.startsWith('registry.example.com/todo/')).toBe(true);
    }
    expect(stack.ingress).toEqual({ host: 'todo.example.com', className: 'nginx', tlsSecret: 'todo-tls', controllerNamespace: 'ingress-nginx' });
  });
});
