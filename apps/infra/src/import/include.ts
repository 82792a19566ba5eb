import { parse } from 'yaml';
import type { ReadFile } from './compose-variables';

type Obj = Record<string, any>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Top-level `include:` (Compose v2): compose loads each file as part of the project, and runs its
 * services. The import reads one compose file, so the included services are not imported; to name
 * each at its own path (`services.<name>`, where the difference is), the included files are read
 * only for their service names, when they are inside the repository.
 */
export function includedFiles(include: unknown, readFile: ReadFile | undefined): { file: string; services?: string[] }[] {
  const entries = Array.isArray(include) ? include : [include];
  return entries.flatMap((e) => {
    const paths = isObj(e) ? (Array.isArray(e.path) ? e.path : [e.path]) : [e];
    return paths.map((f: unknown) => {
      const file = String(f);
      if (!readFile || typeof f !== 'string') return { file };
      const got = readFile(f);
      if (got.state !== 'inside') return { file };
      try {
        const doc = parse(got.text) as unknown;
        return isObj(doc) && isObj(doc.services) ? { file, services: Object.keys(doc.services) } : { file };
      } catch {
        return { file };
      }
    });
  });
}
