import { createTestDatabase, createTestVhost, type TestDatabase, type TestVhost } from '@shopflow/testing';
import { must } from '../must';
import { freePort } from './free-port';
import { startMailCounter, type MailCounter } from './mail-counter';
import { ServiceProcess } from './service-process';
import { SERVICES, type ServiceName } from './services';

export interface LocalSystemOptions {
  logDir: string;
  logLevel: string;
  /** Applied last, over the bench's own settings. */
  serviceEnv: Record<string, string>;
  cpuProfile?: { service: ServiceName; dir: string };
}

/**
 * The four built services as OS processes on a fresh RabbitMQ vhost and fresh databases (unique
 * names, dropped by close()), with an SMTP server that counts the e-mails. The bench owns every
 * process, so it knows each pid.
 */
export class LocalSystem {
  private readonly processes: ServiceProcess[] = [];

  private constructor(
    private readonly options: LocalSystemOptions,
    readonly vhost: TestVhost,
    private readonly databases: Map<ServiceName, TestDatabase>,
    readonly mail: MailCounter,
  ) {}

  static async create(options: LocalSystemOptions): Promise<LocalSystem> {
    const vhost = await createTestVhost('bench');
    const databases = new Map<ServiceName, TestDatabase>();
    let mail: MailCounter | undefined;
    try {
      for (const service of SERVICES) {
        databases.set(service, await createTestDatabase({ prefix: `bench_${service.split('-')[0]}` }));
      }
      mail = await startMailCounter();
      return new LocalSystem(options, vhost, databases, mail);
    } catch (error) {
      await mail?.close();
      for (const database of databases.values()) await database.drop().catch(() => undefined);
      await vhost.drop().catch(() => undefined);
      throw error;
    }
  }

  /** What every service process gets, as docker-compose would set it. */
  private envOf(service: ServiceName, replica: number): Record<string, string> {
    return {
      DATABASE_URL: must(this.databases.get(service), `database of ${service}`).url,
      AMQP_URL: this.vhost.url,
      LOG_LEVEL: this.options.logLevel,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(this.mail.port),
      // The bench makes its own products: the demo catalog would only add noise.
      SEED_CATALOG: 'false',
      // The payment simulator answers at once and never fails transiently: we measure our code, not a fake gateway's sleep.
      GATEWAY_LATENCY_MS: '0',
      GATEWAY_FAILURE_RATE: '0',
      // The first replica migrated the database; a no-op migrate costs a later one seconds of CPU (the wasm schema engine).
      ...(replica > 1 && { MIGRATE_ON_START: 'false' }),
      ...this.options.serviceEnv,
    };
  }

  /**
   * Brings every service to `replicas` processes. The first start of order-service, payment- and
   * notification-service runs in parallel (their queues must exist before inventory announces its
   * catalog); later replicas all start at once, their queues being there already.
   */
  async scaleTo(replicas: number): Promise<void> {
    const first = this.processes.length === 0;
    const wanted = SERVICES.flatMap((service) => {
      const running = this.replicas(service).length;
      return Array.from({ length: Math.max(0, replicas - running) }, (_, i) => ({ service, replica: running + i + 1 }));
    });
    const start = (list: typeof wanted) =>
      Promise.all(list.map(({ service, replica }) => this.startOne(service, replica)));
    if (first) {
      await start(wanted.filter(({ service }) => service !== 'inventory-service'));
      await start(wanted.filter(({ service }) => service === 'inventory-service'));
    } else {
      await start(wanted);
    }
  }

  private async startOne(service: ServiceName, replica: number): Promise<void> {
    const profile = this.options.cpuProfile?.service === service ? this.options.cpuProfile.dir : undefined;
    const process = await ServiceProcess.start({
      service,
      replica,
      port: await freePort(),
      env: this.envOf(service, replica),
      logDir: this.options.logDir,
      cpuProfileDir: profile,
    });
    this.processes.push(process);
  }

  replicas(service: ServiceName): ServiceProcess[] {
    return this.processes.filter((p) => p.service === service);
  }

  get all(): readonly ServiceProcess[] {
    return this.processes;
  }

  /** A process that died mid-run makes every figure after it meaningless. */
  assertAlive(): void {
    const dead = this.processes.filter((p) => p.exited);
    if (dead.length > 0) {
      throw new Error(
        `service process(es) exited during the run: ${dead.map((p) => `${p.label}\n${p.logTail()}`).join('\n')}`,
      );
    }
  }

  /** Stops every process at once (the bench has seen every order final: nothing is in flight), then drops the vhost and databases. */
  async close(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    await this.mail.close();
    await this.vhost.drop().catch(() => undefined);
    for (const database of this.databases.values()) await database.drop().catch(() => undefined);
  }
}
