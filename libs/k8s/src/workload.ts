import type { ResolvedService, ResolvedStack } from '@todo/service-spec';
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { k8s } from 'cdk8s-plus-27';
import { createHash } from 'node:crypto';
import type { Construct } from 'constructs';
import { containerProps } from './container';
import { selectorLabels, serviceLabels } from './labels';

/** Names of emptyDir volumes: derived from the path so they are stable and readable. */
export function writableVolumeName(path: string): string {
  const slug = path.replace(/^\/+/, '').replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
  return `writable-${slug || 'root'}`.slice(0, 63).replace(/-$/, '');
}

const ADDRESS_LABEL = 'cdk8s.io~1metadata.addr';

/**
 * cdk8s-plus labels every pod with a construct-path hash; the selectors here
 * use app.kubernetes.io labels instead, so the hash label is dropped.
 */
function dropAddressLabel(obj: ApiObject): void {
  obj.addJsonPatch(JsonPatch.remove(`/spec/template/metadata/labels/${ADDRESS_LABEL}`));
}

function podProps(stack: ResolvedStack, s: ResolvedService, configHash: string) {
  return {
    metadata: { name: s.name, labels: serviceLabels(stack, s) },
    podMetadata: { labels: serviceLabels(stack, s), annotations: { 'todo.dev/config-hash': configHash } },
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

/** The Deployment or StatefulSet of one service, with its migration init step and writable mounts. */
export function addWorkload(scope: Construct, stack: ResolvedStack, s: ResolvedService, configMap: kplus.IConfigMap | undefined, headless?: kplus.Service): kplus.Deployment | kplus.StatefulSet {
  const configHash = createHash('sha256')
    .update(JSON.stringify({ env: s.env, secrets: s.secrets }))
    .digest('hex')
    .slice(0, 16);
  const props = podProps(stack, s, configHash);
  const workload =
    s.role === 'database'
      ? new kplus.StatefulSet(scope, 'workload', { ...props, replicas: s.replicas, service: headless! })
      : new kplus.Deployment(scope, 'workload', {
          ...props,
          replicas: s.replicas,
          strategy: kplus.DeploymentStrategy.rollingUpdate({ maxSurge: kplus.PercentOrAbsolute.absolute(1), maxUnavailable: kplus.PercentOrAbsolute.absolute(0) }),
        });
  workload.select(kplus.LabelSelector.of({ labels: selectorLabels(stack, s) }));

  const container = workload.addContainer(containerProps(scope, stack, s, configMap, { name: s.name, command: s.command, serving: true }));
  const init = s.migration
    ? workload.addInitContainer(containerProps(scope, stack, s, configMap, { name: `${s.name}-migrate`, command: s.migration.command, serving: false }))
    : undefined;

  for (const path of s.writablePaths) {
    const name = writableVolumeName(path);
    const volume = kplus.Volume.fromEmptyDir(scope, name, name, { sizeLimit: Size.mebibytes(256) });
    container.mount(path, volume);
    init?.mount(path, volume);
  }

  const api = ApiObject.of(workload);
  dropAddressLabel(api);
  // StatefulSet.select() also put the address label on its Service's selector.
  if (headless && s.role === 'database') ApiObject.of(headless).addJsonPatch(JsonPatch.remove(`/spec/selector/${ADDRESS_LABEL}`));
  // cdk8s-plus defaults replicas to 2; with an HPA the autoscaler owns the count.
  if (s.autoscaling) api.addJsonPatch(JsonPatch.remove('/spec/replicas'));
  // Pod Security "restricted" wants an explicit seccomp profile; cdk8s-plus 27 has no prop for it.
  api.addJsonPatch(JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }));
  api.addJsonPatch(JsonPatch.add('/spec/template/spec/enableServiceLinks', false));
  if (s.role === 'database' && s.volumes.length) {
    const mounts = s.volumes.map((v) => ({ mountPath: v.mountPath, name: v.name }));
    const mountsPath = '/spec/template/spec/containers/0/volumeMounts';
    if (s.writablePaths.length) for (const m of mounts) api.addJsonPatch(JsonPatch.add(`${mountsPath}/-`, m));
    else api.addJsonPatch(JsonPatch.add(mountsPath, mounts));
    api.addJsonPatch(JsonPatch.add('/spec/volumeClaimTemplates', s.volumes.map((v) => pvcTemplate(stack, s, v))));
  }
  return workload;
}

function pvcTemplate(stack: ResolvedStack, s: ResolvedService, v: ResolvedService['volumes'][number]) {
  return {
    metadata: { name: v.name, labels: selectorLabels(stack, s) },
    // The generated KubeStatefulSet re-serialises the patch and keeps only Quantity objects here.
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: k8s.Quantity.fromString(`${v.sizeGiB}Gi`) } } },
  };
}
