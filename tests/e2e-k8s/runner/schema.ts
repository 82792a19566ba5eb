// What the pod runner models, field by field. Anything not listed here is refused with its
// path, so a manifest never passes because the runner ignored part of it.
//
// A leaf is `V` (the runner gives the value its kubelet/API-server meaning), an enum of the
// values it models, or `noop(reason)`: accepted because the field has no runtime meaning
// for one apply on one node. Every noop reason is printed by `describeSchema()`.

export type Node = { kind: 'value' } | { kind: 'enum'; values: unknown[] } | { kind: 'noop'; reason: string } | { kind: 'map' } | { kind: 'list'; item: Node } | { kind: 'object'; fields: Record<string, Node> };

const V: Node = { kind: 'value' };
const MAP: Node = { kind: 'map' };
const oneOf = (...values: unknown[]): Node => ({ kind: 'enum', values });
const noop = (reason: string): Node => ({ kind: 'noop', reason });
const list = (item: Node): Node => ({ kind: 'list', item });
const obj = (fields: Record<string, Node>): Node => ({ kind: 'object', fields });

const selector = obj({ matchLabels: MAP, matchExpressions: list(obj({ key: V, operator: oneOf('In', 'NotIn', 'Exists', 'DoesNotExist'), values: list(V) })) });

const annotations = noop('annotations are read by controllers the runner does not run (e.g. config-hash annotations only roll pods on update)');
const metadata = obj({ name: V, namespace: V, labels: MAP, annotations, creationTimestamp: noop('set by the API server; kubectl --dry-run=client writes null') });

const keyRef = obj({ name: V, key: V, optional: V });
const probe = obj({
  exec: obj({ command: list(V) }),
  httpGet: obj({ path: V, port: V, scheme: oneOf('HTTP', 'HTTPS'), httpHeaders: list(obj({ name: V, value: V })) }),
  tcpSocket: obj({ port: V }),
  initialDelaySeconds: V,
  periodSeconds: V,
  timeoutSeconds: V,
  failureThreshold: V,
  successThreshold: V,
});
const quantity = obj({ cpu: V, memory: V });

const container = obj({
  name: V,
  image: V,
  imagePullPolicy: oneOf('IfNotPresent', 'Never'),
  command: list(V),
  args: list(V),
  workingDir: V,
  env: list(obj({ name: V, value: V, valueFrom: obj({ secretKeyRef: keyRef, configMapKeyRef: keyRef, fieldRef: obj({ fieldPath: oneOf('metadata.name', 'metadata.namespace', 'status.podIP', 'spec.nodeName'), apiVersion: V }) }) })),
  envFrom: list(obj({ prefix: V, configMapRef: obj({ name: V, optional: V }), secretRef: obj({ name: V, optional: V }) })),
  ports: list(obj({ containerPort: V, name: V, protocol: oneOf('TCP', 'UDP') })),
  resources: obj({ limits: quantity, requests: obj({ cpu: noop('requests place pods on nodes; one node, no scheduler'), memory: noop('requests place pods on nodes; one node, no scheduler') }) }),
  securityContext: obj({
    allowPrivilegeEscalation: V,
    capabilities: obj({ add: list(V), drop: list(V) }),
    privileged: oneOf(false),
    readOnlyRootFilesystem: V,
    runAsGroup: V,
    runAsNonRoot: V,
    runAsUser: V,
    seccompProfile: obj({ type: oneOf('RuntimeDefault', 'Unconfined') }),
  }),
  livenessProbe: probe,
  readinessProbe: probe,
  startupProbe: probe,
  volumeMounts: list(obj({ name: V, mountPath: V, readOnly: V, subPath: V })),
});

const podSpec = obj({
  containers: list(container),
  initContainers: list(container),
  volumes: list(
    obj({
      name: V,
      emptyDir: obj({ sizeLimit: V, medium: oneOf('', 'Memory') }),
      configMap: obj({ name: V, items: list(obj({ key: V, path: V, mode: V })), defaultMode: V, optional: V }),
      secret: obj({ secretName: V, items: list(obj({ key: V, path: V, mode: V })), defaultMode: V, optional: V }),
      persistentVolumeClaim: obj({ claimName: V, readOnly: V }),
    }),
  ),
  securityContext: obj({
    fsGroup: V,
    fsGroupChangePolicy: oneOf('OnRootMismatch', 'Always'),
    runAsGroup: V,
    runAsNonRoot: V,
    runAsUser: V,
    supplementalGroups: list(V),
    seccompProfile: obj({ type: oneOf('RuntimeDefault', 'Unconfined') }),
  }),
  restartPolicy: oneOf('Always'),
  terminationGracePeriodSeconds: V,
  // No API server: a token could not be issued, so only pods that opt out are modelled.
  automountServiceAccountToken: oneOf(false),
  dnsPolicy: oneOf('ClusterFirst'),
  enableServiceLinks: oneOf(false),
  hostNetwork: oneOf(false),
  setHostnameAsFQDN: oneOf(false),
});

const template = obj({ metadata: obj({ labels: MAP, annotations }), spec: podSpec });
const pvcSpec = obj({
  accessModes: list(oneOf('ReadWriteOnce', 'ReadWriteOncePod')),
  resources: obj({ requests: obj({ storage: noop('capacity is not enforced, as with minikube\'s hostpath provisioner') }) }),
  storageClassName: oneOf('standard'),
  volumeMode: oneOf('Filesystem'),
});
const NOT_ON_FIRST_APPLY = 'only matters when an applied object is changed; the runner applies once';

export const KINDS: Record<string, Node> = {
  'v1/Namespace': obj({ apiVersion: V, kind: V, metadata }),
  'v1/ConfigMap': obj({ apiVersion: V, kind: V, metadata, data: MAP, immutable: noop(NOT_ON_FIRST_APPLY) }),
  'v1/Secret': obj({ apiVersion: V, kind: V, metadata, data: MAP, stringData: MAP, type: oneOf('Opaque'), immutable: noop(NOT_ON_FIRST_APPLY) }),
  'v1/Service': obj({
    apiVersion: V,
    kind: V,
    metadata,
    spec: obj({
      clusterIP: V,
      externalIPs: list(V),
      ports: list(obj({ name: V, port: V, targetPort: V, protocol: oneOf('TCP', 'UDP') })),
      selector: MAP,
      type: oneOf('ClusterIP'),
      publishNotReadyAddresses: oneOf(false),
    }),
  }),
  'v1/PersistentVolumeClaim': obj({ apiVersion: V, kind: V, metadata, spec: pvcSpec }),
  'apps/v1/Deployment': obj({
    apiVersion: V,
    kind: V,
    metadata,
    spec: obj({
      replicas: V,
      selector,
      template,
      minReadySeconds: V,
      progressDeadlineSeconds: noop('only sets a Deployment condition; the runner fails the run on its own readiness timeout'),
      revisionHistoryLimit: noop(NOT_ON_FIRST_APPLY),
      strategy: obj({ type: noop(NOT_ON_FIRST_APPLY), rollingUpdate: obj({ maxSurge: noop(NOT_ON_FIRST_APPLY), maxUnavailable: noop(NOT_ON_FIRST_APPLY) }) }),
    }),
  }),
  'apps/v1/StatefulSet': obj({
    apiVersion: V,
    kind: V,
    metadata,
    spec: obj({
      replicas: V,
      selector,
      serviceName: V,
      template,
      minReadySeconds: V,
      podManagementPolicy: oneOf('OrderedReady', 'Parallel'),
      revisionHistoryLimit: noop(NOT_ON_FIRST_APPLY),
      updateStrategy: obj({ type: noop(NOT_ON_FIRST_APPLY), rollingUpdate: obj({ partition: noop(NOT_ON_FIRST_APPLY) }) }),
      volumeClaimTemplates: list(obj({ metadata: obj({ name: V, labels: MAP }), spec: pvcSpec })),
    }),
  }),
  // Served by the runner's path router, a pod of namespace ingress-nginx (see cluster.ts).
  'networking.k8s.io/v1/Ingress': obj({
    apiVersion: V,
    kind: V,
    metadata,
    spec: obj({
      ingressClassName: oneOf('nginx'),
      rules: list(obj({ host: V, http: obj({ paths: list(obj({ path: V, pathType: oneOf('Prefix', 'Exact'), backend: obj({ service: obj({ name: V, port: obj({ number: V }) }) }) })) }) })),
    }),
  }),
  'networking.k8s.io/v1/NetworkPolicy': obj({
    apiVersion: V,
    kind: V,
    metadata,
    spec: obj({
      podSelector: selector,
      policyTypes: list(oneOf('Ingress', 'Egress')),
      ingress: list(obj({ from: list(obj({ podSelector: selector, namespaceSelector: selector, ipBlock: obj({ cidr: V, except: list(V) }) })), ports: list(obj({ port: V, endPort: V, protocol: oneOf('TCP', 'UDP') })) })),
      egress: list(obj({ to: list(obj({ podSelector: selector, namespaceSelector: selector, ipBlock: obj({ cidr: V, except: list(V) }) })), ports: list(obj({ port: V, endPort: V, protocol: oneOf('TCP', 'UDP') })) })),
    }),
  }),
};

/** Kinds accepted without running: each prints `not run: <kind> <name>: <reason>`. */
export const NOT_RUN: Record<string, string> = {
  'autoscaling/v2/HorizontalPodAutoscaler': 'no metrics server and one node: replicas stay as the workload declares',
  'policy/v1/PodDisruptionBudget': 'only limits voluntary evictions (node drains); one node is never drained',
  'networking.k8s.io/v1/IngressClass': 'the runner has one built-in controller, class "nginx"',
};

/** Walks an object against the allowlist; returns every `unsupported: path` problem. */
export function unsupported(node: Node, value: unknown, path: string, out: string[] = [], noops?: Set<string>): string[] {
  const here = path || '(root)';
  switch (node.kind) {
    case 'value':
      return out;
    case 'map':
      if (value !== null && typeof value !== 'object') out.push(`unsupported: ${here}: expected a map`);
      return out;
    case 'noop':
      noops?.add(`${path.replace(/\[\d+\]/g, '[]')}: ${node.reason}`);
      return out;
    case 'enum':
      if (!node.values.some((v) => JSON.stringify(v) === JSON.stringify(value))) out.push(`unsupported: ${here} = ${JSON.stringify(value)} (the runner models ${node.values.map((v) => JSON.stringify(v)).join(', ')})`);
      return out;
    case 'list':
      if (!Array.isArray(value)) {
        out.push(`unsupported: ${here}: expected a list`);
        return out;
      }
      value.forEach((item, i) => unsupported(node.item, item, `${path}[${i}]`, out, noops));
      return out;
    case 'object':
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        out.push(`unsupported: ${here}: expected an object`);
        return out;
      }
      for (const [key, v] of Object.entries(value)) {
        const child = node.fields[key];
        const p = path ? `${path}.${key}` : key;
        if (!child) out.push(`unsupported: ${p}`);
        else unsupported(child, v, p, out, noops);
      }
      return out;
  }
}

/** Every modelled path, for the documentation and the closing report. */
export function describeSchema(): { implemented: string[]; noop: string[] } {
  const implemented: string[] = [];
  const noops: string[] = [];
  const walk = (node: Node, path: string) => {
    if (node.kind === 'object') for (const [k, v] of Object.entries(node.fields)) walk(v, path ? `${path}.${k}` : k);
    else if (node.kind === 'list') walk(node.item, `${path}[]`);
    else if (node.kind === 'noop') noops.push(`${path}: ${node.reason}`);
    else implemented.push(node.kind === 'enum' ? `${path} ∈ {${node.values.map((v) => JSON.stringify(v)).join(', ')}}` : path);
  };
  for (const [kind, node] of Object.entries(KINDS)) walk(node, kind);
  return { implemented, noop: noops };
}
