import { imageTag } from '../../core/image-ref';
import { DockerfileRule, dfViolation, parentStage } from '../model';

const id = 'dockerfile-base-pinned';

export const basePinned: DockerfileRule = {
  id,
  description: 'every FROM is pinned to a tag or digest (ARG defaults resolved), never latest',
  check: (df) =>
    df.stages.flatMap((stage) => {
      if (stage.base === null) {
        return [dfViolation(id, df, stage.line,
          `FROM ${stage.rawBase} uses an ARG without a default; fix: give the ARG before the first FROM a pinned default, e.g. ARG BASE=python:3.13-slim`)];
      }
      if (stage.base.toLowerCase() === 'scratch' || parentStage(df, stage)) return [];
      const via = stage.base === stage.rawBase ? '' : ` (from ${stage.rawBase})`;
      if (stage.base.includes('@sha256:')) return [];
      const tag = imageTag(stage.base);
      if (tag === null || tag === '') {
        return [dfViolation(id, df, stage.line, `FROM ${stage.base}${via} has no tag; fix: pin a version tag or @sha256 digest`)];
      }
      if (tag === 'latest') {
        return [dfViolation(id, df, stage.line, `FROM ${stage.base}${via} uses latest; fix: pin a version tag or @sha256 digest`)];
      }
      return [];
    }),
};
