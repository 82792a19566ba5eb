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
      ['bad dependency condition', (s: any) => (s.services[1].dependsOn = [{ service: 'db', condition: 'ready' }]), 'services.api.dependsOn[0].condition', 'must be one of "healthy", "started", "completed"'],
      ['bad role', (s: any) => (s.services[1].role = 'server'), 'services.api.role', 'must be one of "web", "api", "database", "worker", "cache", got "server"'],
      ['bad target', (s: any) => (s.environments.local.target = 'swarm'), 'environments.local.target', 'must be one of "compose", "kubernetes"'],
      ['bool expected', (s: any) => (s.environments.prod.podDisruptionBudgets = 'yes'), 'environments.prod.podDisruptionBudgets', 'must be true or false, got "yes"'],
      ['a count beyond 32 bits', (s: any) => (s.services[1].replicas = 1e20), 'services.api.replicas', '100000000000000000000 is too large: Kubernetes numbers are 32-bit'],
      ['a volume size beyond 32 bits in an environment', (s: any) => (s.environments.prod.services = { api: { volumeSizeGiB: { data: 2 ** 40 } } }), 'environments.prod.services.api.volumeSizeGiB.data', 'is too large'],
      ['empty string', (s: any) => (s.services[0].image.ref = ''), 'services.db.image.ref', 'must be a non-empty string, got an empty string'],
    ])('%s', (_, change, path, message) => {
      const issues = validate(mutate(change));
      expect(issues).toContainEqual({ path, message: expect.stringContaining(message) });
    });

    it('names the allowed values of an enum even when the value has the wrong type', () => {
      expect(validate(mutate((s) => (svc(s, 'api').role = 3)))).toEqual([{ path: 'services.api.role', message: 'must be one of "web", "api", "database", "worker", "cache", got 3' }]);
    });

    it('reports a non-object spec at the root', () => {
      expect(validate(null)).toEqual([{ path: '(root)', message: 'must be an object, got null' }]);
    });
  });

  describe('meaning', () => {
    it.each([
      ['service name not DNS-1123', (s: any) => (s.services[1].name = 'API_1'), 'services[1].name', 'service name "API_1" is not a DNS-1123 label'],
      ['duplicate service names', (s: any) => (s.services[1].name = 'db'), 'services[1].name', 'duplicate service name "db"'],
      ['a service named as a database\'s headless Service', (s: any) => (s.services[1].name = 'db-headless'), 'services[1].name', '"db-headless" is the name of the headless Service that database "db" gets on Kubernetes'],
      ['stack name not DNS-1123', (s: any) => (s.name = 'Demo'), 'name', 'stack name "Demo" is not a DNS-1123 label'],
      ['port out of range', (s: any) => (svc(s, 'api').ports[0].port = 70000), 'services.api.ports[0].port', 'port 70000 is out of range 1-65535'],
      ['a local default compose would cut at "}"', (s: any) => (svc(s, 'api').secrets.DATABASE_URL.localDefault = 'a}b'), 'services.api.secrets.DATABASE_URL.localDefault', 'contains "}", which compose cannot carry'],
      ['root group', (s: any) => (svc(s, 'db').user = { uid: 70, gid: 0 }), 'services.db.user', 'uid and gid must not be 0'],
      ['a job restarting always', (s: any) => s.services.push({ name: 'once', role: 'worker', image: { ref: 'x:1' }, job: {}, restart: 'always' }), 'services.once.restart', 'a job cannot restart "always"'],
      ['hostAddress on an unpublished port', (s: any) => (svc(s, 'db').ports[0].hostAddress = '127.0.0.1'), 'services.db.ports', 'hostAddress is set on a port that is not published'],
      ['two files mapping to one volume key', (s: any) => (svc(s, 'api').files = [{ path: '/etc/a-b', content: 'x' }, { path: '/etc/a/b', content: 'y' }]), 'services.api.files[1].path', 'maps to the same volume key'],
      ['a job with a volume', (s: any) => s.services.push({ name: 'once', role: 'worker', image: { ref: 'x:1' }, job: {}, volumes: [{ name: 'v', mountPath: '/v' }] }), 'services.once.volumes', 'a job cannot claim a persistent volume'],
      ['a volume mounted twice', (s: any) => svc(s, 'db').volumes.push({ name: 'again', mountPath: '/var/lib/postgresql/data' }), 'services.db.volumes[1].mountPath', 'is mounted twice'],
      ['two volumes of one name (a cdk8s construct clash in synth)', (s: any) => svc(s, 'db').volumes.push({ name: svc(s, 'db').volumes[0].name, mountPath: '/elsewhere' }), 'services.db.volumes[1].name', 'is also the name of volumes[0]'],
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
      // Health is optional, but what refines a check needs one.
      ['startup without a check', (s: any) => (svc(s, 'api').health = { startup: { http: { path: '/h', port: 'http' } } }), 'services.api.health', 'startup and composeCommand refine a liveness or readiness check'],
      ['http client for an exec check', (s: any) => (svc(s, 'db').health.composeHttpClient = 'wget'), 'services.db.health.composeHttpClient', 'wget only runs HTTP checks, and compose checks db with its liveness probe, which is not HTTP'],
      ['http client with no check', (s: any) => (svc(s, 'api').health = { composeHttpClient: 'wget' }), 'services.api.health.composeHttpClient', 'wget runs an HTTP check, and api has no liveness or readiness probe; fix: add an http one'],
      // Compose checks with readiness when there is one, so that is the probe that must be HTTP.
      ['http client with an exec readiness', (s: any) => Object.assign(svc(s, 'api').health, { readiness: { exec: { command: ['ready'] } }, composeHttpClient: 'wget' }), 'services.api.health.composeHttpClient', 'compose checks api with its readiness probe, which is not HTTP'],
      ['probe path with a space', (s: any) => (svc(s, 'api').health.liveness.http.path = '/a b'), 'services.api.health.liveness.http.path', 'percent-encode them (a space is %20)'],
      ['probe path with a newline', (s: any) => (svc(s, 'api').health.liveness.http.path = '/a\nb'), 'services.api.health.liveness.http.path', 'holds the control character U+000A (this field is one line)'],
      ['http client beside a command', (s: any) => Object.assign(svc(s, 'api').health, { composeHttpClient: 'curl', composeCommand: ['check'] }), 'services.api.health.composeHttpClient', 'composeCommand already says what compose runs; remove one of the two'],
      ['unknown http client', (s: any) => (svc(s, 'api').health.composeHttpClient = 'httpie'), 'services.api.health.composeHttpClient', 'runtime'],
      // Secret-looking plain values: the gate's ConfigMap rule would reject them after synth.
      ['secret-looking env name', (s: any) => (svc(s, 'api').env.STRIPE_SECRET_KEY = 'sk_live_abcdefghijklmnop'), 'services.api.env.STRIPE_SECRET_KEY', '"STRIPE_SECRET_KEY" looks like a secret'],
      ['secret-looking env value', (s: any) => (svc(s, 'api').env.PAYMENTS = 'sk_live_abcdefghijklmnop'), 'services.api.env.PAYMENTS', 'the value holds a Stripe-style live key'],
      ['credential URL in env', (s: any) => (svc(s, 'api').env.UPSTREAM = 'https://bob:hunter2@example.com'), 'services.api.env.UPSTREAM', 'a URL with an embedded password'],
      ['secret-looking override env', (s: any) => (s.environments.prod.services = { api: { env: { API_TOKEN: 'x' } } }), 'environments.prod.services.api.env.API_TOKEN', 'looks like a secret'],
      ['secret-looking config file', (s: any) => (svc(s, 'api').files = [{ path: '/etc/app/secret.conf', content: 'x' }]), 'services.api.files[0]', 'looks like a secret'],
      [
        'secret variable collision',
        (s: any) => {
          svc(s, 'api').secrets = { A: { secret: 'db-password', key: 'password' }, B: { secret: 'db', key: 'password-password' } };
        },
        'services.api.secrets.B',
        'secret db/password-password and secret db-password/password (services.api.secrets.A) both map to the compose variable DB_PASSWORD_PASSWORD',
      ],
      [
        'secret file variable collision',
        (s: any) => {
          svc(s, 'api').secrets = { A: { secret: 'db', key: 'password-file' } };
          svc(s, 'api').files = [{ path: '/run/secrets/pw', secret: { secret: 'db', key: 'password' } }];
        },
        'services.api.files[0].secret',
        'both map to the compose variable DB_PASSWORD_FILE',
      ],
      // What the policy gate rejects, validation rejects first.
      ['writable root filesystem', (s: any) => (svc(s, 'api').readOnlyRootFilesystem = false), 'services.api.readOnlyRootFilesystem', 'the policy gate (read-only-root-filesystem) rejects a writable root filesystem'],
      ['2 replicas without a PDB', (s: any) => (s.environments.prod.podDisruptionBudgets = false, (svc(s, 'api').replicas = 2)), 'environments.prod.podDisruptionBudgets', 'service "api" runs 2 replicas, and the policy gate (pod-disruption-budget) wants a PodDisruptionBudget'],
      ['unknown gate waiver', (s: any) => (svc(s, 'api').gateWaivers = [{ rule: 'privileged', reason: 'because we must' }]), 'services.api.gateWaivers[0].rule', '"privileged" cannot be waived'],
      // Storage.
      ['RWO volume on a replicated Deployment', (s: any) => (svc(s, 'api').volumes = [{ name: 'up', mountPath: '/up' }], (svc(s, 'api').replicas = 2)), 'services.api.volumes[0].accessMode', 'a ReadWriteOnce volume attaches to one pod, but the service runs up to 2 replicas'],
      ['RWO volume with autoscaling', (s: any) => (svc(s, 'api').volumes = [{ name: 'up', mountPath: '/up' }], (s.environments.prod.services = { api: { autoscaling: { minReplicas: 2, maxReplicas: 4 } } })), 'services.api.volumes[0].accessMode', 'environment "prod" runs up to 4 replicas'],
      // Files.
      ['file with two sources', (s: any) => (svc(s, 'api').files = [{ path: '/etc/a.conf', content: 'x', source: 'a.conf' }]), 'services.api.files[0]', 'set exactly one of content, source, secret (found content, source)'],
      ['relative file path', (s: any) => (svc(s, 'api').files = [{ path: 'etc/a.conf', content: 'x' }]), 'services.api.files[0].path', 'is not an absolute file path'],
      ['file source outside the repo', (s: any) => (svc(s, 'api').files = [{ path: '/etc/a.conf', source: '../a.conf' }]), 'services.api.files[0].source', 'must be a path inside the repo'],
      // Start order and reachability.
      ['healthy on a service without health', (s: any) => (delete svc(s, 'db').health, (svc(s, 'api').dependsOn = [{ service: 'db', condition: 'healthy' }])), 'services.api.dependsOn[0].condition', '"db" has no health check, so "healthy" can never be reached'],
      ['completed on a service', (s: any) => (svc(s, 'api').dependsOn = [{ service: 'db', condition: 'completed' }]), 'services.api.dependsOn[0].condition', '"db" is a long-running service and never completes'],
      ['talksTo unknown', (s: any) => (svc(s, 'api').talksTo = ['dbb']), 'services.api.talksTo[0]', 'unknown service "dbb"'],
      ['talksTo a service without ports', (s: any) => (svc(s, 'db').talksTo = ['api'], (svc(s, 'api').ports = []), delete svc(s, 'api').ingressPath, delete svc(s, 'api').health), 'services.db.talksTo[0]', '"db" talks to "api", which declares no port'],
      // Commands and jobs.
      ['empty entrypoint', (s: any) => (svc(s, 'api').entrypoint = []), 'services.api.entrypoint', 'an empty entrypoint would clear the image ENTRYPOINT'],
      ['job with ports', (s: any) => (svc(s, 'api').job = {}), 'services.api.ports', 'a job serves nothing'],
      ['bad cron', (s: any) => (s.services.push({ name: 'nightly', role: 'worker', image: { ref: 'x:1' }, job: { schedule: 'every night' } })), 'services.nightly.job.schedule', 'is not a 5-field cron schedule'],
      ['waiting on a scheduled job', (s: any) => (s.services.push({ name: 'nightly', role: 'worker', image: { ref: 'x:1' }, job: { schedule: '0 3 * * *' } }), svc(s, 'api').dependsOn.push('nightly')), 'services.api.dependsOn[1]', 'is a scheduled job'],
      ['floating tags in Kubernetes', (s: any) => (s.environments.prod.allowFloatingTags = true), 'environments.prod.allowFloatingTags', 'the policy gate (image-tag) rejects floating tags'],
      ['namespace in compose', (s: any) => (s.environments.local.namespace = 'x'), 'environments.local.namespace', 'a Kubernetes setting'],
      // Escape hatch.
      ['compose patch of unknown service', (s: any) => (s.environments.local.patches = { compose: { apii: { shm_size: '1g' } } }), 'environments.local.patches.compose.apii', 'unknown service "apii"'],
      ['compose patch undoing hardening', (s: any) => (s.environments.local.patches = { compose: { api: { read_only: false } } }), 'environments.local.patches.compose.api.read_only', 'would undo the hardening'],
      ['compose patch on kubernetes', (s: any) => (s.environments.prod.patches = { compose: { api: { shm_size: '1g' } } }), 'environments.prod.patches.compose', 'compose patches apply only to compose environments'],
      ['patch op without value', (s: any) => (s.environments.prod.patches = { kubernetes: [{ kind: 'Deployment', name: 'api', patch: [{ op: 'add', path: '/x' }] }] }), 'environments.prod.patches.kubernetes[0].patch[0].value', '"add" needs a value'],
      // Overrides and metadata.
      ['floating override image', (s: any) => (s.environments.prod.services = { db: { image: 'postgres' } }), 'environments.prod.services.db.image', 'image "postgres" is untagged or :latest'],
      ['database published beyond loopback', (s: any) => (svc(s, 'db').ports[0].hostPort = 5432, (svc(s, 'db').ports[0].hostAddress = '0.0.0.0')), 'services.db.ports[0].hostAddress', 'a database port is never published beyond loopback'],
      ['bad host address override', (s: any) => (s.environments.local.services = { api: { hostAddress: 'localhost' } }), 'environments.local.services.api.hostAddress', '"localhost" is not an IPv4 address'],
      ['bad label value', (s: any) => (svc(s, 'api').labels = { team: 'a b' }), 'services.api.labels.team', 'label value "a b" is not valid'],
      ['reserved label', (s: any) => (svc(s, 'api').labels = { 'app.kubernetes.io/name': 'x' }), 'services.api.labels.app.kubernetes.io/name', 'app.kubernetes.io/ labels are set by the renderer'],
      ['override secret also plain', (s: any) => (s.environments.prod.services = { api: { secrets: { LOG_LEVEL: { secret: 'x', key: 'y' } } } }), 'environments.prod.services.api.secrets.LOG_LEVEL', 'is also plain env'],
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

    it('accepts a service with no health check, and the new fields used as intended', () => {
      const spec = mutate((s) => {
        delete svc(s, 'db').health;
        svc(s, 'api').dependsOn = [{ service: 'db', condition: 'started' }];
        svc(s, 'api').talksTo = ['db'];
        svc(s, 'api').entrypoint = ['/bin/tini', '--'];
        svc(s, 'api').command = ['serve', '--port', '8000'];
        svc(s, 'api').files = [{ path: '/etc/app/app.conf', content: 'a=1' }, { path: '/run/secrets/token', secret: { secret: 'api', key: 'token' } }];
        svc(s, 'api').labels = { team: 'payments' };
        svc(s, 'api').annotations = { 'example.com/owner': 'Payments team <pay@example.com>' };
        svc(s, 'api').volumes = [{ name: 'uploads', mountPath: '/uploads', sizeGiB: 2 }];
        s.services.push({ name: 'seed', role: 'worker', image: { ref: 'x:1' }, job: {}, command: ['seed'] });
        s.services.push({ name: 'nightly', role: 'worker', image: { ref: 'x:1' }, job: { schedule: '0 3 * * *' }, restart: 'never' });
        svc(s, 'api').dependsOn.push('seed');
        s.environments.prod.services = { api: { command: ['serve'], secrets: { EXTRA: { secret: 'api', key: 'extra' } }, labels: { tier: 'gold' } } };
        s.environments.local.services = { api: { hostAddress: '0.0.0.0', image: 'example/api:1.2.3' } };
      });
      expect(validate(spec)).toEqual([]);
    });

    // Issue 19: a redis with no ports that api reaches got a Deployment and no Service, so "redis" did not resolve.
    it('refuses a dependsOn target with no port when Kubernetes output is made, naming both services and the fix', () => {
      const portless = (s: any) => {
        s.services.push({ name: 'redis', role: 'cache', image: { ref: 'redis:7.2' } });
        svc(s, 'api').dependsOn = ['db', 'redis'];
      };
      expect(validate(mutate(portless))).toEqual([
        { path: 'services.api.dependsOn[1]', message: expect.stringMatching(/"api" depends on "redis", which declares no port: Kubernetes gets no Service for "redis".*fix: add the port "redis" listens on to services\.redis\.ports/) },
      ]);
      // Compose needs no port inside its network: without a Kubernetes environment it stays valid.
      expect(validate(mutate((s) => (portless(s), delete s.environments.prod)))).toEqual([]);
      // A job serves nothing: waiting for it to complete needs no port.
      expect(validate(mutate((s) => (portless(s), Object.assign(svc(s, 'redis'), { job: {} }), (svc(s, 'api').dependsOn = ['db', { service: 'redis', condition: 'completed' }]))))).toEqual([]);
    });

    it('accepts an HTTP client when the probe compose checks (readiness first) is HTTP', () => {
      const spec = mutate((s) => {
        Object.assign(svc(s, 'db').health, { readiness: { http: { path: '/ready', port: svc(s, 'db').ports[0].name } }, composeHttpClient: 'curl' });
        Object.assign(svc(s, 'api').health, { composeHttpClient: 'wget' });
      });
      expect(validate(spec)).toEqual([]);
    });

    it('allows :latest where the environment allows floating tags', () => {
      const spec = mutate((s) => {
        svc(s, 'db').image.ref = 'postgres:latest';
        s.environments = { local: { target: 'compose', allowFloatingTags: true } };
      });
      expect(validate(spec)).toEqual([]);
    });
  });

  describe('trust boundaries and real-cluster limits', () => {
    const mb = (n: number) => 'x'.repeat(Math.round(n * 1024 * 1024));
    it.each([
      // System namespaces.
      ['kube-system namespace', (s: any) => (s.environments.prod.namespace = 'kube-system'), 'environments.prod.namespace', '"kube-system" is a Kubernetes system namespace'],
      ['default namespace', (s: any) => (s.environments.prod.namespace = 'default'), 'environments.prod.namespace', 'set allowSystemNamespace: true if you mean it'],
      ['a stack named like a system namespace', (s: any) => (s.name = 'kube-public'), 'environments.prod.namespace', '"kube-public" (the stack name, used when namespace is not set) is a Kubernetes system namespace'],
      ['allowSystemNamespace on compose', (s: any) => (s.environments.local.allowSystemNamespace = true), 'environments.local.allowSystemNamespace', 'a Kubernetes setting'],
      // Host access through the compose escape hatch, judged as on Kubernetes.
      ['compose patch binding the Docker socket', (s: any) => (s.environments.local.patches = { compose: { api: { volumes: ['/var/run/docker.sock:/var/run/docker.sock'] } } }), 'environments.local.patches.compose.api.volumes[0]', 'a mount of the host filesystem (the Docker socket (root on the host)), which the field scanners (trivy KSV-0023) refuse on Kubernetes too'],
      ['compose patch binding /proc (long syntax)', (s: any) => (s.environments.local.patches = { compose: { api: { volumes: [{ type: 'volume', source: 'ok', target: '/ok' }, { type: 'bind', source: '/proc', target: '/host/proc' }] } } }), 'environments.local.patches.compose.api.volumes[1]', "the host's /proc"],
      ['compose patch binding /', (s: any) => (s.environments.local.patches = { compose: { api: { volumes: ['/:/host:ro'] } } }), 'environments.local.patches.compose.api.volumes[0]', "the host's root filesystem"],
      ['compose patch binding /sys', (s: any) => (s.environments.local.patches = { compose: { api: { volumes: ['/sys:/sys'] } } }), 'environments.local.patches.compose.api.volumes[0]', "the host's /sys"],
      ['compose patch binding a repo path', (s: any) => (s.environments.local.patches = { compose: { api: { volumes: ['./data:/data'] } } }), 'environments.local.patches.compose.api.volumes[0]', 'trivy KSV-0023'],
      ['compose patch privileged', (s: any) => (s.environments.local.patches = { compose: { api: { privileged: true } } }), 'environments.local.patches.compose.api.privileged', 'privileged mode'],
      ['compose patch cap_add', (s: any) => (s.environments.local.patches = { compose: { api: { cap_add: ['SYS_ADMIN'] } } }), 'environments.local.patches.compose.api.cap_add', 'trivy KSV-0003, KSV-0106'],
      ['compose patch pid: host', (s: any) => (s.environments.local.patches = { compose: { api: { pid: 'host' } } }), 'environments.local.patches.compose.api.pid', 'trivy KSV-0008, KSV-0009, KSV-0010'],
      ['compose patch network_mode: host', (s: any) => (s.environments.local.patches = { compose: { api: { network_mode: 'host' } } }), 'environments.local.patches.compose.api.network_mode', 'trivy KSV-0008, KSV-0009, KSV-0010'],
      ['compose patch ipc: host', (s: any) => (s.environments.local.patches = { compose: { api: { ipc: 'host' } } }), 'environments.local.patches.compose.api.ipc', 'trivy KSV-0008, KSV-0009, KSV-0010'],
      ['compose patch uts: host', (s: any) => (s.environments.local.patches = { compose: { api: { uts: 'host' } } }), 'environments.local.patches.compose.api.uts', 'trivy KSV-0008, KSV-0009, KSV-0010'],
      ['compose patch userns_mode: host', (s: any) => (s.environments.local.patches = { compose: { api: { userns_mode: 'host' } } }), 'environments.local.patches.compose.api.userns_mode', 'trivy KSV-0008, KSV-0009, KSV-0010'],
      ['compose patch devices', (s: any) => (s.environments.local.patches = { compose: { api: { devices: ['/dev/kvm'] } } }), 'environments.local.patches.compose.api.devices', 'host devices'],
      ['compose patch binding the Docker socket at /run', (s: any) => (s.environments.local.patches = { compose: { api: { volumes: ['/run/docker.sock:/var/run/docker.sock'] } } }), 'environments.local.patches.compose.api.volumes[0]', 'the Docker socket (root on the host)'],
      ['compose patch seccomp unconfined', (s: any) => (s.environments.local.patches = { compose: { api: { security_opt: ['seccomp:unconfined'] } } }), 'environments.local.patches.compose.api.security_opt[0]', 'trivy KSV-0030, KSV-0104'],
      ['compose patch extends', (s: any) => (s.environments.local.patches = { compose: { api: { extends: { file: 'other.yml', service: 'x' } } } }), 'environments.local.patches.compose.api.extends', 'past every check of the spec'],
      ['kubernetes patch adding a hostPath volume', (s: any) => (s.environments.prod.patches = { kubernetes: [{ kind: 'Deployment', name: 'api', patch: [{ op: 'add', path: '/spec/template/spec/volumes/-', value: { name: 'h', hostPath: { path: '/var/run/docker.sock' } } }] }] }), 'environments.prod.patches.kubernetes[0].patch[0]', 'trivy KSV-0023'],
      ['kubernetes patch copying a true onto hostNetwork', (s: any) => (s.environments.prod.patches = { kubernetes: [{ kind: 'Deployment', name: 'api', patch: [{ op: 'copy', from: '/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem', path: '/spec/template/spec/hostNetwork' }] }] }), 'environments.prod.patches.kubernetes[0].patch[0]', 'trivy KSV-0008, KSV-0009, KSV-0010'],
      ['kubernetes patch moving a true onto privileged', (s: any) => (s.environments.prod.patches = { kubernetes: [{ kind: 'Deployment', name: 'api', patch: [{ op: 'move', from: '/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem', path: '/spec/template/spec/containers/0/securityContext/privileged' }] }] }), 'environments.prod.patches.kubernetes[0].patch[0]', 'trivy KSV-0017'],
      ['kubernetes patch setting hostNetwork', (s: any) => (s.environments.prod.patches = { kubernetes: [{ kind: 'Deployment', name: 'api', patch: [{ op: 'add', path: '/spec/template/spec/hostNetwork', value: true }] }] }), 'environments.prod.patches.kubernetes[0].patch[0]', 'trivy KSV-0008, KSV-0009, KSV-0010'],
      // Sizes a cluster refuses.
      ['negative volume size', (s: any) => (svc(s, 'db').volumes[0].sizeGiB = -5), 'services.db.volumes[0].sizeGiB', 'must be a positive number of GiB (1 or more), got -5'],
      ['zero volume size', (s: any) => (svc(s, 'db').volumes[0].sizeGiB = 0), 'services.db.volumes[0].sizeGiB', 'got 0'],
      ['zero volume size override', (s: any) => (s.environments.prod.services = { db: { volumeSizeGiB: { data: 0 } } }), 'environments.prod.services.db.volumeSizeGiB.data', 'must be a positive number of GiB'],
      ['a billion replicas', (s: any) => (svc(s, 'api').replicas = 1e9), 'services.api.replicas', '1000000000 replicas is above the maximum of 1000'],
      ['too many replicas in an environment', (s: any) => (s.environments.prod.services = { api: { replicas: 1001 } }), 'environments.prod.services.api.replicas', 'above the maximum of 1000'],
      ['autoscaling beyond the maximum', (s: any) => (s.environments.prod.services = { api: { autoscaling: { minReplicas: 1, maxReplicas: 5000 } } }), 'environments.prod.services.api.autoscaling.maxReplicas', 'above the maximum of 1000'],
      ['env ConfigMap over 1 MiB', (s: any) => (svc(s, 'api').env = { A: mb(0.6), B: mb(0.6) }), 'services.api.env', 'a ConfigMap holds at most 1048576 (1 MiB)'],
      ['env ConfigMap over 1 MiB after an override', (s: any) => ((svc(s, 'api').env = { A: mb(0.6) }), (s.environments.prod.services = { api: { env: { B: mb(0.6) } } })), 'environments.prod.services.api.env', 'a ConfigMap holds at most'],
      ['config files over 1 MiB', (s: any) => (svc(s, 'api').files = [{ path: '/etc/a', content: mb(0.6) }, { path: '/etc/b', content: mb(0.6) }]), 'services.api.files', 'their ConfigMap holds at most'],
      ['annotations over 256 KiB', (s: any) => (svc(s, 'api').annotations = { 'example.com/a': mb(0.3) }), 'services.api.annotations', 'Kubernetes allows 256 KiB per object'],
      ['one string over 1 MiB', (s: any) => (svc(s, 'api').env.HUGE = mb(50)), 'services.api.env.HUGE', 'the value is 52428800 bytes; at most 1048576 (1 MiB)'],
      // Hosts and paths.
      ['ingress host with an empty label', (s: any) => (s.environments.prod.ingress.host = '*.evil..com'), 'environments.prod.ingress.host', 'is not an RFC 1123 host name'],
      ['ingress host with a wildcard inside a label', (s: any) => (s.environments.prod.ingress.host = 'a*.example.com'), 'environments.prod.ingress.host', 'a wildcard only as the whole first label'],
      ['ingress host with a wildcard label in the middle', (s: any) => (s.environments.prod.ingress.host = 'a.*.example.com'), 'environments.prod.ingress.host', 'a wildcard only as the whole first label'],
      ['ingress host with two wildcard labels', (s: any) => (s.environments.prod.ingress.host = '*.*.example.com'), 'environments.prod.ingress.host', 'is not an RFC 1123 host name'],
      ['ingress host in capitals', (s: any) => (s.environments.prod.ingress.host = 'Demo.example.com'), 'environments.prod.ingress.host', 'is not an RFC 1123 host name'],
      ['ingress path climbing up', (s: any) => (svc(s, 'api').ingressPath = '/../../x'), 'services.api.ingressPath', '"/../../x" is not a normalised path'],
      ['ingress path with //', (s: any) => (svc(s, 'api').ingressPath = '/api//v1'), 'services.api.ingressPath', 'is not a normalised path'],
      ['ingress path with a . segment', (s: any) => (svc(s, 'api').ingressPath = '/api/./v1'), 'services.api.ingressPath', 'is not a normalised path'],
      ['health path climbing up', (s: any) => (svc(s, 'api').health.liveness.http.path = '/a/../health'), 'services.api.health.liveness.http.path', 'is not a normalised path'],
      // Control characters.
      ['a newline in an image reference', (s: any) => (svc(s, 'db').image.ref = 'postgres:16\nx: y'), 'services.db.image.ref', 'holds the control character U+000A (this field is one line)'],
      ['NUL in an env value', (s: any) => (svc(s, 'api').env.LOG_LEVEL = 'INFO\u0000'), 'services.api.env.LOG_LEVEL', 'holds the control character U+0000; remove it'],
      ['escape in an argument', (s: any) => (svc(s, 'api').command = ['serve', '\u001b[31m']), 'services.api.command[1]', 'holds the control character U+001B'],
      ['DEL in an env value', (s: any) => (svc(s, 'api').env.LOG_LEVEL = 'INFO\u007f'), 'services.api.env.LOG_LEVEL', 'holds the control character U+007F'],
      ['control character in a key', (s: any) => (svc(s, 'api').labels = { 'te\u0007am': 'x' }), 'services.api.labels["te\\u0007am"]', 'the key holds the control character U+0007'],
      // Image references (docker/distribution grammar).
      ['uppercase image name', (s: any) => (svc(s, 'db').image.ref = 'Postgres:16'), 'services.db.image.ref', 'is not a valid image reference'],
      ['tag starting with a dot', (s: any) => (svc(s, 'db').image.ref = 'postgres:.16'), 'services.db.image.ref', 'is not a valid image reference'],
      ['tag too long', (s: any) => (svc(s, 'db').image.ref = `postgres:${'a'.repeat(129)}`), 'services.db.image.ref', 'is not a valid image reference'],
      ['bad digest', (s: any) => (svc(s, 'db').image.ref = 'postgres@sha256:xyz'), 'services.db.image.ref', 'is not a valid image reference'],
      ['bad override image', (s: any) => (s.environments.prod.services = { db: { image: 'postgres:16 --privileged' } }), 'environments.prod.services.db.image', 'is not a valid image reference'],
      ['bad base image', (s: any) => (svc(s, 'api').image.build.baseImages = { PY: 'python:3.13 slim' }), 'services.api.image.build.baseImages.PY', 'is not a valid image reference'],
      ['bad mirror', (s: any) => (s.imageMirrors = { 'postgres:16-alpine': 'mirror//postgres:16' }), 'imageMirrors.postgres:16-alpine', 'is not a valid image reference'],
      ['bad repository', (s: any) => (svc(s, 'api').image.repository = 'My_Api'), 'services.api.image.repository', 'is not an image repository'],
      ['bad registry', (s: any) => (s.environments.prod.registry = 'registry.example.com/Team'), 'environments.prod.registry', 'is not a registry prefix'],
      // Paths Docker and compose read stay in the repo (symlinks: libs/build-inputs repoPathIssues).
      ['build context ..', (s: any) => (svc(s, 'api').image.build.context = '..'), 'services.api.image.build.context', '".." must be a path inside the repo'],
      ['absolute build context', (s: any) => (svc(s, 'api').image.build.context = '/etc'), 'services.api.image.build.context', 'must be a path inside the repo'],
      ['dev mount climbing out', (s: any) => (svc(s, 'api').dev = { mounts: [{ source: 'src/../../x', target: '/app' }] }), 'services.api.dev.mounts[0].source', 'must be a path inside the repo'],
      // Writable paths.
      ['the root as a writable path', (s: any) => (svc(s, 'api').writablePaths = ['/']), 'services.api.writablePaths[0]', 'the whole filesystem cannot be a writable mount'],
      ['nested writable paths', (s: any) => (svc(s, 'api').writablePaths = ['/tmp', '/tmp/cache']), 'services.api.writablePaths[1]', '"/tmp/cache" overlaps writable path "/tmp"'],
      ['writable paths that name one volume', (s: any) => (svc(s, 'api').writablePaths = ['/var/a-b', '/var/a_b']), 'services.api.writablePaths[1]', 'would get the same volume name'],
      ['a writable path with ..', (s: any) => (svc(s, 'api').writablePaths = ['/tmp/../etc']), 'services.api.writablePaths[0]', 'is not a normalised path'],
    ])('%s', (_, change, path, message) => {
      const issues = validate(mutate(change));
      expect(issues).toContainEqual({ path, message: expect.stringContaining(message) });
    });

    it('accepts what the rules allow: a system namespace when allowed, a wildcard host, pinned references of every form', () => {
      const spec = mutate((s) => {
        s.environments.prod.namespace = 'default';
        s.environments.prod.allowSystemNamespace = true;
        s.environments.prod.ingress.host = '*.example.com';
        svc(s, 'db').image.ref = `registry.example.com:5000/lib/postgres:16-alpine@sha256:${'a'.repeat(64)}`;
        svc(s, 'db').volumes[0].sizeGiB = 2;
        svc(s, 'api').replicas = 1000;
        svc(s, 'api').writablePaths = ['/tmp', '/var/cache/app'];
        svc(s, 'api').command = ['sh', '-c', 'echo one\n\techo two'];
        s.environments.prod.services = { api: { autoscaling: { minReplicas: 2, maxReplicas: 1000 } } };
        s.environments.local.patches = { compose: { api: { volumes: [{ type: 'volume', source: 'cache', target: '/cache' }, 'cache2:/cache2'], shm_size: '64m' } } };
      });
      expect(validate(spec)).toEqual([]);
    });

    it('refuses NaN and Infinity from a TypeScript spec, naming them', () => {
      const spec: any = validStack();
      spec.services[0].volumes[0].sizeGiB = NaN;
      expect(validate(spec)).toEqual([{ path: 'services.db.volumes[0].sizeGiB', message: 'must be an integer, got NaN' }]);
      spec.services[0].volumes[0].sizeGiB = 1;
      spec.services[1].replicas = Infinity;
      expect(validate(spec)).toEqual([{ path: 'services.api.replicas', message: expect.stringContaining('Infinity is too large') }]);
    });

    it('stops at an oversized string before any other rule reads it', () => {
      const spec = mutate((s) => (svc(s, 'api').env.HUGE = 'sk_live_'.repeat(8 * 1024 * 1024)));
      const started = Date.now();
      expect(validate(spec)).toEqual([{ path: 'services.api.env.HUGE', message: expect.stringContaining('at most 1048576 (1 MiB)') }]);
      expect(Date.now() - started).toBeLessThan(2000);
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
