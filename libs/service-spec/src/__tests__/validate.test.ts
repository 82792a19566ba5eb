import { SpecValidationError } from '../errors';
import { resolve } from '../resolve';
import { todoStack } from '../stacks/todo';
import { assertValid, validate } from '../validate';
import { mutate, validStack } from './fixture';

const svc = (s: any, name: string) => s.services.find((x: any) => x.name === name);

describe('validate', () => {
  it('accepts the valid fixture and the todo stack', () => {
    expect(validate(validStack())).toEqual([]);
    expect(validate(todoStack)).toEqual([]);
  });

  describe('shape', () => {
    it.each([
      ['missing name', (s: any) => delete s.name, 'name', 'is required'],
      ['services not an array', (s: any) => (s.services = {}), 'services', 'must be an array, got an object'],
      ['wrong port type', (s: any) => (s.services[0].ports[0].port = '5432'), 'services.db.ports[0].port', 'must be an integer, got "5432"'],
      ['unknown field', (s: any) => (s.services[1].replica = 2), 'services.api.replica', 'unknown field; expected one of:'],
      ['bad role', (s: any) => (s.services[1].role = 'server'), 'services.api.role', 'must be one of "web", "api", "database", "worker", "cache", got "server"'],
      ['bad target', (s: any) => (s.environments.local.target = 'swarm'), 'environments.local.target', 'must be one of "compose", "kubernetes"'],
      ['bool expected', (s: any) => (s.environments.prod.podDisruptionBudgets = 'yes'), 'environments.prod.podDisruptionBudgets', 'must be true or false, got "yes"'],
      ['empty string', (s: any) => (s.services[0].image.ref = ''), 'services.db.image.ref', 'must be a non-empty string, got an empty string'],
    ])('%s', (_, change, path, message) => {
      const issues = validate(mutate(change));
      expect(issues).toContainEqual({ path, message: expect.stringContaining(message) });
    });

    it('reports a non-object spec at the root', () => {
      expect(validate(null)).toEqual([{ path: '(root)', message: 'must be an object, got null' }]);
    });
  });

  describe('meaning', () => {
    it.each([
      ['service name not DNS-1123', (s: any) => (s.services[1].name = 'API_1'), 'services[1].name', 'service name "API_1" is not a DNS-1123 label'],
      ['duplicate service names', (s: any) => (s.services[1].name = 'db'), 'services[1].name', 'duplicate service name "db"'],
      ['stack name not DNS-1123', (s: any) => (s.name = 'Demo'), 'name', 'stack name "Demo" is not a DNS-1123 label'],
      ['port out of range', (s: any) => (svc(s, 'api').ports[0].port = 70000), 'services.api.ports[0].port', 'port 70000 is out of range 1-65535'],
      ['port zero', (s: any) => (svc(s, 'api').ports[0].port = 0), 'services.api.ports[0].port', 'port 0 is out of range 1-65535'],
      ['host port out of range', (s: any) => (svc(s, 'api').ports[0].hostPort = 99999), 'services.api.ports[0].hostPort', 'host port 99999 is out of range'],
      ['ports clash', (s: any) => svc(s, 'api').ports.push({ name: 'admin', port: 8000 }), 'services.api.ports[1].port', 'port 8000/TCP clashes with port "http"'],
      ['duplicate port name', (s: any) => svc(s, 'api').ports.push({ name: 'http', port: 9000 }), 'services.api.ports[1].name', 'duplicate port name "http"'],
      ['port name too long', (s: any) => (svc(s, 'api').ports[0].name = 'a-very-long-port-name'), 'services.api.ports[0].name', 'port name "a-very-long-port-name" is not a DNS-1123 label: use at most 15'],
      ['host ports clash across services', (s: any) => (svc(s, 'db').ports[0].hostPort = 8000), 'services.api.ports', 'host port 8000 clashes with service "db"'],
      ['unknown dependency', (s: any) => (svc(s, 'api').dependsOn = ['postgress']), 'services.api.dependsOn[0]', 'unknown service "postgress" (services: db, api)'],
      ['self dependency', (s: any) => (svc(s, 'api').dependsOn = ['api']), 'services.api.dependsOn[0]', 'a service cannot depend on itself'],
      ['dependency cycle', (s: any) => (svc(s, 'db').dependsOn = ['api']), 'services.api.dependsOn', 'dependency cycle: api -> db -> api'],
      ['health check on an undeclared port', (s: any) => (svc(s, 'api').health.liveness.http.port = 'metrics'), 'services.api.health.liveness.http.port', 'health check uses port "metrics", which service "api" does not expose (declared ports: "http")'],
      ['tcp check on an undeclared port', (s: any) => (svc(s, 'db').health.readiness = { tcp: { port: 'x' } }), 'services.db.health.readiness.tcp.port', 'health check uses port "x"'],
      ['probe with two kinds', (s: any) => (svc(s, 'db').health.liveness.tcp = { port: 'pg' }), 'services.db.health.liveness', 'set exactly one of http, tcp, exec (found tcp, exec)'],
      ['probe path without slash', (s: any) => (svc(s, 'api').health.liveness.http.path = 'health'), 'services.api.health.liveness.http.path', 'must start with "/"'],
      ['probe period zero', (s: any) => (svc(s, 'api').health.liveness.periodSeconds = 0), 'services.api.health.liveness.periodSeconds', 'must be at least 1, got 0'],
      ['no health check', (s: any) => (svc(s, 'api').health = {}), 'services.api.health', 'a long-running service needs a liveness or readiness check'],
      ['secret also plain env', (s: any) => (svc(s, 'api').env.DATABASE_URL = 'postgresql://x'), 'services.api.env.DATABASE_URL', 'is also given as a secret (services.api.secrets.DATABASE_URL)'],
      ['bad env name', (s: any) => (svc(s, 'api').env['LOG-LEVEL'] = 'x'), 'services.api.env.LOG-LEVEL', 'is not a valid environment variable name'],
      ['bad secret name', (s: any) => (svc(s, 'api').secrets.DATABASE_URL.secret = 'Api_Secret'), 'services.api.secrets.DATABASE_URL.secret', 'secret name "Api_Secret" is not a DNS-1123 subdomain'],
      [':latest outside local', (s: any) => (svc(s, 'db').image.ref = 'postgres:latest'), 'services.db.image.ref', 'image "postgres:latest" is untagged or :latest, which environments "local", "prod" do not allow'],
      ['untagged image', (s: any) => (svc(s, 'db').image.ref = 'postgres'), 'services.db.image.ref', 'image "postgres" is untagged or :latest'],
      ['untagged base image', (s: any) => (svc(s, 'api').image.build.baseImages = { PY: 'python' }), 'services.api.image.build.baseImages.PY', 'base image "python" is untagged or :latest'],
      ['build and ref', (s: any) => (svc(s, 'api').image.ref = 'x:1'), 'services.api.image', 'set exactly one of build'],
      ['relative writable path', (s: any) => (svc(s, 'api').writablePaths = ['tmp']), 'services.api.writablePaths[0]', '"tmp" is not an absolute path: writable paths become emptyDir/tmpfs mounts and need an absolute path such as "/tmp"'],
      ['writable path mounted twice', (s: any) => (svc(s, 'db').writablePaths = ['/var/lib/postgresql/data']), 'services.db.writablePaths[0]', 'is already mounted'],
      ['relative volume path', (s: any) => (svc(s, 'db').volumes[0].mountPath = 'data'), 'services.db.volumes[0].mountPath', '"data" is not an absolute path'],
      ['limit below request', (s: any) => (svc(s, 'api').resources = { cpuMillis: { request: 500, limit: 100 } }), 'services.api.resources.cpuMillis.limit', 'limit 100 is below request 500'],
      ['negative replicas', (s: any) => (svc(s, 'api').replicas = -1), 'services.api.replicas', 'must be 0 or more, got -1'],
      ['root user', (s: any) => (svc(s, 'api').user = { uid: 0, gid: 0 }), 'services.api.user', 'uid and gid must not be 0'],
      ['ingress path without slash', (s: any) => (svc(s, 'api').ingressPath = 'api'), 'services.api.ingressPath', 'must start with "/", got "api"'],
      ['ingress port undeclared', (s: any) => (svc(s, 'api').ingressPort = 'admin'), 'services.api.ingressPort', 'port "admin" is not declared by service "api"'],
      ['override of unknown service', (s: any) => (s.environments.prod.services = { apii: { replicas: 2 } }), 'environments.prod.services.apii', 'unknown service "apii"'],
      ['autoscaling max below min', (s: any) => (s.environments.prod.services = { api: { autoscaling: { minReplicas: 3, maxReplicas: 2 } } }), 'environments.prod.services.api.autoscaling.maxReplicas', '2 is below minReplicas 3'],
      ['autoscaling in compose', (s: any) => (s.environments.local.services = { api: { autoscaling: { minReplicas: 1, maxReplicas: 2 } } }), 'environments.local.services.api.autoscaling', 'compose cannot autoscale'],
      ['secret overridden as plain env', (s: any) => (s.environments.prod.services = { api: { env: { DATABASE_URL: 'x' } } }), 'environments.prod.services.api.env.DATABASE_URL', 'is a secret of service "api"'],
      ['volume size for unknown volume', (s: any) => (s.environments.prod.services = { db: { volumeSizeGiB: { logs: 3 } } }), 'environments.prod.services.db.volumeSizeGiB.logs', 'service "db" has no volume "logs"'],
      ['ingress in compose', (s: any) => (s.environments.local.ingress = { host: 'x' }), 'environments.local', 'ingress and podDisruptionBudgets are Kubernetes settings'],
      ['registry with scheme', (s: any) => (s.environments.prod.registry = 'https://r.example.com'), 'environments.prod.registry', 'must be a registry prefix without a scheme'],
      ['floating mirror', (s: any) => (s.imageMirrors = { 'postgres:16-alpine': 'mirror/postgres' }), 'imageMirrors.postgres:16-alpine', 'mirror "mirror/postgres" is untagged or :latest'],
      ['absolute dev mount source', (s: any) => (svc(s, 'api').dev = { mounts: [{ source: '/src', target: '/app' }] }), 'services.api.dev.mounts[0].source', 'must be relative to the repo root'],
    ])('%s', (_, change, path, message) => {
      const issues = validate(mutate(change));
      expect(issues).toContainEqual({ path, message: expect.stringContaining(message) });
    });

    it('allows :latest where the environment allows floating tags', () => {
      const spec = mutate((s) => {
        svc(s, 'db').image.ref = 'postgres:latest';
        s.environments = { local: { target: 'compose', allowFloatingTags: true } };
      });
      expect(validate(spec)).toEqual([]);
    });
  });

  it('reports five planted errors at once, each with its path', () => {
    const spec = mutate((s) => {
      svc(s, 'api').dependsOn = ['postgress'];
      svc(s, 'api').ports[0].port = 70000;
      svc(s, 'api').health.liveness.http.port = 'metrics';
      svc(s, 'db').image.ref = 'postgres:latest';
      svc(s, 'api').writablePaths = ['tmp'];
    });
    const issues = validate(spec);
    expect(issues.map((i) => i.path).sort()).toEqual(
      ['services.api.dependsOn[0]', 'services.api.health.liveness.http.port', 'services.api.ports[0].port', 'services.api.writablePaths[0]', 'services.db.image.ref'].sort(),
    );
    expect(() => assertValid(spec)).toThrow(SpecValidationError);
    expect(() => assertValid(spec)).toThrow(/The service spec has 5 problems:\n {2}services\./);
  });

  it('resolve refuses an invalid spec and an unknown environment', () => {
    expect(() => resolve(mutate((s) => (s.name = 'Bad')), 'prod', { imageTags: { api: 'abc' } })).toThrow('name: stack name "Bad"');
    expect(() => resolve(validStack(), 'staging', { imageTags: { api: 'abc' } })).toThrow('environments: unknown environment "staging" (environments: local, prod)');
    expect(() => resolve(validStack(), 'prod')).toThrow('services.api.image.build: no image tag was computed');
  });
});
