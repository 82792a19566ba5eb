import type { Instruction } from 'dockerfile-ast';
import { DockerfileRule, dfViolation, lineOf } from '../model';

const id = 'dockerfile-exec-form';

function isJsonArray(text: string): boolean {
  try {
    const value = JSON.parse(text);
    return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string');
  } catch {
    return false;
  }
}

/** The command part: CMD/ENTRYPOINT arguments, or what follows `HEALTHCHECK [flags] CMD`. */
function command(i: Instruction): string | null {
  const args = (i.getArgumentsContent() ?? '').trim();
  if (i.getKeyword() !== 'HEALTHCHECK') return args;
  const m = /^CMD\s+([\s\S]*)$/i.exec(args);
  return m ? m[1].trim() : null;
}

// HEALTHCHECK is included: its shell form needs /bin/sh, which distroless runtimes lack.
export const execForm: DockerfileRule = {
  id,
  description: 'CMD, ENTRYPOINT and HEALTHCHECK CMD use exec (JSON array) form',
  check: (df) =>
    df.stages.flatMap((s) => s.instructions)
      .filter((i) => ['CMD', 'ENTRYPOINT', 'HEALTHCHECK'].includes(i.getKeyword()))
      .flatMap((i) => {
        const cmd = command(i);
        if (cmd === null || isJsonArray(cmd)) return [];
        const kw = i.getKeyword() === 'HEALTHCHECK' ? 'HEALTHCHECK CMD' : i.getKeyword();
        return [dfViolation(id, df, lineOf(i), `${kw} ${cmd} is in shell form; fix: write ${kw} ["executable", "arg", ...] so signals reach the process and no shell is needed`)];
      }),
};
