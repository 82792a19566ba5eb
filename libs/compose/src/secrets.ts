import type { ResolvedSecretEnv } from '@todo/service-spec';

/** The host variable that carries a secret into compose: one per secret key, shared by every service that uses it. */
export function secretVariable(ref: Pick<ResolvedSecretEnv, 'secret' | 'key'>): string {
  return `${ref.secret}_${ref.key}`.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/**
 * Compose interpolation for a secret: never a literal value. A local-only
 * default keeps `docker compose up` working on a laptop; a required secret
 * without one stops compose with a message naming the variable.
 */
export function secretInterpolation(ref: ResolvedSecretEnv): string {
  const v = secretVariable(ref);
  if (ref.localDefault !== undefined) return `\${${v}:-${escapeDollars(ref.localDefault)}}`;
  if (ref.optional) return `\${${v}:-}`;
  return `\${${v}:?set ${v} to the value of secret ${ref.secret} key ${ref.key}}`;
}

/** Compose interpolates `$`; literal values must double it. */
export function escapeDollars(value: string): string {
  return value.replace(/\$/g, '$$$$');
}
