import type { BuildSource } from '@todo/service-spec';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contextFiles, fileFingerprint, ignoreFileFor } from './context-files';
import { assertContextInRepo } from './repo-paths';

/**
 * Content hash of what Docker receives for a build: the Dockerfile, its ignore
 * file and every context file the ignore rules keep. The image tag
 * (`imageTagOf` in the model) adds the resolved base images to it.
 */
export function sourceHash(repoRoot: string, source: BuildSource): string {
  assertContextInRepo(repoRoot, source.context);
  const h = createHash('sha256');
  const add = (label: string, data: Buffer) => {
    h.update(label).update('\0').update(String(data.length)).update('\0').update(data);
  };
  add('dockerfile', readFileSync(join(repoRoot, source.dockerfile)));
  const ignore = ignoreFileFor(repoRoot, source.context, source.dockerfile);
  add('ignore', ignore ? readFileSync(join(repoRoot, ignore)) : Buffer.alloc(0));
  for (const f of contextFiles(repoRoot, source.context, source.dockerfile)) {
    add(`file:${f}`, fileFingerprint(join(repoRoot, source.context, f)));
  }
  return h.digest('hex');
}
