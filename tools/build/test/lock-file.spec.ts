import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LockFile, LockFileError, pruneLock, resolveInLock } from '../src/lock-file';

const ROOT = path.resolve(__dirname, '../../..');
const workspaceLock = () => JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as LockFile;

/** A workspace lock with a little of everything npm writes. */
const lock: LockFile = {
  lockfileVersion: 3,
  packages: {
    '': { name: 'workspace', dependencies: { app: '1.0.0' }, devDependencies: { tool: '1.0.0' } },
    'node_modules/app': { version: '1.0.0', dependencies: { shared: '^2.0.0', nested: '1.0.0' } },
    // app needs shared@2, the top-level one is 1 (for tool): npm nests app's copy.
    'node_modules/app/node_modules/shared': { version: '2.0.0', dependencies: { leaf: '1.0.0' } },
    'node_modules/shared': { version: '1.0.0', dev: true },
    'node_modules/nested': {
      version: '1.0.0',
      optionalDependencies: { 'binary-linux': '1.0.0', 'binary-darwin': '1.0.0' },
      peerDependencies: { peer: '1.0.0', typescript: '*' },
      peerDependenciesMeta: { typescript: { optional: true } },
    },
    'node_modules/leaf': { version: '1.0.0', devOptional: true },
    'node_modules/peer': { version: '1.0.0', peer: true },
    // Only the platform's binary npm could install is in the lock, as npm writes it.
    'node_modules/binary-linux': { version: '1.0.0', optional: true, os: ['linux'] },
    'node_modules/typescript': { version: '5.0.0', dev: true },
    'node_modules/tool': { version: '1.0.0', dev: true, dependencies: { shared: '1.0.0', typescript: '5.0.0' } },
    'node_modules/@scope/lib': { version: '1.0.0', dependencies: { leaf: '1.0.0' } },
    'node_modules/workspace-lib': { resolved: 'libs/workspace-lib', link: true },
  },
};

describe('resolveInLock: where require() finds a package, as npm laid the lock out', () => {
  it.each([
    ['', 'app', 'node_modules/app'],
    ['node_modules/app', 'shared', 'node_modules/app/node_modules/shared'],
    ['node_modules/app/node_modules/shared', 'leaf', 'node_modules/leaf'],
    ['node_modules/tool', 'shared', 'node_modules/shared'],
    ['node_modules/@scope/lib', 'leaf', 'node_modules/leaf'],
    ['node_modules/app', 'missing', undefined],
  ])('from "%s", %s is at %s', (from, name, expected) => {
    expect(resolveInLock(lock, from, name)).toBe(expected);
  });
});

describe('pruneLock: the lock of a project that needs only some of the workspace', () => {
  const pruned = () => pruneLock(lock, { name: 'svc', version: '0.0.0', dependencies: { app: '1.0.0' } });

  it('keeps the packages it needs and what they need, where they are, and nothing else', () => {
    expect(Object.keys(pruned().packages)).toEqual([
      '',
      'node_modules/app',
      'node_modules/app/node_modules/shared',
      'node_modules/binary-linux',
      'node_modules/leaf',
      'node_modules/nested',
      'node_modules/peer',
    ]);
  });

  it('names the project and its dependencies at the root, as npm ci checks them against its package.json', () => {
    expect(pruned()).toMatchObject({
      name: 'svc',
      version: '0.0.0',
      lockfileVersion: 3,
      requires: true,
      packages: { '': { name: 'svc', version: '0.0.0', dependencies: { app: '1.0.0' } } },
    });
  });

  it("drops the workspace's dev flags (all of it is needed at run time), and keeps platform binaries optional", () => {
    const { packages } = pruned();
    for (const entry of Object.values(packages)) {
      expect(entry).not.toHaveProperty('dev');
      expect(entry).not.toHaveProperty('devOptional');
      expect(entry).not.toHaveProperty('peer');
    }
    expect(packages['node_modules/binary-linux']).toEqual({ version: '1.0.0', optional: true, os: ['linux'] });
    expect(packages['node_modules/leaf']!.optional).toBeUndefined();
  });

  it('leaves out a peer marked optional (TypeScript, for many packages) unless something needs it', () => {
    expect(pruned().packages['node_modules/typescript']).toBeUndefined();
  });

  it('says in one line what is wrong with a dependency that is not at the top of the workspace', () => {
    const attempt = (name: string) => () =>
      pruneLock(lock, { name: 'svc', version: '0.0.0', dependencies: { [name]: '1.0.0' } });
    expect(attempt('nowhere')).toThrow(LockFileError);
    expect(attempt('nowhere')).toThrow(/^nowhere is not installed at the top of the workspace .*: add it to the root/);
    expect(attempt('workspace-lib')).toThrow(/workspace-lib is not installed at the top of the workspace/);
  });

  it('refuses a lock it cannot read, and one that lacks a package something needs', () => {
    expect(() =>
      pruneLock({ lockfileVersion: 1 } as LockFile, { name: 'svc', version: '0', dependencies: {} }),
    ).toThrow(/lockfileVersion 1, which has no "packages" map: regenerate it with npm 7 or later/);
    const broken = structuredClone(lock);
    delete broken.packages['node_modules/leaf'];
    expect(() => pruneLock(broken, { name: 'svc', version: '0.0.0', dependencies: { app: '1.0.0' } })).toThrow(
      'package-lock.json has no leaf where node_modules/app/node_modules/shared needs it: run `npm install` to repair the lock',
    );
  });
});

describe("pruneLock on the workspace's own lock", () => {
  it('makes a lock that `npm ci --omit=dev` accepts as it is, and would install exactly', () => {
    const rootLock = workspaceLock();
    const dependencies = Object.fromEntries(
      ['express', 'pg', 'pino', '@opentelemetry/instrumentation-http'].map((name) => [
        name,
        rootLock.packages[`node_modules/${name}`]!.version!,
      ]),
    );
    const cut = pruneLock(rootLock, { name: 'probe', version: '0.0.0', dependencies });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pruned-lock-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'package.json'),
        JSON.stringify({ name: 'probe', version: '0.0.0', dependencies }),
      );
      fs.writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(cut));
      const run = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--dry-run', '--no-audit', '--no-fund'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
      // Every package but the root, the optional ones too: none of these is for another platform.
      expect(run.stdout).toMatch(new RegExp(`added ${Object.keys(cut.packages).length - 1} packages`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
