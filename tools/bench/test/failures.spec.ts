import { freePort } from '@shopflow/testing';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const BENCH = path.resolve(__dirname, '..');

/** The bench as `npm run bench` runs it (tsx, its own process), or `script`, to its exit: these runs fail early. */
function runBench(
  args: string[],
  script = 'src/main.ts',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), script, ...args], { cwd: BENCH });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** stderr without the progress lines (`[bench   1.2 s] …`) that come before the failure. */
const failure = (stderr: string) => stderr.replace(/^\[bench [^\n]*\n/gm, '');

describe('npm run bench failing before it measures: one line naming the cause and the fix, no stack trace', () => {
  let out: string;
  beforeEach(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-failure-'));
  });
  afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

  it('names running services (--target) that do not answer, and the option that points at them', async () => {
    const port = await freePort();
    const run = await runBench(['--quick', '--target', '--order-url', `http://127.0.0.1:${port}`, '--out', out]);
    expect({ code: run.code, failure: failure(run.stderr), stdout: run.stdout }).toEqual({
      code: 1,
      failure:
        `npm run bench: no order-service answers at http://127.0.0.1:${port} (ECONNREFUSED): ` +
        'start the system with `npm start`, or name yours with --order-url\n',
      stdout: '',
    });
  });

  it('names a --services-from folder that holds no built checkout', async () => {
    const empty = path.join(out, 'not-a-checkout');
    const run = await runBench(['--quick', '--services-from', empty, '--out', out]);
    expect({ code: run.code, failure: failure(run.stderr) }).toEqual({
      code: 1,
      failure:
        `npm run bench: ${empty}/apps/order-service/Dockerfile is missing: point --services-from at a checkout ` +
        'of this repository, built (npm ci && npm run build there)\n',
    });
  });

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['--replicas', '0'], '--replicas takes counts ≥ 1, e.g. 1,2'],
    [
      ['--target', '--order-url', '127.0.0.1:3001'],
      '--order-url takes an http(s) URL such as http://127.0.0.1:3001, got 127.0.0.1:3001',
    ],
  ])('refuses %j in one line, exit status 2', async (args, message) => {
    expect(await runBench(args)).toEqual({
      code: 2,
      stdout: '',
      stderr: `npm run bench: ${message} (npm run bench -- --help lists the options)\n`,
    });
  });

  it('prints its options with --help, on stdout', async () => {
    const run = await runBench(['--help']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/^npm run bench -- \[options\]\n[\s\S]*--target/);
  });
});

describe('npm run bench:compare failing before it builds anything', () => {
  it('names a REF that is not a commit, in one line', async () => {
    expect(await runBench(['no-such-ref-anywhere'], 'src/compare.ts')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'npm run bench:compare: no-such-ref-anywhere is not a commit of this repository: ' +
        'name a commit, branch or tag (git log --oneline)\n',
    });
  });

  it('refuses a command line without REF with exit status 2', async () => {
    expect(await runBench(['--rounds', '3'], 'src/compare.ts')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'npm run bench:compare: name one commit, branch or tag to compare with, e.g. main (npm run bench:compare -- --help)\n',
    });
  });
});
