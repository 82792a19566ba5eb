import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contextFiles, fileFingerprint, ignoreFileFor } from './context-files';

export interface BuildInputs {
  /** Build context, relative to the repo root. */
  readonly context: string;
  /** Dockerfile, relative to the repo root. */
  readonly dockerfile: string;
}

/** Length of the hex tag: 12 hex chars = 48 bits, the same width git and Docker show. */
const TAG_LENGTH = 12;

/**
 * The image tag: a content hash of the Dockerfile, its ignore file and every
 * context file the ignore rules keep. The synth writes it into the manifests
 * and compose file; docker-build builds exactly this tag, so both agree for
 * any commit. Build args are not inputs: base mirrors change where a base
 * comes from, not what the image is meant to be.
 */
export function imageTag(repoRoot: string, inputs: BuildInputs): string {
  const h = createHash('sha256');
  const add = (label: string, data: Buffer) => {
    h.update(label).update('\0').update(String(data.length)).update('\0').update(data);
  };
  add('dockerfile', readFileSync(join(repoRoot, inputs.dockerfile)));
  const ignore = ignoreFileFor(repoRoot, inputs.context, inputs.dockerfile);
  add('ignore', ignore ? readFileSync(join(repoRoot, ignore)) : Buffer.alloc(0));
  for (const f of contextFiles(repoRoot, inputs.context, inputs.dockerfile)) {
    add(`file:${f}`, fileFingerprint(join(repoRoot, inputs.context, f)));
  }
  return h.digest('hex').slice(0, TAG_LENGTH);
}
