import type { ResolvedService, ResolvedStack } from '@todo/service-spec';
import * as kplus from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import { createHash } from 'node:crypto';
import { configMapOf } from './env-config';
import { serviceLabels } from './labels';

/** Name of the ConfigMap that holds a service's config files. */
export const filesConfigMapName = (s: ResolvedService) => `${s.name}-files`;

/**
 * The volume of a secret's files. A volume name is a DNS-1123 label, while a
 * secret name is a subdomain (dots, up to 253 characters): such a name is
 * rewritten and gets a hash of the real name, so two secrets never share a volume.
 */
export function secretVolumeName(secretName: string): string {
  const plain = `secret-${secretName}`;
  if (plain.length <= 63 && /^[a-z0-9-]+$/.test(secretName)) return plain;
  const hash = createHash('sha256').update(secretName).digest('hex').slice(0, 8);
  return `${plain.replace(/[^a-z0-9-]+/g, '-').slice(0, 54).replace(/-+$/, '')}-${hash}`;
}

/**
 * Config files as one ConfigMap volume and secret files as Secret volumes, each
 * file mounted read-only at its own path (subPath), so the rest of its directory
 * stays the image's. The pod's config hash annotation covers their content, so a
 * change rolls the pods (subPath mounts are not refreshed in place).
 */
export function mountFiles(scope: Construct, stack: ResolvedStack, s: ResolvedService, containers: readonly kplus.Container[]): void {
  const config = s.files.filter((f) => f.content !== undefined && !f.secret);
  if (config.length) {
    const cm = configMapOf(scope, 'files', { name: filesConfigMapName(s), labels: serviceLabels(stack, s) }, config.map((f) => [f.key, f.content!] as const));
    const volume = kplus.Volume.fromConfigMap(scope, 'files-volume', cm, { name: 'files', items: Object.fromEntries(config.map((f) => [f.key, { path: f.key }])) });
    for (const f of config) for (const c of containers) c.mount(f.path, volume, { subPath: f.key, readOnly: true });
  }
  const bySecret = new Map<string, typeof s.files[number][]>();
  for (const f of s.files) if (f.secret) bySecret.set(f.secret.secret, [...(bySecret.get(f.secret.secret) ?? []), f]);
  for (const [secretName, files] of [...bySecret].sort(([a], [b]) => a.localeCompare(b))) {
    const secret = kplus.Secret.fromSecretName(scope, `file-secret-${secretName}`, secretName);
    const volume = kplus.Volume.fromSecret(scope, `file-secret-volume-${secretName}`, secret, {
      name: secretVolumeName(secretName),
      // Readable by the pod's group (fsGroup) only.
      defaultMode: 0o440,
      items: Object.fromEntries(files.map((f) => [f.secret!.key, { path: f.key }])),
    });
    for (const f of files) for (const c of containers) c.mount(f.path, volume, { subPath: f.key, readOnly: true });
  }
}
