import { stringify } from 'yaml';

/**
 * The one YAML writer for every generated file. Sorted keys make output
 * byte-stable; lineWidth 0 never folds long strings (folded health-check
 * commands once corrupted manifests); YAML 1.1 quoting protects values such as
 * "no" and "1000:1000" from readers that still speak YAML 1.1 (compose v1,
 * older kubectl).
 */
export function toYaml(value: unknown): string {
  return stringify(value, { version: '1.1', sortMapEntries: true, lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false });
}

/** A multi-document stream, one document per object, with a header comment. */
export function toYamlStream(objects: readonly unknown[], header: string): string {
  const comment = header
    .split('\n')
    .map((l) => `# ${l}`.trimEnd())
    .join('\n');
  return `${comment}\n${objects.map((o) => `---\n${toYaml(o)}`).join('')}`;
}

/** A single document with a header comment. */
export function toYamlDocument(value: unknown, header: string): string {
  const comment = header
    .split('\n')
    .map((l) => `# ${l}`.trimEnd())
    .join('\n');
  return `${comment}\n${toYaml(value)}`;
}
