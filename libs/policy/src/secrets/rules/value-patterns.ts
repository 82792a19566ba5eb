import { redact, SECRET_VALUE_PATTERNS } from '../../core/secret-patterns';
import { findAll, hitViolation, isAllowed, SecretRule } from '../model';

function patternRule(id: string, patternId: string, description: string, fix: string): SecretRule {
  const patterns = SECRET_VALUE_PATTERNS.filter((p) => p.id === patternId);
  return {
    id,
    description,
    check: (scan) =>
      scan.files.flatMap((file) =>
        patterns.flatMap((p) =>
          findAll(file, p.pattern)
            // Real key material is never a local default: only the explicit allow-list can pass it.
            .filter((hit) => !isAllowed(scan, id, hit, false))
            .map((hit) => hitViolation(id, hit, `${p.label} (${redact(hit.found)}); fix: ${fix}`)),
        ),
      ),
  };
}

const ROTATE = 'remove it from the file, rotate it, and reference a Secret instead';

export const openAiKey = patternRule('secrets-openai-key', 'openai-key', 'no OpenAI-style keys (sk-...)', ROTATE);
export const privateKey = patternRule('secrets-private-key', 'private-key', 'no PEM private keys', ROTATE);
export const awsKey = patternRule('secrets-aws-key', 'aws-key', 'no AWS access keys', ROTATE);
