/**
 * The host variable that carries a secret key into compose: one per secret key,
 * shared by every service that uses it. Validation reports two keys that map to
 * one variable, so the mapping lives in the model.
 */
export function secretVariable(ref: { readonly secret: string; readonly key: string }): string {
  return `${ref.secret}_${ref.key}`.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}
