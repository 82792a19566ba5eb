import { literalInterpolationCandidates, type ServiceSpec } from '@todo/service-spec';
import type { ImportEntry } from './report';

type Obj = Record<string, any>;
type Note = (path: string, status: ImportEntry['status'], message: string) => void;

/**
 * Text `${...}` that compose hands the container as is. The importer interpolates the whole file
 * first (compose-variables.ts), so a `${` left in a value after it is text by compose's own reading:
 * the `$${VAR}` escape (a template the program expands itself, a shell command's `${VAR}` in an exec
 * form) or a quoted env_file value. Validation refuses `${` as an unresolved interpolation unless the
 * service lists the field in literalInterpolation, so every such env value and command word is listed
 * there, with a line at its compose path. Both targets then pass the text unchanged: compose writes
 * `$${VAR}` again, and Kubernetes expands only `$(VAR)`. Mutates the spec service `s`.
 */
export function keepLiteralText(s: Obj, c: Obj, p: string, envPaths: Readonly<Record<string, string>>, note: Note): void {
  const fields = literalInterpolationCandidates(s as ServiceSpec);
  if (!fields.length) return;
  s.literalInterpolation = fields;
  const at = (field: string): string => {
    const env = /^env\.(.+)$/.exec(field);
    if (env) return envPaths[env[1]] ?? `${p}.environment.${env[1]}`;
    const word = /^(command|entrypoint)\[(\d+)\]$/.exec(field);
    if (word) return Array.isArray(c[word[1]]) ? `${p}.${word[1]}[${word[2]}]` : `${p}.${word[1]}`;
    const probe = /^health\.liveness\.exec\.command\[(\d+)\]$/.exec(field);
    // The CMD form's words follow "CMD": index i of the probe is test[i + 1].
    if (probe) return Array.isArray(c.healthcheck?.test) && c.healthcheck.test[0] === 'CMD' ? `${p}.healthcheck.test[${Number(probe[1]) + 1}]` : `${p}.healthcheck.test`;
    return p;
  };
  for (const field of fields) {
    note(at(field), 'mapped', `holds the text "\${" as compose passes it (its $\${VAR} escape, or a quoted env_file value), not an interpolation: listed in literalInterpolation as "${field}", so both targets hand the process the same text (compose output writes $\${ again; Kubernetes expands only $(VAR))`);
  }
}
