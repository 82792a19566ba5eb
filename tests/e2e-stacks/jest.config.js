// Public stacks from apps/infra/test/fixtures, built and run for real: one stack at a time,
// with timeouts sized for a busy 2-core machine.
const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'e2e-stacks',
  rootDir: __dirname,
  testMatch: ['**/*.e2e.test.ts'],
  maxWorkers: 1,
  testTimeout: 5 * 60 * 1000,
};
