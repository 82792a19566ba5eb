import { DockerfileRule, dfViolation, lineOf } from '../model';

const id = 'dockerfile-copy-not-add';

export const copyNotAdd: DockerfileRule = {
  id,
  description: 'COPY, not ADD (ADD fetches URLs and unpacks archives implicitly)',
  check: (df) =>
    df.stages.flatMap((s) => s.instructions)
      .filter((i) => i.getKeyword() === 'ADD')
      .map((i) => dfViolation(id, df, lineOf(i), `ADD ${i.getArgumentsContent()}; fix: use COPY (and an explicit RUN to fetch or unpack)`)),
};
