import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';

/**
 * Architecture rules. Tags live in each project's package.json ("nx.tags").
 *  - type:contracts  pure event contracts: may import only other contracts and no I/O library
 *  - type:runtime    broker/database plumbing: may import contracts
 *  - type:app        a service: may import contracts and runtime libs, never another app
 */
const IO_MODULES = [
  'amqplib',
  'amqp-connection-manager',
  'pg',
  '@prisma/*',
  'express',
  'pino',
  'nodemailer',
  'node:*',
  'fs',
  'net',
  'http',
  'https',
  'child_process',
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/dist', '**/out-tsc', '**/src/generated', '**/node_modules', '**/.nx'] },
  {
    files: ['**/*.ts', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:contracts',
              onlyDependOnLibsWithTags: ['type:contracts'],
              bannedExternalImports: IO_MODULES,
            },
            { sourceTag: 'type:runtime', onlyDependOnLibsWithTags: ['type:contracts', 'type:runtime'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:runtime'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
  prettier,
];
