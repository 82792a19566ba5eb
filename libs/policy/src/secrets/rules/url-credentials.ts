import { findCredentialUrls, redact, withoutInterpolationDefaults } from '../../core/secret-patterns';
import { ALLOW_MARKER, hitViolation, isAllowed, SecretRule } from '../model';

const id = 'secrets-url-credentials';

export const urlCredentials: SecretRule = {
  id,
  // A URL inside a `${VAR:-default}` default is a local fallback the variable overrides, not a literal.
  description: 'no user:password@ URLs except allow-listed local-only defaults',
  check: (scan) =>
    scan.files.flatMap((file) =>
      file.text.split('\n').flatMap((text, i) =>
        findCredentialUrls(withoutInterpolationDefaults(text))
          .map((found) => ({ file, line: i + 1, found }))
          .filter((hit) => !isAllowed(scan, id, hit, true))
          .map((hit) => hitViolation(id, hit,
            `URL with a literal password (${redact(hit.found)}); fix: interpolate it (\${DB_PASSWORD}) or, for a local-only default, mark the line "# ${ALLOW_MARKER}"`)),
      ),
    ),
};
