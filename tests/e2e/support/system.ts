import {
  createTestDatabase,
  createTestVhost,
  startSmtpSink,
  uniqueName,
  type SmtpSink,
  type TestDatabase,
  type TestVhost,
} from '@shopflow/testing';
import path from 'node:path';
import { freePort } from './free-port';
import { ServiceProcess, WORKSPACE } from './service-process';

export const SERVICES = ['inventory-service', 'order-service', 'payment-service', 'notification-service'] as const;
export type ServiceName = (typeof SERVICES)[number];

/**
 * The whole system for one test file: a fresh vhost, one fresh database per service, a real
 * SMTP server, and each service as its own OS process, as in production.
 */
export class System {
  private readonly processes = new Map<ServiceName, ServiceProcess[]>();

  private constructor(
    readonly vhost: TestVhost,
    private readonly databases: Map<ServiceName, TestDatabase>,
    readonly smtp: SmtpSink,
    private readonly logDir: string,
    private readonly extraEnv: Partial<Record<ServiceName, Record<string, string>>>,
  ) {}

  static async start(extraEnv: Partial<Record<ServiceName, Record<string, string>>> = {}): Promise<System> {
    const vhost = await createTestVhost('e2e');
    const databases = new Map<ServiceName, TestDatabase>();
    for (const service of SERVICES) {
      databases.set(service, await createTestDatabase({ prefix: `e2e_${service.split('-')[0]}` }));
    }
    const smtp = await startSmtpSink();
    const logDir = path.join(WORKSPACE, 'tmp/e2e-logs', uniqueName('run'));
    const system = new System(vhost, databases, smtp, logDir, extraEnv);
    // Inventory first: it publishes the catalog that order-service copies.
    for (const service of SERVICES) await system.startService(service);
    return system;
  }

  url(service: ServiceName): string {
    const [first] = this.processes.get(service) ?? [];
    if (!first) throw new Error(`${service} is not running`);
    return first.url;
  }

  /** The environment a service gets; the same variables docker-compose sets. */
  envOf(service: ServiceName): Record<string, string> {
    return {
      DATABASE_URL: this.databases.get(service)!.url,
      AMQP_URL: this.vhost.url,
      LOG_LEVEL: process.env['E2E_LOG_LEVEL'] ?? 'info',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(this.smtp.port),
      ...this.extraEnv[service],
    };
  }

  /** Starts one more replica of `service` (the first call starts the first one). */
  async startService(service: ServiceName): Promise<ServiceProcess> {
    const replicas = this.processes.get(service) ?? [];
    const started = await ServiceProcess.start({
      service,
      port: await freePort(),
      env: this.envOf(service),
      logDir: this.logDir,
      replica: replicas.length + 1,
    });
    this.processes.set(service, [...replicas, started]);
    return started;
  }

  /** Stops every replica of `service` gracefully; each must exit with code 0. */
  async stopService(service: ServiceName): Promise<(number | null)[]> {
    const replicas = this.processes.get(service) ?? [];
    this.processes.delete(service);
    return Promise.all(replicas.map((p) => p.stop()));
  }

  replicas(service: ServiceName): readonly ServiceProcess[] {
    return this.processes.get(service) ?? [];
  }

  async close(): Promise<void> {
    for (const service of [...SERVICES].reverse()) await this.stopService(service);
    await this.smtp.close();
    await this.vhost.drop();
    for (const database of this.databases.values()) await database.drop();
  }
}
