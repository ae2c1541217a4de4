import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRepoFile, ROOT } from './support/repo';

const REQUIRE_BUILT = path.join(ROOT, 'tools/dev/require-built.mjs');

/** Every service and tool whose own `npm start` runs its build output. */
const startedFromDist = ['apps', 'tools'].flatMap((group) =>
  fs
    .readdirSync(path.join(ROOT, group))
    .map((folder) => `${group}/${folder}`)
    .filter((folder) => fs.existsSync(path.join(ROOT, folder, 'package.json')))
    .map((folder) => ({ folder, scripts: JSON.parse(readRepoFile(`${folder}/package.json`)).scripts ?? {} }))
    .filter(({ scripts }) => /\bdist\/main\.js\b/.test(scripts.start ?? '')),
);

describe("a service's or tool's own npm start", () => {
  it('checks first that it was built', () => {
    expect(startedFromDist.map(({ folder }) => folder)).toEqual(
      expect.arrayContaining(['apps/order-service', 'tools/gateway-simulator', 'tools/identity-provider']),
    );
    for (const { folder, scripts } of startedFromDist) {
      expect({ folder, prestart: scripts.prestart }).toEqual({
        folder,
        prestart: 'node ../../tools/dev/require-built.mjs',
      });
    }
  });

  describe('before the build', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shopflow-unbuilt-'));
      fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: '@shopflow/example' }));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const check = () => spawnSync(process.execPath, [REQUIRE_BUILT], { cwd: dir, encoding: 'utf8' });

    it('stops with one line that says how to build it, not a stack', () => {
      const { status, stdout, stderr } = check();
      expect(status).toBe(1);
      expect(stdout).toBe('');
      expect(stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^@shopflow\/example is not built \(no dist\/main\.js\): run `npm run build` at the repository root/,
        ),
      ]);
    });

    it('lets it start once built', () => {
      fs.mkdirSync(path.join(dir, 'dist'));
      fs.writeFileSync(path.join(dir, 'dist/main.js'), '');
      expect(check()).toMatchObject({ status: 0, stdout: '', stderr: '' });
    });
  });
});
