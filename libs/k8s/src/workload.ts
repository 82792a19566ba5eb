import type { ResolvedService, ResolvedStack } from '@todo/service-spec';
import { ApiObject, Cron, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { createHash } from 'node:crypto';
import type { Construct } from 'constructs';
import { containerProps } from './container';
import { mountFiles } from './files';
import { podLabels, selectorLabels, serviceLabels } from './labels';

/** Names of emptyDir volumes: derived from the path so they are stable and readable. */
export function writableVolumeName(path: string): string {
  const slug = path.replace(/^\/+/, '').replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
  return `writable-${slug || 'root'}`.slice(0, 63).replace(/-$/, '');
}

const ADDRESS_LABEL = 'cdk8s.io~1metadata.addr';

/** The workload kind a service becomes. */
export function workloadKind(s: ResolvedService): 'StatefulSet' | 'Deployment' | 'Job' | 'CronJob' {
  if (s.job) return s.job.schedule !== undefined ? 'CronJob' : 'Job';
  return s.role === 'database' ? 'StatefulSet' : 'Deployment';
}

/** Hash of everything a pod reads at start that is not in its spec: a change rolls the pods. */
function configHash(s: ResolvedService): string {
  return createHash('sha256')
    .update(JSON.stringify({ env: s.env, secrets: s.secrets, ...(s.files.length && { files: s.files }) }))
    .digest('hex')
    .slice(0, 16);
}

function podProps(stack: ResolvedStack, s: ResolvedService) {
  return {
    metadata: { name: s.name, labels: serviceLabels(stack, s), ...(Object.keys(s.annotations).length && { annotations: { ...s.annotations } }) },
    podMetadata: { labels: podLabels(stack, s), annotations: { ...s.annotations, 'todo.dev/config-hash': configHash(s) } },
    select: false,
    spread: false,
    isolate: false,
    automountServiceAccountToken: false,
    securityContext: {
      ensureNonRoot: true,
      user: s.user.uid,
      group: s.user.gid,
      fsGroup: s.user.gid,
      fsGroupChangePolicy: kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
    },
  };
}

/** A 5-field cron string as cdk8s' Cron (validation guarantees the shape). */
function cron(schedule: string): Cron {
  const [minute, hour, day, month, weekDay] = schedule.trim().split(/\s+/);
  return Cron.schedule({ minute, hour, day, month, weekDay });
}

const JOB_RESTART = { 'on-failure': kplus.RestartPolicy.ON_FAILURE, never: kplus.RestartPolicy.NEVER, always: kplus.RestartPolicy.ON_FAILURE } as const;

type Workload = kplus.Deployment | kplus.StatefulSet | kplus.Job | kplus.CronJob;

function createWorkload(scope: Construct, stack: ResolvedStack, s: ResolvedService, headless: kplus.Service | undefined): Workload {
  const props = podProps(stack, s);
  switch (workloadKind(s)) {
    case 'CronJob':
      return new kplus.CronJob(scope, 'workload', {
        ...props,
        schedule: cron(s.job!.schedule!),
        // A run that is still going when the next is due is left alone: most batch work is not safe to overlap.
        concurrencyPolicy: kplus.ConcurrencyPolicy.FORBID,
        backoffLimit: s.job!.backoffLimit,
        ...(s.job!.activeDeadlineSeconds !== undefined && { activeDeadline: Duration.seconds(s.job!.activeDeadlineSeconds) }),
        restartPolicy: JOB_RESTART[s.restart],
      });
    case 'Job':
      return new kplus.Job(scope, 'workload', {
        ...props,
        backoffLimit: s.job!.backoffLimit,
        ...(s.job!.activeDeadlineSeconds !== undefined && { activeDeadline: Duration.seconds(s.job!.activeDeadlineSeconds) }),
        restartPolicy: JOB_RESTART[s.restart],
      });
    case 'StatefulSet':
      return new kplus.StatefulSet(scope, 'workload', { ...props, replicas: s.replicas, service: headless! });
    default:
      return new kplus.Deployment(scope, 'workload', {
        ...props,
        replicas: s.replicas,
        // A ReadWriteOnce claim cannot attach to a second pod during a rolling update: stop the old pod first.
        strategy: s.volumes.length
          ? kplus.DeploymentStrategy.recreate()
          : kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.absolute(1), maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }),
      });
  }
}

/** The claims of a Deployment's persistent volumes: one per volume, named `<service>-<volume>`, outliving every pod. */
function addClaims(scope: Construct, stack: ResolvedStack, s: ResolvedService, container: kplus.Container): void {
  for (const v of s.volumes) {
    const claim = new kplus.PersistentVolumeClaim(scope, `claim-${v.name}`, {
      metadata: { name: `${s.name}-${v.name}`, labels: serviceLabels(stack, s) },
      accessModes: [v.accessMode === 'ReadWriteMany' ? kplus.PersistentVolumeAccessMode.READ_WRITE_MANY : kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
      storage: Size.gibibytes(v.sizeGiB),
      ...(v.storageClass !== undefined && { storageClassName: v.storageClass }),
      volumeMode: kplus.PersistentVolumeMode.FILE_SYSTEM,
    });
    container.mount(v.mountPath, kplus.Volume.fromPersistentVolumeClaim(scope, `volume-${v.name}`, claim, { name: v.name }));
  }
}

/** Path of the pod template inside the workload object. */
function templatePath(s: ResolvedService): string {
  return workloadKind(s) === 'CronJob' ? '/spec/jobTemplate/spec/template' : '/spec/template';
}

/** The workload of one service, with its migration init step, files, claims and writable mounts. */
/** How long a serving pod keeps serving after it is told to stop (see drainServingPods). */
export const PRE_STOP_SLEEP_SECONDS = 5;

/**
 * A pod behind a Service keeps serving for PRE_STOP_SLEEP_SECONDS after it is told to stop:
 * kube-proxy, the ingress controller and DNS drop its address in that time, so a rolling
 * update loses no request. The container's SIGTERM comes after the sleep, and the `sleep`
 * handler needs no shell in the image. Applied to the rendered JSON: cdk8s-plus 27's types
 * predate the `sleep` handler and would drop it.
 */
export function drainServingPods(stack: ResolvedStack, objects: Record<string, any>[]): void {
  const serving = new Set(stack.services.filter((s) => workloadKind(s) === 'Deployment' && s.ports.length).map((s) => s.name));
  for (const o of objects) {
    if (o.kind !== 'Deployment' || !serving.has(o.metadata?.name)) continue;
    const main = o.spec.template.spec.containers[0];
    main.lifecycle = { ...main.lifecycle, preStop: { sleep: { seconds: PRE_STOP_SLEEP_SECONDS } } };
  }
}

export function addWorkload(scope: Construct, stack: ResolvedStack, s: ResolvedService, configMap: kplus.IConfigMap | undefined, headless?: kplus.Service): Workload {
  const workload = createWorkload(scope, stack, s, headless);
  if (!s.job) (workload as kplus.Deployment | kplus.StatefulSet).select(kplus.LabelSelector.of({ labels: selectorLabels(stack, s) }));

  const container = workload.addContainer(containerProps(scope, stack, s, configMap, { name: s.name, entrypoint: s.entrypoint, args: s.command, serving: !s.job }));
  const init = s.migration
    ? workload.addInitContainer(containerProps(scope, stack, s, configMap, { name: `${s.name}-migrate`, entrypoint: s.migration.entrypoint, args: s.migration.command, serving: false }))
    : undefined;

  for (const path of s.writablePaths) {
    const name = writableVolumeName(path);
    const volume = kplus.Volume.fromEmptyDir(scope, name, name, { sizeLimit: Size.mebibytes(256) });
    container.mount(path, volume);
    init?.mount(path, volume);
  }
  mountFiles(scope, stack, s, [container, ...(init ? [init] : [])]);
  if (workloadKind(s) === 'Deployment') addClaims(scope, stack, s, container);

  const api = ApiObject.of(workload);
  const tpl = templatePath(s);
  dropAddressLabel(api, tpl);
  // StatefulSet.select() also put the address label on its Service's selector.
  if (headless && s.role === 'database') ApiObject.of(headless).addJsonPatch(JsonPatch.remove(`/spec/selector/${ADDRESS_LABEL}`));
  // cdk8s-plus defaults replicas to 2; with an HPA the autoscaler owns the count.
  if (s.autoscaling) api.addJsonPatch(JsonPatch.remove('/spec/replicas'));
  // A service that runs only on request (profiles) has replicas 0; a Job or CronJob is written suspended.
  if (s.onRequest && s.job) api.addJsonPatch(JsonPatch.add('/spec/suspend', true));
  // Pod Security "restricted" wants an explicit seccomp profile; cdk8s-plus 27 has no prop for it.
  api.addJsonPatch(JsonPatch.add(`${tpl}/spec/securityContext/seccompProfile`, { type: 'RuntimeDefault' }));
  api.addJsonPatch(JsonPatch.add(`${tpl}/spec/enableServiceLinks`, false));
  // Replicas on one node fall together: prefer spreading them over nodes (kube-score
  // deployment-has-host-podantiaffinity). Preferred, not required: a one-node cluster still runs them all.
  if (!s.job && s.replicas > 1) {
    const term = { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: selectorLabels(stack, s) } };
    api.addJsonPatch(JsonPatch.add(`${tpl}/spec/affinity`, { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } }));
  }
  if (s.role === 'database' && s.volumes.length) {
    const mounts = s.volumes.map((v) => ({ mountPath: v.mountPath, name: v.name }));
    const mountsPath = '/spec/template/spec/containers/0/volumeMounts';
    if (s.writablePaths.length || s.files.length) for (const m of mounts) api.addJsonPatch(JsonPatch.add(`${mountsPath}/-`, m));
    else api.addJsonPatch(JsonPatch.add(mountsPath, mounts));
    api.addJsonPatch(JsonPatch.add('/spec/volumeClaimTemplates', s.volumes.map((v) => pvcTemplate(stack, s, v))));
  }
  return workload;
}

/**
 * cdk8s-plus labels every pod with a construct-path hash; the selectors here
 * use app.kubernetes.io labels instead, so the hash label is dropped.
 */
function dropAddressLabel(obj: ApiObject, tpl: string): void {
  obj.addJsonPatch(JsonPatch.remove(`${tpl}/metadata/labels/${ADDRESS_LABEL}`));
}

function pvcTemplate(stack: ResolvedStack, s: ResolvedService, v: ResolvedService['volumes'][number]) {
  return {
    metadata: { name: v.name, labels: selectorLabels(stack, s) },
    // The generated KubeStatefulSet re-serialises the patch and keeps only Quantity objects here.
    spec: {
      accessModes: [v.accessMode],
      ...(v.storageClass !== undefined && { storageClassName: v.storageClass }),
      resources: { requests: { storage: k8s.Quantity.fromString(`${v.sizeGiB}Gi`) } },
    },
  };
}
