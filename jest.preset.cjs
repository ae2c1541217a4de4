// Shared Jest settings: TypeScript through SWC (fast, no type-check; `typecheck` does that).
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
    // jose and uuid ship only ES modules, which Jest's module loader cannot require: compiled like our sources.
    '/node_modules/(jose|uuid)/.+\\.js$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(jose|uuid)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  // A built project's dist/ holds a package.json of its own name (tools/build): not a module for Jest to map.
  modulePathIgnorePatterns: ['<rootDir>/dist/'],
  testMatch: ['**/?(*.)+(spec|test).ts'],
  // Integration tests create databases, run migrations and start services: give hooks room on a busy 2-core machine (up to a minute).
  testTimeout: 60_000,
  // A failed hook can leave a relay or connection running; the run must still end (CI must never hang).
  forceExit: true,
  reporters: ['default', require.resolve('./tools/dev/summary-reporter.cjs')],
};
