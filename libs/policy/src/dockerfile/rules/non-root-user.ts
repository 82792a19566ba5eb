import { DockerfileRule, dfViolation, finalChain, lineOf, substitute } from '../model';

const id = 'dockerfile-non-root-user';

export const nonRootUser: DockerfileRule = {
  id,
  description: 'the final stage runs as a USER that is not root or 0',
  check: (df) => {
    const chain = finalChain(df);
    if (chain.length === 0) return [dfViolation(id, df, 1, 'no FROM instruction; fix: add a FROM')];
    for (const stage of chain) {
      const user = [...stage.instructions].reverse().find((i) => i.getKeyword() === 'USER');
      if (!user) continue;
      const raw = user.getArgumentsContent() ?? '';
      const value = substitute(raw, df.globalArgs);
      const name = (value ?? '').split(':')[0];
      if (value === null) {
        return [dfViolation(id, df, lineOf(user), `USER ${raw} cannot be resolved; fix: use a literal numeric uid such as USER 1000:1000`)];
      }
      if (name === 'root' || name === '0') {
        return [dfViolation(id, df, lineOf(user), `USER ${raw} runs the image as root; fix: use a non-root numeric uid such as USER 1000:1000`)];
      }
      return [];
    }
    return [dfViolation(id, df, chain[0].line, 'the final stage has no USER and would run as root; fix: add USER 1000:1000 (numeric, works on every base)')];
  },
};
