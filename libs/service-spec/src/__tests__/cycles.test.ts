import type { ServiceSpec } from '../types';
import { validate } from '../validate';
import { mutate } from './fixture';

/** A third and fourth service, so cycles longer than two can be built. */
const worker = (name: string, dependsOn: string[]): ServiceSpec => ({
  name,
  role: 'worker',
  image: { ref: 'busybox:1.36' },
  health: { liveness: { exec: { command: ['true'] } } },
  dependsOn,
});

const cycleIssues = (change: (s: any) => void) => validate(mutate(change)).filter((i) => i.message.startsWith('dependency cycle'));

describe('dependency cycles of any length are refused, each named once with its path', () => {
  it('self-dependency (1 node)', () => {
    expect(cycleIssues((s) => s.services[0].dependsOn = ['db'])).toEqual([{ path: 'services.db.dependsOn', message: 'dependency cycle: db -> db' }]);
  });

  it('2 nodes', () => {
    expect(cycleIssues((s) => (s.services[0].dependsOn = ['api']))).toEqual([{ path: 'services.api.dependsOn', message: 'dependency cycle: api -> db -> api' }]);
  });

  it('3 nodes: api -> db -> worker -> api', () => {
    const issues = cycleIssues((s) => {
      s.services.push(worker('worker', ['api']));
      s.services[0].dependsOn = ['worker'];
    });
    expect(issues).toEqual([{ path: 'services.api.dependsOn', message: 'dependency cycle: api -> db -> worker -> api' }]);
  });

  it('4 nodes, entered from outside the cycle', () => {
    const issues = cycleIssues((s) => {
      s.services.push(worker('a', ['b']), worker('b', ['c']), worker('c', ['d']), worker('d', ['b']));
    });
    expect(issues).toEqual([{ path: 'services.b.dependsOn', message: 'dependency cycle: b -> c -> d -> b' }]);
  });

  it('a diamond is not a cycle', () => {
    const issues = cycleIssues((s) => {
      s.services.push(worker('left', ['db']), worker('right', ['db']), worker('top', ['left', 'right']));
    });
    expect(issues).toEqual([]);
  });
});
