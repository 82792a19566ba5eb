import { looksSecretVariable, secretValueKinds } from '../../core/secret-patterns';
import type { Violation } from '../../core/types';
import { DockerfileRule, ParsedDockerfile, dfViolation, lineOf } from '../model';

const id = 'dockerfile-no-secret-env';

function check(df: ParsedDockerfile, keyword: string, line: number, name: string, value: string): Violation[] {
  if (looksSecretVariable(name, value)) {
    return [dfViolation(id, df, line, `${keyword} ${name} looks like a secret and is stored in the image history; fix: pass it at run time, or at build time with RUN --mount=type=secret`)];
  }
  const kinds = secretValueKinds(value);
  return kinds.length === 0 ? [] : [dfViolation(id, df, line, `${keyword} ${name} holds ${kinds.join(' and ')}; fix: remove it, pass secrets at run time`)];
}

export const noSecretEnv: DockerfileRule = {
  id,
  description: 'no secrets in ENV or ARG names or values',
  check: (df) =>
    [...df.preamble, ...df.stages.flatMap((s) => s.instructions)].flatMap((i) => {
      const kw = i.getKeyword();
      if (kw === 'ENV') {
        return ((i as any).getProperties() as any[]).flatMap((p) => check(df, kw, lineOf(i), p.getName(), p.getValue() ?? ''));
      }
      if (kw === 'ARG') {
        const p = (i as any).getProperty();
        return p ? check(df, kw, lineOf(i), p.getName(), p.getValue() ?? '') : [];
      }
      return [];
    }),
};
