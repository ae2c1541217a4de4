import { eventually } from '@shopflow/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';

export const WORKSPACE = path.resolve(__dirname, '../../..');

/** One running service process, built from `apps/<name>/dist`, logging to a file. */
export class ServiceProcess {
  private constructor(
    readonly name: string,
    readonly port: number,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(options: {
    service: string;
    port: number;
    env: Record<string, string>;
    logDir: string;
    replica: number;
  }) {
    const main = path.join(WORKSPACE, 'apps', options.service, 'dist/main.js');
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: build the services first (nx run-many -t build)`);
    fs.mkdirSync(options.logDir, { recursive: true });
    const logFile = path.join(options.logDir, `${options.service}-${options.replica}.log`);
    const log = fs.openSync(logFile, 'a');
    const child = spawn(process.execPath, ['--enable-source-maps', main], {
      cwd: path.join(WORKSPACE, 'apps', options.service),
      env: { PATH: process.env['PATH'] ?? '', ...options.env, PORT: String(options.port) },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    const running = new ServiceProcess(options.service, options.port, logFile, child);
    try {
      await running.waitUntilReady();
    } catch (error) {
      // Never leave a half-started process behind.
      child.kill('SIGKILL');
      throw error;
    }
    return running;
  }

  async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    // A process that exited will never become ready: stop waiting at once.
    const exited = once(this.child, 'exit').then(([code]) => {
      throw new Error(`${this.name} exited with ${code}:\n${this.logTail()}`);
    });
    exited.catch(() => undefined);
    const ready = eventually(
      async () => {
        const res = await fetch(`${this.url}/health/ready`);
        if (res.status !== 200) throw new Error(`${this.name} not ready: ${res.status} ${await res.text()}`);
      },
      { timeoutMs, intervalMs: 200, message: `${this.name} did not become ready` },
    );
    await Promise.race([ready, exited]);
  }

  /** SIGTERM, as an orchestrator would; resolves with the exit code once the process is gone. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.child.exitCode;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const [code] = await exited;
    return code as number | null;
  }

  /** SIGKILL: the process dies at once, mid-work, as in a crash; resolves once it is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }

  logTail(lines = 30): string {
    return fs.readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
  }
}
