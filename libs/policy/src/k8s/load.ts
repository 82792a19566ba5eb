import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { K8sObject, toK8sObject } from './model';

export class ManifestError extends Error {}

/** Documents of one multi-document YAML text; a document that is not a Kubernetes object is an error. */
export function parseManifests(text: string, file: string): K8sObject[] {
  const objects: K8sObject[] = [];
  const errors: string[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    if (doc.errors.length > 0) {
      errors.push(`${file}: document ${i + 1}: ${doc.errors[0].message}`);
      return;
    }
    const value = doc.toJS();
    if (value === null || value === undefined) return;
    const items = value.kind === 'List' && Array.isArray(value.items) ? value.items : [value];
    for (const item of items) {
      if (typeof item !== 'object' || typeof item.kind !== 'string' || typeof item.apiVersion !== 'string') {
        errors.push(`${file}: document ${i + 1}: not a Kubernetes object; fix: every document needs apiVersion and kind`);
        continue;
      }
      objects.push(toK8sObject(file, item));
    }
  });
  if (errors.length > 0) throw new ManifestError(errors.join('\n'));
  return objects;
}

function yamlFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const child = join(path, e.name);
      if (e.isDirectory()) return yamlFiles(child);
      return /\.ya?ml$/.test(e.name) ? [child] : [];
    });
}

/** Reads every .yaml/.yml under the paths; finding none is an error so an empty dist/ cannot pass. */
export function loadManifests(paths: readonly string[], cwd = process.cwd()): K8sObject[] {
  const files: string[] = [];
  for (const p of paths) {
    try {
      files.push(...yamlFiles(resolve(cwd, p)));
    } catch {
      throw new ManifestError(`${p}: not found; fix: run the synth (nx run infra:synth) or pass an existing directory`);
    }
  }
  if (files.length === 0) {
    throw new ManifestError(`${paths.join(' ')}: no .yaml/.yml files; fix: run the synth (nx run infra:synth) first`);
  }
  return files.flatMap((f) => parseManifests(readFileSync(f, 'utf8'), relative(cwd, f)));
}
