// The runner's own tests first: when the runner is wrong, the stack run says nothing.
const Sequencer = require('@jest/test-sequencer').default;

module.exports = class RunnerFirst extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => Number(b.path.endsWith('runner.test.ts')) - Number(a.path.endsWith('runner.test.ts')));
  }
};
