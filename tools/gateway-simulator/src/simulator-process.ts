import { ProgramProcess } from '@shopflow/testing';
import path from 'node:path';
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
    private readonly program: ProgramProcess,
  ) {}

  get pid(): number {
    return this.program.pid;
  }

  static async start(options: { port: number; logDir: string; env?: Record<string, string> }): Promise<GatewayProcess> {
    const url = `http://127.0.0.1:${options.port}`;
    const program = await ProgramProcess.start({
      name: 'the gateway simulator',
      main: path.join(PACKAGE_ROOT, 'dist/main.js'),
      env: { ...options.env, PORT: String(options.port) },
      logFile: path.join(options.logDir, 'gateway-simulator.log'),
      readyUrl: `${url}/health`,
    });
    return new GatewayProcess(url, program);
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
    await this.program.stop();
  }
}
