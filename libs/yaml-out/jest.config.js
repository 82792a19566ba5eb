module.exports = { ...require('../../jest.preset.js'), displayName: 'yaml-out', rootDir: __dirname };
