import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/** Every TypeScript file of the services and libraries, their Prisma configs and tests included. */
function sourcesUnder(folder: string): string[] {
  return fs
    .readdirSync(path.join(root, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !/(^|\/)(node_modules|dist)\//.test(file))
    .map((file) => path.join(folder, file));
}

/** Module specifiers of `import … from '…'`, `import '…'`, `require('…')` and `import('…')`. */
const specifiersOf = (code: string): string[] =>
  [...code.matchAll(/\bfrom\s+'([^']+)'|\bimport\s+'([^']+)'|\b(?:require|import)\(\s*'([^']+)'\s*\)/g)].map(
    (m) => m[1] ?? m[2] ?? m[3] ?? '',
  );

describe('the services and libraries take nothing from tools/', () => {
  const files = [...sourcesUnder('apps'), ...sourcesUnder('libs')];

  it('finds their sources, Prisma configs included', () => {
    expect(files).toEqual(
      expect.arrayContaining(['apps/order-service/src/main.ts', 'apps/order-service/prisma.config.ts']),
    );
  });

  // tools/ is the workspace's tooling (the build, the migration step, development scripts): what ships
  // in a service's image, or is read by the migration step's Prisma CLI, must not need it. Packages
  // of tools/ are reached by name, which the module-boundary rules govern.
  it('by relative path, in none of them', () => {
    const intoTools = files.flatMap((file) =>
      specifiersOf(fs.readFileSync(path.join(root, file), 'utf8'))
        .filter((specifier) => specifier.startsWith('.'))
        .filter((specifier) =>
          path.relative(root, path.resolve(root, path.dirname(file), specifier)).startsWith('tools/'),
        )
        .map((specifier) => `${file}: ${specifier}`),
    );
    expect(intoTools).toEqual([]);
  });
});
