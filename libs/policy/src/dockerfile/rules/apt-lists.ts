import { DockerfileRule, dfViolation, lineOf } from '../model';

const id = 'dockerfile-apt-lists';

const APT_INSTALL = /\bapt(?:-get)?\s+(?:-\S+\s+)*install\b/;
const REMOVES_LISTS = /\brm\s+(?:-\S+\s+)*[^;&|]*\/var\/lib\/apt\/lists/;

export const aptLists: DockerfileRule = {
  id,
  description: 'a RUN that apt-get installs also removes /var/lib/apt/lists (or cache-mounts it)',
  check: (df) =>
    df.stages.flatMap((s) => s.instructions)
      .filter((i) => i.getKeyword() === 'RUN' && APT_INSTALL.test(i.getArgumentsContent() ?? ''))
      .filter((i) => {
        // A cache mount keeps the lists out of the layer just as well as deleting them.
        const mounted = ((i as any).getFlags?.() ?? []).some((f: any) => f.getName() === 'mount' && /\/var\/lib\/apt\/lists/.test(f.getValue() ?? ''));
        return !mounted && !REMOVES_LISTS.test(i.getArgumentsContent() ?? '');
      })
      .map((i) => dfViolation(id, df, lineOf(i), 'apt-get install leaves /var/lib/apt/lists in the layer; fix: end the same RUN with && rm -rf /var/lib/apt/lists/*')),
};
