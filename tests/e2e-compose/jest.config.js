// One real compose stack per run: serial, with timeouts sized for a busy 2-core machine.
const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'e2e-compose',
  rootDir: __dirname,
  testMatch: ['**/*.e2e.test.ts'],
  maxWorkers: 1,
  testTimeout: 5 * 60 * 1000,
};
