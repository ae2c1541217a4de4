import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

export interface ProgramOptions {
  /** What the program is, in its errors: `the gateway simulator`, `order-service#1`. */
  name: string;
  /** Its build, e.g. `tools/gateway-simulator/dist/main.js`; run by node itself, so the pid is the program's. */
  main: string;
  /** Node's own flags, before the program. */
  nodeFlags?: string[];
  cwd?: string;
  /** The whole environment but PATH: nothing leaks in from the shell. */
  env: Record<string, string>;
  /** Where its output goes (appended). */
  logFile: string;
  /** Answers 2xx once the program takes work. */
  readyUrl: string;
  /** Ready within this, or it is killed and the start fails. */
  timeoutMs?: number;
}

/** A program that exited before it was ready; `lastWords` is its log's last line (its main writes why there). */
export class ProgramExited extends Error {
  constructor(
    readonly program: string,
    readonly code: number | null,
    readonly lastWords: string,
    readonly logFile: string,
  ) {
    super(`${program} exited instead of starting: ${lastWords} (log: ${logFile})`);
  }
}

/**
 * A built Node.js program (a service, the gateway simulator, the identity provider) as its own OS
 * process, as a deployment runs it, its output in a log file: started, waited for until it answers
 * `readyUrl`, stopped. Tests, the e2e suite and the bench talk to it over the network only.
 */
export class ProgramProcess {
  private constructor(
    private readonly options: ProgramOptions,
    private readonly child: ChildProcess,
  ) {}

  static async start(options: ProgramOptions): Promise<ProgramProcess> {
    if (!fs.existsSync(options.main)) {
      throw new Error(`${options.main} is missing: build it first (npx nx run-many -t build)`);
    }
    fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
    const log = fs.openSync(options.logFile, 'a');
    const child = spawn(process.execPath, [...(options.nodeFlags ?? []), options.main], {
      cwd: options.cwd,
      env: { PATH: process.env['PATH'] ?? '', ...options.env },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    const program = new ProgramProcess(options, child);
    try {
      await program.waitUntilReady();
    } catch (error) {
      child.kill('SIGKILL'); // never leave a half-started process behind
      throw error;
    }
    return program;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  private async waitUntilReady(): Promise<void> {
    const { name, readyUrl, logFile, timeoutMs = 15_000 } = this.options;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exited) {
        throw new ProgramExited(name, this.child.exitCode, logTail(logFile, 1) || '(its log is empty)', logFile);
      }
      // Bounded: whatever else holds the port may accept the connection and never answer.
      const ready = await fetch(readyUrl, { signal: AbortSignal.timeout(1000) }).then(
        (res) => res.ok,
        () => false,
      );
      if (ready) return;
      if (Date.now() > deadline) {
        throw new Error(`${name} did not answer ${readyUrl} within ${timeoutMs / 1000} s: see ${logFile}`);
      }
      await delay(50);
    }
  }

  /** SIGTERM, so that it shuts down gracefully (and writes a CPU profile); SIGKILL if it hangs. Resolves with the exit code. */
  async stop(timeoutMs = 25_000): Promise<number | null> {
    if (this.exited) return this.child.exitCode;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      const [code] = (await exited) as [number | null];
      return code;
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGKILL: it dies at once, mid-work, as in a crash; resolves once it is gone. */
  async kill(): Promise<void> {
    if (this.exited) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGKILL');
    await exited;
  }

  /** The last `lines` of its log. */
  logTail(lines = 20): string {
    return logTail(this.options.logFile, lines);
  }
}

/** The last `lines` of a log file: also what to show of a program that exited as it started (ProgramExited.logFile). */
export function logTail(logFile: string, lines: number): string {
  return fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-lines).join('\n');
}
