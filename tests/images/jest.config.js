// Real Docker builds and containers: one file at a time on a 2-core machine.
const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'images',
  rootDir: __dirname,
  maxWorkers: 1,
  testTimeout: 10 * 60 * 1000,
};
