/**
 * What looks like a secret, as the policy gate judges rendered output
 * (libs/policy/src/core/secret-patterns.ts, whose ConfigMap rule rejects these
 * names and values). Validation applies the same judgement to the spec so a
 * spec that validates passes the gate; apps/infra/test asserts the two agree.
 */
const SECRET_WORDS = new Set(['PASSWORD', 'PASSWD', 'SECRET', 'TOKEN', 'KEY', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS']);

/** DATABASE_URL, OPENAI_API_KEY, dbPassword, ...; `*_FILE` names point at a mounted file and hold no value. */
export function looksSecretName(name: string): boolean {
  const upper = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
  if (upper.endsWith('_FILE')) return false;
  if (/(^|_)(DATABASE|DB)_URL$/.test(upper) || /(^|_)DSN$/.test(upper)) return true;
  return upper.split(/[^A-Z0-9]+/).some((segment) => SECRET_WORDS.has(segment));
}

const VALUE_PATTERNS: readonly [string, RegExp][] = [
  ['an OpenAI-style API key', /(?<![A-Za-z0-9])sk-[A-Za-z0-9_-]{20,}/],
  ['a Stripe-style live key', /(?<![A-Za-z0-9])(?:sk|rk|pk)_live_[A-Za-z0-9]{8,}/],
  ['a PEM private key', /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/],
  ['an AWS access key id', /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA)[A-Z0-9]{16}\b/],
  ['an AWS secret access key', /aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+]{40}\b/i],
  ['a URL with an embedded password', /\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/'"]+:(?!\$[{(]?[A-Za-z_])[^\s@/'"]+@/i],
];

/** Labels of the secret-shaped values in `text`, for messages that never echo the value. */
export function secretValueKinds(text: string): string[] {
  return VALUE_PATTERNS.filter(([, p]) => p.test(text)).map(([label]) => label);
}

/**
 * A value that names a file rather than holding one: `/run/secrets/key.pem`, `./certs/tls.key`,
 * `/etc/gcp/credentials.json`. A path of plain path characters whose last segment has an extension,
 * or one under /run/secrets/ or /var/run/secrets/ (where mounted secrets live). Random tokens (base64
 * can start with `/`) have no `.`, so they never pass for a file.
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

/**
 * Why a plain variable is judged a secret, the one judgement of the importer, validation and the
 * policy gate: its name (DB_PASSWORD, STRIPE_KEY), unless its value only names a file
 * (`SSL_KEY=/run/secrets/key.pem`) or is a flag (`MYSQL_ALLOW_EMPTY_PASSWORD=yes`), and what its value holds (a URL with a password, a PEM key, ...)
 * whatever the name. `byName` false and `kinds` empty: plain.
 */
export function secretJudgement(name: string, value: string): { readonly byName: boolean; readonly kinds: string[] } {
  return { byName: looksSecretName(name) && !isFilePathValue(value) && !isFlagValue(value), kinds: secretValueKinds(value) };
}

/** A plain variable that must be a secret instead (see secretJudgement). */
export function looksSecret(name: string, value: string): boolean {
  const j = secretJudgement(name, value);
  return j.byName || j.kinds.length > 0;
}
