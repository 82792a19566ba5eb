import { DockerfileRule, dfViolation, finalChain, lineOf } from '../model';

const id = 'dockerfile-healthcheck';

export const healthcheck: DockerfileRule = {
  id,
  description: 'the final stage has a HEALTHCHECK',
  check: (df) => {
    const chain = finalChain(df);
    for (const stage of chain) {
      const hc = [...stage.instructions].reverse().find((i) => i.getKeyword() === 'HEALTHCHECK');
      if (!hc) continue;
      if ((hc.getArgumentsContent() ?? '').trim().toUpperCase() === 'NONE') {
        return [dfViolation(id, df, lineOf(hc), 'HEALTHCHECK NONE disables the health check; fix: probe the service with its own runtime (python -c / node -e)')];
      }
      return [];
    }
    return [dfViolation(id, df, chain[0]?.line ?? 1, 'the final stage has no HEALTHCHECK; fix: add HEALTHCHECK CMD ["<runtime>", "-c", "..."] against 127.0.0.1')];
  },
};
