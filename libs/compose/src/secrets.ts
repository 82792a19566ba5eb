import { secretVariable, type ResolvedSecretEnv } from '@todo/service-spec';

export { secretVariable };

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
