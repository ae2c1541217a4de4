import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { CannotRun } from '../cannot-run';
import { type ServiceName } from './services';
import { deployedNodeFlags } from './deployed-node';

export interface StartOptions {
  /** The checkout whose built service runs. */
  root: string;
  service: ServiceName;
  replica: number;
  port: number;
  /** The process's whole environment but PATH and PORT: nothing leaks in from the shell. */
  env: Record<string, string>;
  logDir: string;
  /** Write a V8 CPU profile to this folder when the process exits. */
  cpuProfileDir?: string;
}

/** One built service (`apps/<name>/dist/main.js`) as its own OS process, its output in a log file. */
export class ServiceProcess {
  private constructor(
    readonly service: ServiceName,
    readonly replica: number,
    readonly port: number,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get label(): string {
    return `${this.service}#${this.replica}`;
  }

  static async start(options: StartOptions): Promise<ServiceProcess> {
    const main = path.join(options.root, 'apps', options.service, 'dist/main.js');
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: build the services first (npm run build)`);
    fs.mkdirSync(options.logDir, { recursive: true });
    const logFile = path.join(options.logDir, `${options.service}-${options.replica}.log`);
    const log = fs.openSync(logFile, 'a');
    const profiling = options.cpuProfileDir
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${options.cpuProfileDir}`,
          `--cpu-prof-name=${options.service}-${options.replica}.cpuprofile`,
        ]
      : [];
    // node itself, not a shell or npm: the pid we read /proc of is the service's.
    const flags = deployedNodeFlags(options.root, options.service);
    const child = spawn(process.execPath, [...flags, ...profiling, main], {
      cwd: path.join(options.root, 'apps', options.service),
      env: { PATH: process.env['PATH'] ?? '', ...options.env, PORT: String(options.port) },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    const running = new ServiceProcess(options.service, options.replica, options.port, logFile, child);
    try {
      await running.waitUntilReady();
    } catch (error) {
      child.kill('SIGKILL'); // never leave a half-started process behind
      throw error;
    }
    return running;
  }

  private async waitUntilReady(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) {
        const said = this.lastWords();
        const fix = /EADDRINUSE/.test(said)
          ? 'another process took the port the bench chose for it: run the bench again'
          : `see ${this.logFile}`;
        throw new CannotRun(`${this.label} exited as it started (${this.child.exitCode}): ${said}: ${fix}`);
      }
      // Bounded: whatever took the port may accept the connection and never answer.
      const ready = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(1000) }).then(
        (res) => res.ok,
        () => false,
      );
      if (ready) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new CannotRun(
      `${this.label} was not ready within ${timeoutMs / 1000} s (last logged: ${this.lastWords()}): see ${this.logFile}`,
    );
  }

  /** What the service logged last (a JSON line: its message and error), on one line. */
  private lastWords(): string {
    const line = this.logTail(1);
    let said = line;
    try {
      const { msg, err } = JSON.parse(line) as { msg?: string; err?: { message?: string } };
      // pino repeats the error's message as msg when it is logged on its own.
      said = [...new Set([msg, err?.message].filter(Boolean))].join(': ') || line;
    } catch {
      // Not JSON (node itself failed, before the service's logger): the line as it is.
    }
    return said.replace(/\s*\n\s*/g, ' ') || 'nothing';
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** SIGTERM (graceful, so a CPU profile gets written), SIGKILL if it hangs; resolves with the exit code. */
  async stop(timeoutMs = 25_000): Promise<number | null> {
    if (this.exited) return this.child.exitCode;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const [code] = await exited;
    clearTimeout(timer);
    return code as number | null;
  }

  logTail(lines = 20): string {
    return fs.readFileSync(this.logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
  }
}
