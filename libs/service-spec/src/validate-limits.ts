import type { SpecIssue } from './errors';
import type { StackSpec } from './types';
import { specPath } from './validate-shape';

/**
 * Limits a real cluster (and a sane spec file) has, checked before anything is
 * rendered: Kubernetes would refuse the objects at apply time, long after synth
 * said everything was fine.
 */

/** Largest spec file read (JSON or YAML), and largest string anywhere in a spec: 1 MiB. */
export const MAX_SPEC_BYTES = 1024 * 1024;
/** Kubernetes keeps a ConfigMap's data (or a Secret's) under 1 MiB. */
export const MAX_CONFIG_BYTES = 1024 * 1024;
/** Kubernetes allows 256 KiB of annotations (keys and values) per object; synth adds its own (config hash), so the spec gets 1 KiB less. */
export const MAX_ANNOTATION_BYTES = 256 * 1024 - 1024;
/** Most replicas a service (or its autoscaler) may ask for: far above any real stack, far below what a typo like `1e9` asks. */
export const MAX_REPLICAS = 1000;

/** Kubernetes' own namespaces: a stack deployed into one mixes with the cluster's system workloads (or everyone's `default`). */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'default']);

export const utf8Bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// NUL and the other C0 controls and DEL: no output format carries them as text.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LINE_BREAK = /[\n\r\t]/;
/**
 * Fields whose strings are free text, where a line break or tab is meaningful
 * (a shell script argument, a config file, a multi-line value). Every other
 * string (names, paths, images, hosts, ...) is one line.
 */
const MULTILINE_FIELDS = new Set(['env', 'command', 'entrypoint', 'composeCommand', 'content', 'annotations', 'localDefault', 'patches', 'reason']);

const escapePointer = (k: string) => k.replace(/~/g, '~0').replace(/\//g, '~1');

function describeChar(c: string): string {
  return `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The cheap first pass, before the schema and every other rule look at a value:
 * an oversized string stops validation at once (a 50 MB env value must not be
 * run through every pattern), and a control character in any string is refused
 * at its field, since it would be written into the manifests and compose files.
 */
export function stringLimits(spec: unknown): SpecIssue[] {
  const out: SpecIssue[] = [];
  const checkString = (s: string, pointer: string, multiline: boolean, what: string) => {
    if (s.length > MAX_SPEC_BYTES / 4 && utf8Bytes(s) > MAX_SPEC_BYTES) {
      out.push({ path: specPath(pointer, spec), message: `${what} is ${utf8Bytes(s)} bytes; at most ${MAX_SPEC_BYTES} (1 MiB) fit in a Kubernetes object: keep large data in the image or a volume` });
      return;
    }
    const control = CONTROL.exec(s) ?? (multiline ? null : LINE_BREAK.exec(s));
    if (control) {
      const where = specPath(pointer, spec) || '(root)';
      out.push({ path: where, message: `${what} holds the control character ${describeChar(control[0])}${multiline ? '' : ' (this field is one line)'}; remove it` });
    }
  };
  const walk = (v: unknown, pointer: string, multiline: boolean): void => {
    if (typeof v === 'string') checkString(v, pointer, multiline, 'the value');
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${pointer}/${i}`, multiline));
    else if (isObj(v)) {
      for (const [k, x] of Object.entries(v)) {
        const child = `${pointer}/${escapePointer(k)}`;
        checkString(k, child, false, 'the key');
        walk(x, child, multiline || MULTILINE_FIELDS.has(k));
      }
    }
  };
  walk(spec, '', false);
  return out;
}

/** `/a/b`, not `/a//b`, `/a/./b` or `/a/../b`: the path a server and the ingress controller see the same way. */
export function checkUrlPath(path: string, field: string, out: SpecIssue[]): boolean {
  const segments = path.split('/').slice(1);
  if (path.includes('//') || segments.some((s) => s === '.' || s === '..')) {
    out.push({ path: field, message: `"${path}" is not a normalised path: remove empty, "." and ".." segments (e.g. "/${segments.filter((s) => s && s !== '.' && s !== '..').join('/')}")` });
    return false;
  }
  return true;
}

const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** RFC 1123 host name; a wildcard only as the whole first label (`*.example.com`), as Ingress allows. */
export function checkIngressHost(host: string, field: string, out: SpecIssue[]): void {
  const labels = host.split('.');
  const rest = labels[0] === '*' ? labels.slice(1) : labels;
  const ok = host.length <= 253 && rest.length > 0 && rest.every((l) => DNS_LABEL_RE.test(l)) && (labels[0] !== '*' || rest.length >= 2);
  if (!ok) {
    out.push({ path: field, message: `"${host}" is not an RFC 1123 host name: lowercase labels of letters, digits and '-' joined by single dots (at most 253 characters); a wildcard only as the whole first label, e.g. "*.example.com"` });
  }
}

// The docker/distribution reference grammar (reference/regexp.go).
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?`;
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^(${NAME})(?::${TAG})?(?:@${DIGEST})?$`);
const REGISTRY_PREFIX = new RegExp(`^${DOMAIN}(?:/${PATH_COMPONENT})*$`);
const REPOSITORY = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);

const REFERENCE_HELP = 'an image reference is [registry[:port]/]lowercase/path[:tag][@algorithm:hex], the tag at most 128 letters, digits, "_", "." and "-" (not starting with "." or "-")';

/** Image references as Docker and the kubelet parse them; a name is at most 255 characters. */
export function checkImageRef(ref: string, field: string, out: SpecIssue[]): void {
  const m = REFERENCE.exec(ref);
  if (!m) out.push({ path: field, message: `${JSON.stringify(ref)} is not a valid image reference: ${REFERENCE_HELP}` });
  else if (m[1].length > 255) out.push({ path: field, message: `the image name is ${m[1].length} characters; at most 255` });
}

/** A registry prefix for built images: `host[:port][/path]`. */
export function checkRegistry(registry: string, field: string, out: SpecIssue[]): void {
  if (!REGISTRY_PREFIX.test(registry.replace(/\/+$/, ''))) out.push({ path: field, message: `${JSON.stringify(registry)} is not a registry prefix such as "registry.example.com:5000/team" (host[:port], then lowercase path components)` });
}

/** The repository of a built image: lowercase path components. */
export function checkRepository(repository: string, field: string, out: SpecIssue[]): void {
  if (!REPOSITORY.test(repository)) out.push({ path: field, message: `${JSON.stringify(repository)} is not an image repository: lowercase letters and digits, separated by ".", "_", "__", "-" or "/"` });
}

/** A size in GiB: positive (`-5` would be written as `storage: -5Gi`, `0` asks for nothing). */
export function checkSize(size: number | undefined, field: string, out: SpecIssue[]): void {
  if (size !== undefined && !(Number.isFinite(size) && size > 0)) out.push({ path: field, message: `must be a positive number of GiB (1 or more), got ${size}` });
}

/** A replica count: 0 to MAX_REPLICAS. */
export function checkReplicas(n: number | undefined, field: string, out: SpecIssue[], min = 0): void {
  if (n === undefined) return;
  if (!Number.isFinite(n) || n < min) out.push({ path: field, message: `must be ${min === 0 ? '0 or more' : `at least ${min}`}, got ${n}` });
  else if (n > MAX_REPLICAS) out.push({ path: field, message: `${n} replicas is above the maximum of ${MAX_REPLICAS}; fix: use a realistic count` });
}

const byteSum = (map: Readonly<Record<string, string>>, keys: boolean) => Object.entries(map).reduce((n, [k, v]) => n + (keys ? utf8Bytes(k) : 0) + utf8Bytes(v), 0);

/**
 * Per environment: the plain env ConfigMap (`<service>-env`), the inline config
 * files ConfigMap (`<service>-files`; sources are added by the repo checks) and
 * the annotations of the workload, each after the environment's overrides.
 */
export function checkObjectSizes(spec: StackSpec, out: SpecIssue[]): void {
  const seen = new Set<string>();
  const push = (issue: SpecIssue) => {
    const key = `${issue.path}\0${issue.message}`;
    if (!seen.has(key)) out.push(issue);
    seen.add(key);
  };
  const envs = Object.entries(spec.environments);
  for (const s of spec.services) {
    const p = `services.${s.name}`;
    for (const [envName, env] of envs.length ? envs : [['', undefined] as const]) {
      const o = env?.services?.[s.name];
      const at = (field: string) => (o && envName ? `environments.${envName}.services.${s.name}.${field}` : `${p}.${field}`);
      const envBytes = byteSum({ ...(s.env ?? {}), ...(o?.env ?? {}) }, false);
      if (envBytes > MAX_CONFIG_BYTES) push({ path: at('env'), message: `the plain env values are ${envBytes} bytes together; a ConfigMap holds at most ${MAX_CONFIG_BYTES} (1 MiB): move large data into a file in the image or a volume` });
      const annotations = { ...(s.annotations ?? {}), ...(o?.annotations ?? {}) };
      const annotationBytes = byteSum(annotations, true);
      if (annotationBytes > MAX_ANNOTATION_BYTES) {
        push({ path: o?.annotations && envName ? at('annotations') : `${p}.annotations`, message: `the annotations are ${annotationBytes} bytes together (keys and values); Kubernetes allows 256 KiB per object and synth adds its own, so at most ${MAX_ANNOTATION_BYTES}` });
      }
    }
    const inline = (s.files ?? []).reduce((n, f) => n + (f.content !== undefined ? utf8Bytes(f.content) : 0), 0);
    if (inline > MAX_CONFIG_BYTES) push({ path: `${p}.files`, message: `the config files are ${inline} bytes together; their ConfigMap holds at most ${MAX_CONFIG_BYTES} (1 MiB): ship large files in the image` });
    const egress = (s.externalEgress ?? []).reduce((n, e) => n + utf8Bytes(e.reason) + e.cidr.length + 16, 0);
    if (egress > MAX_ANNOTATION_BYTES) push({ path: `${p}.externalEgress`, message: `the egress reasons are ${egress} bytes together; they become one annotation of the NetworkPolicy, at most ${MAX_ANNOTATION_BYTES}` });
  }
}
