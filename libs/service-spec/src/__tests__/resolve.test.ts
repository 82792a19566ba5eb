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

  it('derives compose health commands from the runtime', () => {
    const stack = resolve(todoStack, 'local', { imageTags: { backend: 'a', frontend: 'b' } });
    const by = (n: string) => stack.services.find((s) => s.name === n)!;
    expect(by('backend').composeHealthCommand?.slice(0, 2)).toEqual(['python', '-c']);
    expect(by('backend').composeHealthCommand?.[2]).toContain("'http://127.0.0.1:8000/ready'");
    expect(by('frontend').composeHealthCommand?.slice(0, 2)).toEqual(['node', '-e']);
    expect(by('frontend').composeHealthCommand?.[2]).toContain("'http://127.0.0.1:3000/api/health'");
    expect(by('postgres').composeHealthCommand).toEqual(['pg_isready', '-U', 'todo', '-d', 'todo', '-h', '127.0.0.1']);
  });

  it('refuses an http check it cannot run inside the container', () => {
    const spec = mutate((s) => delete s.services[1].runtime);
    expect(() => resolve(spec, 'local', { imageTags: tags })).toThrow('services.api.health.composeCommand: an http check needs runtime "python" or "node"');
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
