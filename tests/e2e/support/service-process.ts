import { logTail, ProgramExited, ProgramProcess } from '@shopflow/testing';
import path from 'node:path';

export const WORKSPACE = path.resolve(__dirname, '../../..');

/** One running service process, built from `apps/<name>/dist`, logging to a file. */
export class ServiceProcess {
  private constructor(
    readonly name: string,
    readonly port: number,
    readonly logFile: string,
    private readonly program: ProgramProcess,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Resolves once GET /health/ready answers 200 (within 60 s); a service that exits meanwhile fails it with its log's end. */
  static async start(options: {
    service: string;
    port: number;
    env: Record<string, string>;
    logDir: string;
    replica: number;
  }): Promise<ServiceProcess> {
    const logFile = path.join(options.logDir, `${options.service}-${options.replica}.log`);
    const program = await ProgramProcess.start({
      name: options.service,
      main: path.join(WORKSPACE, 'apps', options.service, 'dist/main.js'),
      nodeFlags: ['--enable-source-maps'],
      cwd: path.join(WORKSPACE, 'apps', options.service),
      env: { ...options.env, PORT: String(options.port) },
      logFile,
      readyUrl: `http://127.0.0.1:${options.port}/health/ready`,
      timeoutMs: 60_000,
    }).catch((error: unknown) => {
      if (!(error instanceof ProgramExited)) throw error;
      throw new Error(`${options.service} exited with ${error.code}:\n${logTail(logFile, 30)}`, { cause: error });
    });
    return new ServiceProcess(options.service, options.port, logFile, program);
  }

  /** SIGTERM, as an orchestrator would; resolves with the exit code once the process is gone. */
  stop(): Promise<number | null> {
    return this.program.stop();
  }

  /** SIGKILL: the process dies at once, mid-work, as in a crash; resolves once it is gone. */
  kill(): Promise<void> {
    return this.program.kill();
  }

  logTail(lines = 30): string {
    return this.program.logTail(lines);
  }
}
