import { eventually } from '@shopflow/testing';
import { type Charge, type Refund, type SimulatorSettings } from '@shopflow/gateway-simulator';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { WORKSPACE } from './service-process';

/**
 * The card processor's simulator as its own OS process (tools/gateway-simulator/dist), as npm start
 * and compose run it; the test changes its knobs and reads what it did over HTTP only.
 */
export class GatewayProcess {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(options: { port: number; logDir: string; env?: Record<string, string> }): Promise<GatewayProcess> {
    const main = path.join(WORKSPACE, 'tools/gateway-simulator/dist/main.js');
    if (!fs.existsSync(main)) throw new Error(`${main} is missing: build it first (nx run-many -t build)`);
    fs.mkdirSync(options.logDir, { recursive: true });
    const log = fs.openSync(path.join(options.logDir, 'gateway-simulator.log'), 'a');
    const child = spawn(process.execPath, [main], {
      env: { PATH: process.env['PATH'] ?? '', ...options.env, PORT: String(options.port) },
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    const gateway = new GatewayProcess(`http://127.0.0.1:${options.port}`, child);
    try {
      await eventually(async () => (await fetch(`${gateway.url}/health`)).ok, {
        timeoutMs: 15_000,
        message: 'the gateway simulator did not start',
      });
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
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
