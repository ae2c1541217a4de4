import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { type Charge, type Refund, type SimulatorSettings } from './gateway-simulator';

/** This package's folder: its build is dist/main.js. */
const PACKAGE_ROOT = path.resolve(__dirname, '..');

/**
 * The simulator as its own OS process (dist/main.js), as npm start and compose run it, for the e2e
 * suite and the bench: they change its knobs and read what it did over HTTP only.
 */
export class GatewayProcess {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {}

  get pid(): number {
    return this.child.pid ?? -1;
  }

  static async start(options: { port: number; logDir: string; env?: Record<string, string> }): Promise<GatewayProcess> {
    const main = path.join(PACKAGE_ROOT, 'dist/main.js');
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: build it first (npx nx run-many -t build)`);
    fs.mkdirSync(options.logDir, { recursive: true });
    const logFile = path.join(options.logDir, 'gateway-simulator.log');
    const log = fs.openSync(logFile, 'a');
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env['PATH'] ?? '', ...options.env, PORT: String(options.port) },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    const gateway = new GatewayProcess(`http://127.0.0.1:${options.port}`, child);
    const deadline = Date.now() + 15_000;
    while (
      // Bounded: whatever else holds the port may accept the connection and never answer.
      !(await fetch(`${gateway.url}/health`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => r.ok,
        () => false,
      ))
    ) {
      if (child.exitCode !== null) {
        // Its last line says why (a port in use, a bad variable) and what to do: main.ts writes it so.
        throw new Error(`the gateway simulator exited instead of starting: ${lastLine(logFile)} (log: ${logFile})`);
      }
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the gateway simulator did not answer on port ${options.port} within 15 s: see ${logFile}`);
      }
      await delay(50);
    }
    return gateway;
  }

  async configure(settings: Partial<SimulatorSettings>): Promise<void> {
    const res = await fetch(`${this.url}/simulator/settings`, { method: 'PUT', body: JSON.stringify(settings) });
    if (!res.ok) throw new Error(`the simulator refused the settings: ${res.status} ${await res.text()}`);
  }

  async charges(orderId: string): Promise<Charge[]> {
    const res = await fetch(`${this.url}/v1/charges?order_id=${encodeURIComponent(orderId)}`);
    return ((await res.json()) as { data: Charge[] }).data;
  }

  async refunds(chargeId: string): Promise<Refund[]> {
    const res = await fetch(`${this.url}/v1/refunds?charge=${encodeURIComponent(chargeId)}`);
    return ((await res.json()) as { data: Refund[] }).data;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** The last line of a log file: what a process that failed to start said last. */
function lastLine(file: string): string {
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').at(-1) || '(its log is empty)';
}
