import { parse } from '../args';
import type { Command } from './command';

export const importCommand: Command = {
  name: 'import',
  summary: 'turn a docker-compose.yml into a spec, with a report of what mapped and what did not',
  help: `usage: infra import COMPOSE_FILE [--out FILE] [--name NAME] [--report FILE]`,
  run(argv, io) {
    const { values } = parse(argv, { out: { type: 'string' }, name: { type: 'string' }, report: { type: 'string' } }, 1);
    if (values.help) {
      io.out(this.help);
      return 0;
    }
    io.err('import: not implemented yet');
    return 1;
  },
};
