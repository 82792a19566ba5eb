import { isFlagValue, redact, withoutInterpolationDefaults } from '../../core/secret-patterns';
import { ALLOW_MARKER, hitViolation, isAllowed, SecretRule } from '../model';

const id = 'secrets-yaml-password';

const MAPPING = /^\s*(?:-\s+)?["']?([\w.-]*(?:password|passwd)[\w.-]*)["']?\s*:\s*(.*)$/i;
const LIST_ENV = /^\s*-\s+["']?([\w.-]*(?:password|passwd)[\w.-]*)=(.*?)["']?\s*$/i;
// Empties and pure references carry no value; a *_FILE key points at a mounted secret file.
const NOT_A_VALUE = /^(|""|''|~|null|\$\([^)]*\))$/;
// `${VAR}`, `${VAR:?msg}` and `${VAR:-default}` hold no literal: a default is the local
// fallback the variable overrides (synth's `localDefault`), not a password written down.
const INTERPOLATION = /^["']?\$\{[A-Za-z_][A-Za-z0-9_]*\}["']?$/;

function literalPart(value: string): string {
  return INTERPOLATION.test(withoutInterpolationDefaults(value)) ? '' : value;
}

function literal(line: string): { key: string; value: string } | null {
  const m = MAPPING.exec(line) ?? LIST_ENV.exec(line);
  if (!m) return null;
  const key = m[1];
  const value = literalPart(m[2].replace(/\s+#.*$/, '').trim());
  // A flag (MYSQL_ALLOW_EMPTY_PASSWORD: "yes", MARIADB_RANDOM_ROOT_PASSWORD: '1') switches a behaviour and holds no password.
  if (/_?file$/i.test(key) || NOT_A_VALUE.test(value) || isFlagValue(value.replace(/^(["'])(.*)\1$/, '$2'))) return null;
  return { key, value };
}

export const yamlPassword: SecretRule = {
  id,
  description: 'no literal password values in YAML',
  check: (scan) =>
    scan.files
      .filter((f) => /\.ya?ml$/i.test(f.path))
      .flatMap((file) =>
        file.text.split('\n').flatMap((text, i) => {
          const found = literal(text);
          if (!found) return [];
          const hit = { file, line: i + 1, found: found.value };
          if (isAllowed(scan, id, hit, true)) return [];
          return [hitViolation(id, hit,
            `${found.key} has a literal value (${redact(found.value)}); fix: use \${VAR:?} interpolation, a *_FILE secret or secretKeyRef; a local-only default needs "# ${ALLOW_MARKER}"`)];
        }),
      ),
};
