// The API server's validation first (it needs no node and says the most when it fails), then
// the todo stack, then the public stacks.
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = ['server.e2e.test.ts', 'stack.e2e.test.ts'];
const rank = (p) => {
  const i = ORDER.findIndex((name) => p.endsWith(name));
  return i === -1 ? ORDER.length : i;
};

module.exports = class ServerFirst extends Sequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  }
};
