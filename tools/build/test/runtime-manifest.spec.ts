import { LockFileError } from '../src/lock-file';
import { importedPackages, packageOf, runtimeManifest } from '../src/runtime-manifest';
import { type LockFile } from '../src/lock-file';

const rootLock: LockFile = {
  lockfileVersion: 3,
  packages: {
    '': { name: 'workspace' },
    'node_modules/express': { version: '5.3.0' },
    'node_modules/@opentelemetry/api': { version: '1.9.1' },
    'node_modules/prisma': { version: '7.10.1' },
    'node_modules/typescript': { version: '6.0.3', dev: true },
    'node_modules/@shopflow/events': { resolved: 'libs/events', link: true },
  },
};
const rootManifest = {
  name: 'workspace',
  dependencies: { express: '5.3.0', '@opentelemetry/api': '1.9.1' },
  devDependencies: { typescript: '6.0.3' },
};

describe('the packages a bundle imports', () => {
  it('are the npm packages among its external imports, subpaths and Node modules left out', () => {
    expect(packageOf('@opentelemetry/api/build/src/index.js')).toBe('@opentelemetry/api');
    expect(
      importedPackages(['express', 'node:fs', 'fs', '@opentelemetry/api', '@opentelemetry/api/x', 'pino/file']),
    ).toEqual(['@opentelemetry/api', 'express', 'pino']);
  });
});

describe('runtimeManifest', () => {
  it('pins what the bundle imports to the versions of the lock', () => {
    const { manifest, lock } = runtimeManifest({
      project: { name: '@shopflow/svc', dependencies: { '@shopflow/events': '*' } },
      externalImports: ['express', 'node:http', '@opentelemetry/api'],
      rootManifest,
      rootLock,
    });
    expect(manifest).toMatchObject({
      name: '@shopflow/svc',
      version: '0.0.0',
      private: true,
      dependencies: { '@opentelemetry/api': '1.9.1', express: '5.3.0' },
    });
    expect(Object.keys(lock.packages)).toEqual(['', 'node_modules/@opentelemetry/api', 'node_modules/express']);
  });

  it("adds what the project declares and runs without importing it (the migration step's Prisma CLI)", () => {
    const { manifest } = runtimeManifest({
      project: { name: '@shopflow/migrate', dependencies: { prisma: '7.10.1' } },
      externalImports: [],
      rootManifest,
      rootLock,
    });
    expect(manifest.dependencies).toEqual({ prisma: '7.10.1' });
  });

  it('refuses, in one line saying what to do, a bundle that imports a devDependency', () => {
    const attempt = () =>
      runtimeManifest({ project: { name: '@shopflow/svc' }, externalImports: ['typescript'], rootManifest, rootLock });
    expect(attempt).toThrow(LockFileError);
    expect(attempt).toThrow(
      "@shopflow/svc's bundle imports typescript, which is a devDependency of the workspace: add it to the root package.json's dependencies (npm install typescript --save-exact) or stop importing it",
    );
  });
});
