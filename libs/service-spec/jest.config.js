module.exports = { ...require('../../jest.preset.js'), displayName: 'service-spec', rootDir: __dirname };
