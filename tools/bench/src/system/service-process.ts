import { ProgramExited, ProgramProcess } from '@shopflow/testing';
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
    private readonly program: ProgramProcess,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number {
    return this.program.pid;
  }

  get label(): string {
    return labelOf(this.service, this.replica);
  }

  static async start(options: StartOptions): Promise<ServiceProcess> {
    const label = labelOf(options.service, options.replica);
    const logFile = path.join(options.logDir, `${options.service}-${options.replica}.log`);
    const profiling = options.cpuProfileDir
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${options.cpuProfileDir}`,
          `--cpu-prof-name=${options.service}-${options.replica}.cpuprofile`,
        ]
      : [];
    const program = await ProgramProcess.start({
      name: label,
      main: path.join(options.root, 'apps', options.service, 'dist/main.js'),
      nodeFlags: [...deployedNodeFlags(options.root, options.service), ...profiling],
      cwd: path.join(options.root, 'apps', options.service),
      env: { ...options.env, PORT: String(options.port) },
      logFile,
      readyUrl: `http://127.0.0.1:${options.port}/health/ready`,
      timeoutMs: 60_000,
    }).catch((error: unknown) => {
      throw cannotStart(label, error);
    });
    return new ServiceProcess(options.service, options.replica, options.port, logFile, program);
  }

  get exited(): boolean {
    return this.program.exited;
  }

  /** SIGTERM (graceful, so a CPU profile gets written), SIGKILL if it hangs; resolves with the exit code. */
  stop(timeoutMs = 25_000): Promise<number | null> {
    return this.program.stop(timeoutMs);
  }

  logTail(lines = 20): string {
    return this.program.logTail(lines);
  }
}

/** How the bench names a replica in its logs and errors: `order-service#1`. */
const labelOf = (service: ServiceName, replica: number) => `${service}#${replica}`;

/** The bench's one line for a service that would not start: what it said last, and what to do. */
function cannotStart(label: string, error: unknown): CannotRun {
  if (!(error instanceof ProgramExited)) return new CannotRun(error instanceof Error ? error.message : String(error));
  const said = lastWords(error.lastWords);
  const fix = /EADDRINUSE/.test(said)
    ? 'another process took the port the bench chose for it: run the bench again'
    : `see ${error.logFile}`;
  return new CannotRun(`${label} exited as it started (${error.code}): ${said}: ${fix}`);
}

/** A service's last log line (JSON: its message and error), on one line. */
function lastWords(line: string): string {
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
