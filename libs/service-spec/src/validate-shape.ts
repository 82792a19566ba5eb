import type { SpecIssue } from './errors';

/**
 * Phase 1: shape. Specs may come from JSON or YAML as well as TypeScript, so
 * the types are checked at run time before any meaning is read from them.
 */
type Check = (value: unknown, path: string, out: SpecIssue[]) => void;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

const str: Check = (v, p, out) => {
  if (typeof v !== 'string' || v.length === 0) out.push({ path: p, message: `must be a non-empty string, got ${typeName(v)}` });
};
/** Command arguments may legitimately be empty strings. */
const arg: Check = (v, p, out) => {
  if (typeof v !== 'string') out.push({ path: p, message: `must be a string, got ${typeName(v)}` });
};
const int: Check = (v, p, out) => {
  if (typeof v !== 'number' || !Number.isInteger(v)) out.push({ path: p, message: `must be an integer, got ${JSON.stringify(v)}` });
};
const bool: Check = (v, p, out) => {
  if (typeof v !== 'boolean') out.push({ path: p, message: `must be true or false, got ${JSON.stringify(v)}` });
};
const oneOf =
  (...allowed: string[]): Check =>
  (v, p, out) => {
    if (typeof v !== 'string' || !allowed.includes(v)) out.push({ path: p, message: `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${JSON.stringify(v)}` });
  };
const arrayOf =
  (item: Check): Check =>
  (v, p, out) => {
    if (!Array.isArray(v)) return void out.push({ path: p, message: `must be an array, got ${typeName(v)}` });
    v.forEach((x, i) => item(x, `${p}[${i}]`, out));
  };
const recordOf =
  (item: Check): Check =>
  (v, p, out) => {
    if (!isObj(v)) return void out.push({ path: p, message: `must be an object, got ${typeName(v)}` });
    for (const [k, x] of Object.entries(v)) item(x, `${p}.${k}`, out);
  };
const obj =
  (fields: Record<string, [Check, 'required' | 'optional']>): Check =>
  (v, p, out) => {
    if (!isObj(v)) return void out.push({ path: p, message: `must be an object, got ${typeName(v)}` });
    for (const [k, [check, need]] of Object.entries(fields)) {
      if (v[k] === undefined) {
        if (need === 'required') out.push({ path: `${p}.${k}`, message: 'is required' });
      } else check(v[k], `${p}.${k}`, out);
    }
    for (const k of Object.keys(v)) {
      if (!(k in fields)) out.push({ path: `${p}.${k}`, message: `unknown field; expected one of: ${Object.keys(fields).join(', ')}` });
    }
  };
const req = (c: Check): [Check, 'required'] => [c, 'required'];
const opt = (c: Check): [Check, 'optional'] => [c, 'optional'];

const probe = obj({
  http: opt(obj({ path: req(str), port: req(str) })),
  tcp: opt(obj({ port: req(str) })),
  exec: opt(obj({ command: req(arrayOf(str)) })),
  periodSeconds: opt(int),
  timeoutSeconds: opt(int),
  failureThreshold: opt(int),
  initialDelaySeconds: opt(int),
});
const anyValue: Check = () => undefined;
const stringOr =
  (other: Check): Check =>
  (v, p, out) =>
    typeof v === 'string' ? str(v, p, out) : other(v, p, out);
const range = obj({ request: req(int), limit: req(int) });
const resources = obj({ cpuMillis: opt(range), memoryMiB: opt(range) });
const autoscaling = obj({ minReplicas: req(int), maxReplicas: req(int), cpuUtilization: opt(int) });

const service = obj({
  name: req(str),
  role: req(oneOf('web', 'api', 'database', 'worker', 'cache')),
  runtime: opt(oneOf('python', 'node', 'none')),
  image: req(
    obj({
      build: opt(obj({ context: req(str), dockerfile: req(str), baseImages: opt(recordOf(str)) })),
      repository: opt(str),
      ref: opt(str),
    }),
  ),
  ports: opt(arrayOf(obj({ name: req(str), port: req(int), protocol: opt(oneOf('TCP', 'UDP')), hostPort: opt(int), hostAddress: opt(str) }))),
  env: opt(recordOf(str)),
  secrets: opt(recordOf(obj({ secret: req(str), key: req(str), optional: opt(bool), localDefault: opt(str) }))),
  health: opt(obj({ liveness: opt(probe), readiness: opt(probe), startup: opt(probe), composeCommand: opt(arrayOf(str)) })),
  resources: opt(resources),
  replicas: opt(int),
  volumes: opt(arrayOf(obj({ name: req(str), mountPath: req(str), sizeGiB: opt(int), accessMode: opt(oneOf('ReadWriteOnce', 'ReadWriteMany')), storageClass: opt(str) }))),
  files: opt(arrayOf(obj({ path: req(str), content: opt(arg), source: opt(str), secret: opt(obj({ secret: req(str), key: req(str) })) }))),
  writablePaths: opt(arrayOf(str)),
  readOnlyRootFilesystem: opt(bool),
  dependsOn: opt(arrayOf(stringOr(obj({ service: req(str), condition: opt(oneOf('healthy', 'started', 'completed')) })))),
  talksTo: opt(arrayOf(str)),
  ingressPath: opt(str),
  ingressPort: opt(str),
  migration: opt(obj({ command: req(arrayOf(arg)), entrypoint: opt(arrayOf(arg)) })),
  user: opt(obj({ uid: req(int), gid: req(int) })),
  entrypoint: opt(arrayOf(arg)),
  command: opt(arrayOf(arg)),
  job: opt(obj({ schedule: opt(str), backoffLimit: opt(int), activeDeadlineSeconds: opt(int) })),
  restart: opt(oneOf('always', 'on-failure', 'never')),
  labels: opt(recordOf(arg)),
  annotations: opt(recordOf(arg)),
  gateWaivers: opt(arrayOf(obj({ rule: req(str), reason: req(str) }))),
  externalEgress: opt(arrayOf(obj({ cidr: req(str), ports: req(arrayOf(int)), reason: req(str) }))),
  dev: opt(
    obj({
      mounts: opt(arrayOf(obj({ source: req(str), target: req(str) }))),
      command: opt(arrayOf(str)),
      env: opt(recordOf(str)),
    }),
  ),
});

const environment = obj({
  target: req(oneOf('compose', 'kubernetes')),
  namespace: opt(str),
  registry: opt(str),
  imagePullPolicy: opt(oneOf('IfNotPresent', 'Always', 'Never')),
  ingress: opt(obj({ host: req(str), className: opt(str), tlsSecret: opt(str), controllerNamespace: opt(str) })),
  podDisruptionBudgets: opt(bool),
  allowFloatingTags: opt(bool),
  patches: opt(
    obj({
      kubernetes: opt(
        arrayOf(
          obj({
            kind: req(str),
            name: req(str),
            patch: req(arrayOf(obj({ op: req(oneOf('add', 'remove', 'replace', 'copy', 'move', 'test')), path: req(arg), value: opt(anyValue), from: opt(arg) }))),
          }),
        ),
      ),
      compose: opt(recordOf(recordOf(anyValue))),
    }),
  ),
  services: opt(
    recordOf(
      obj({
        image: opt(str),
        entrypoint: opt(arrayOf(arg)),
        command: opt(arrayOf(arg)),
        replicas: opt(int),
        env: opt(recordOf(str)),
        secrets: opt(recordOf(obj({ secret: req(str), key: req(str), optional: opt(bool), localDefault: opt(str) }))),
        hostAddress: opt(str),
        labels: opt(recordOf(arg)),
        annotations: opt(recordOf(arg)),
        resources: opt(resources),
        autoscaling: opt(autoscaling),
        volumeSizeGiB: opt(recordOf(int)),
      }),
    ),
  ),
});

const stack = obj({
  name: req(str),
  services: req(arrayOf(service)),
  environments: req(recordOf(environment)),
  imageMirrors: opt(recordOf(str)),
});

/** Reports every shape problem; paths use array indexes (names are not yet trusted). */
export function validateShape(spec: unknown): SpecIssue[] {
  const out: SpecIssue[] = [];
  stack(spec, 'spec', out);
  return out.map((i) => ({ path: i.path.replace(/^spec\.?/, '') || '(root)', message: i.message }));
}
