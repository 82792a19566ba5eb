// Shared by every gate so "what looks like a secret" has one definition.

const SECRET_WORDS = new Set(['PASSWORD', 'PASSWD', 'SECRET', 'TOKEN', 'KEY', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS']);

/** DATABASE_URL, OPENAI_API_KEY, dbPassword, ... ; `*_FILE` names point at a mounted file and hold no value. */
export function looksSecretName(name: string): boolean {
  const upper = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
  if (upper.endsWith('_FILE')) return false;
  if (/(^|_)(DATABASE|DB)_URL$/.test(upper) || /(^|_)DSN$/.test(upper)) return true;
  return upper.split(/[^A-Z0-9]+/).some((segment) => SECRET_WORDS.has(segment));
}

/**
 * A value that names a file rather than holding one (`SSL_KEY=/run/secrets/key.pem`): plain path characters,
 * and a last segment with an extension or a place under /run/secrets/. The same judgement as
 * libs/service-spec/src/secret-looking.ts, so a spec that validates passes the gate.
 */
export function isFilePathValue(value: string): boolean {
  if (!/^(\/|\.\.?\/)([A-Za-z0-9_@-][A-Za-z0-9._@-]*\/)*[A-Za-z0-9_@.-]+$/.test(value)) return false;
  return /\/[^/]*[A-Za-z0-9_-]\.[A-Za-z0-9]{1,10}$/.test(value) || /^(\/var)?\/run\/secrets\/[^/]/.test(value);
}

/**
 * A flag's value: yes/no, true/false, on/off, 1/0, trust (MYSQL_ALLOW_EMPTY_PASSWORD=yes,
 * MARIADB_RANDOM_ROOT_PASSWORD=1, POSTGRES_HOST_AUTH_METHOD=trust). A variable named like a secret
 * that holds one switches a behaviour; it holds no secret.
 */
export function isFlagValue(value: string): boolean {
  return /^(yes|no|y|n|true|false|on|off|1|0|trust)$/i.test(value.trim());
}

/** A variable whose name looks secret and whose value is not just a file path or a flag (the same judgement as libs/service-spec). */
export function looksSecretVariable(name: string, value: string): boolean {
  return looksSecretName(name) && !isFilePathValue(value) && !isFlagValue(value);
}

const CREDENTIAL_URL = /\b[a-z][a-z0-9+.-]*:\/\/([^\s:@/'"]+):([^\s@/'"]+)@/gi;

/**
 * Compose interpolation with what follows each variable's operator dropped:
 * `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR:+alt}` all become `${VAR}`,
 * nested ones too (`${A:-${B:-x}}` -> `${A}`). A default is the value when the variable is
 * unset: a local fallback that the variable overrides, the way synth writes a spec's
 * `localDefault`, so it is judged as a default, never as a literal password. `$$` is
 * compose's literal `$` and starts no interpolation.
 */
export function withoutInterpolationDefaults(text: string): string {
  const DOLLAR = '\u0000';
  const OPEN = '\u0001';
  const CLOSE = '\u0002';
  let s = text.replace(/\$\$/g, DOLLAR);
  for (;;) {
    // Innermost first: an operand holds no `$`, `{` or `}` once its own interpolations are folded.
    const next = s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+][^${}]*)?\}/g, `${OPEN}$1${CLOSE}`);
    if (next === s) break;
    s = next;
  }
  return s.replace(new RegExp(OPEN, 'g'), '${').replace(new RegExp(CLOSE, 'g'), '}').replace(new RegExp(DOLLAR, 'g'), '$$$$');
}

/** A literal password in a URL; `${VAR}` / `$(VAR)` interpolations are references, not values. */
export function findCredentialUrls(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(CREDENTIAL_URL)) {
    if (!/^\$[{(]?[A-Za-z_]/.test(m[2])) found.push(m[0]);
  }
  return found;
}

export interface SecretValuePattern {
  readonly id: string;
  readonly label: string;
  readonly pattern: RegExp;
}

export const SECRET_VALUE_PATTERNS: readonly SecretValuePattern[] = [
  { id: 'openai-key', label: 'an OpenAI-style API key', pattern: /(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{20,}/g },
  { id: 'private-key', label: 'a PEM private key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/g },
  { id: 'aws-key', label: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b/g },
  {
    id: 'aws-key',
    label: 'an AWS secret access key',
    pattern: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}\b/gi,
  },
];

/** Labels of the secret-shaped values in `text`, for messages that never echo the value. */
export function secretValueKinds(text: string): string[] {
  const kinds = SECRET_VALUE_PATTERNS.filter((p) => new RegExp(p.pattern.source, p.pattern.flags).test(text)).map(
    (p) => p.label,
  );
  if (findCredentialUrls(text).length > 0) kinds.push('a URL with an embedded password');
  return kinds;
}

/** `postgresql://todo:s3cret@db` -> `postgresql://todo:***@db`: messages must not leak what they report. */
export function redact(secret: string): string {
  const url = /^([a-z][a-z0-9+.-]*:\/\/[^:]+:)[^@]*(@.*)$/i.exec(secret);
  if (url) return `${url[1]}***${url[2]}`;
  return secret.length <= 8 ? '***' : `${secret.slice(0, 6)}***`;
}
