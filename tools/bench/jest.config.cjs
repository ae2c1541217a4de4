module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: require('./package.json').name,
  // The quick bench starts eight service processes and runs for under a minute; leave room on a busy machine.
  testTimeout: 180_000,
  maxWorkers: 1,
};
