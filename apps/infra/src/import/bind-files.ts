import { fileKey, looksSecret } from '@todo/service-spec';
import type { ReadFile } from './compose-variables';

/**
 * A bind mount of one file from the repository (`./nginx.conf:/etc/nginx/nginx.conf:ro`) is a config
 * file, which the spec carries on both targets as `files: [{ path, source }]`: a ConfigMap mounted
 * read-only in Kubernetes, and in compose a read-only bind of the copy synth writes. A development
 * mount would reach compose's dev override only, and Kubernetes would start without the file.
 *
 * It is imported into files when nothing changes but that the content is a copy taken at synth time:
 * the bind is read-only (a read-write one may be written by the process; a file of files[] cannot),
 * it is a regular text file inside the repository (a ConfigMap holds text), small enough for the
 * service's one ConfigMap, its name and text do not look like a secret (the policy gate refuses a
 * ConfigMap that does), and no other file of the service takes its key. Otherwise it stays a
 * development mount, and the line says why and gives the files entry to paste.
 */

/** The largest file imported into files, and the most a service's imported files take together: well under the ConfigMap's 1 MiB. */
export const MAX_IMPORTED_FILE_BYTES = 256 * 1024;
export const MAX_IMPORTED_FILES_BYTES = 512 * 1024;

export type BindFile = { readonly into: 'files'; readonly bytes: number } | { readonly into: 'dev'; readonly advice: string };

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** A volume name for a mount path: its last segment, as a DNS-1123 label. */
const volumeName = (target: string) => (target.split('/').filter(Boolean).pop() ?? 'data').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '') || 'data';

/** The files entry to paste under the service in the spec, as one YAML flow line. */
export const filesSnippet = (target: string, repoSource: string) => `files: [{ path: ${target}, source: ${repoSource} }]`;

/**
 * Where the bind of `source` (as written, relative to the compose file; `repoSource` relative to the
 * repository root) at `target` goes, and when it stays a development mount, what to do for
 * Kubernetes. `taken`: the keys and bytes of the files the service already has.
 */
export function placeBindFile(source: string, repoSource: string, target: string, readOnly: boolean, readFile: ReadFile | undefined, taken: { keys: Set<string>; bytes: number }): BindFile {
  const paste = (why: string) => ({ into: 'dev' as const, advice: `if "${source}" is a config file the service only reads, add ${filesSnippet(target, repoSource)} under the service in the spec (a ConfigMap mounted read-only in Kubernetes, a read-only bind of a copy in compose) and remove this dev mount; it was not imported so because ${why}` });
  const readOnlyFiles = `bake the files into the image, or list each file the service reads in files (e.g. ${filesSnippet(`${target.replace(/\/+$/, '')}/<name>`, `${repoSource.replace(/\/+$/, '')}/<name>`)})`;
  // A read-write folder is most often where the service keeps data (./postgres, ./data, ./uploads): a volume keeps it on both targets.
  const folder = (why: string) => ({ into: 'dev' as const, advice: readOnly ? `${readOnlyFiles}; ${why}` : `if the service writes there (data, uploads), give it a volume: volumes: [{ name: ${volumeName(target)}, mountPath: ${target} }] under the service in the spec (a named volume in compose, a claim in Kubernetes; what "${source}" holds now is not copied into it); if it only reads the files, ${readOnlyFiles}; ${why}` });
  if (!readFile) return paste('this import has no file access to tell a file from a folder');
  const got = readFile(source);
  if (got.state === 'missing') return folder(`"${source}" does not exist, and compose creates a folder there`);
  if (got.state === 'outside') return { into: 'dev', advice: `bake the file into the image; "${source}" leads outside the repository (to ${got.real}), so files cannot name it` };
  if (got.state === 'unreadable') return /not a file/.test(got.why) ? folder(`"${source}" is a folder`) : { into: 'dev', advice: `bake the file into the image; "${source}" is not read: ${got.why}` };
  const size = bytes(got.text);
  const key = fileKey(target);
  if (!readOnly) return paste('compose mounts it read-write, so the process may write it, and a file of files is read-only (mount it :ro in compose if the service only reads it)');
  if (got.text.includes('\0') || got.text.includes('\ufffd')) return { into: 'dev', advice: 'bake the file into the image; it is not UTF-8 text, and a ConfigMap entry of files is' };
  if (size > MAX_IMPORTED_FILE_BYTES || taken.bytes + size > MAX_IMPORTED_FILES_BYTES) return { into: 'dev', advice: `bake the file into the image; it is ${size} bytes, more than the import puts in the service's ConfigMap (${MAX_IMPORTED_FILE_BYTES} bytes a file, ${MAX_IMPORTED_FILES_BYTES} a service; Kubernetes takes 1 MiB in all)` };
  if (looksSecret(key, got.text)) return { into: 'dev', advice: `its name or text looks like a secret, which a ConfigMap must not hold: deliver it as a secret file, files: [{ path: ${target}, secret: { secret: <name>, key: <key> } }], with the Secret made from "${source}"` };
  if (taken.keys.has(key)) return paste(`another file of the service takes its key "${key}"`);
  return { into: 'files', bytes: size };
}
