const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'policy',
  rootDir: __dirname,
  roots: ['<rootDir>/src'],
};
