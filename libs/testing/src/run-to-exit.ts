import { spawn } from 'node:child_process';
import { once } from 'node:events';

export interface RunToExitOptions {
  /** The child's whole environment, beside PATH: nothing else of the test's leaks in. */
  env: Record<string, string>;
  cwd?: string;
  /** Killed after this long, so a start that does not fail cannot hang the test. */
  timeoutMs?: number;
}

/**
 * Runs a Node.js script to its exit (one that must exit on its own, such as a start that fails)
 * and answers its exit code and everything it wrote. Asynchronous, so that whatever the test
 * itself serves (a proxy, a server holding a port) keeps answering meanwhile.
 */
export async function runToExit(
  script: string,
  { env, cwd, timeoutMs = 15_000 }: RunToExitOptions,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--enable-source-maps', script], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const [status] = (await once(child, 'close')) as [number | null];
    return { status, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}
