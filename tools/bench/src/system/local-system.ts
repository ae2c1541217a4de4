import { GatewayProcess } from '@shopflow/gateway-simulator';
import { IdentityProviderProcess } from '@shopflow/identity-provider';
import { prismaConfigOf } from '@shopflow/migrate';
import { createTestDatabase, createTestVhost, freePort, type TestDatabase, type TestVhost } from '@shopflow/testing';
import { CannotRun } from '../cannot-run';
import { must } from '../must';
import { databaseActivity, type DatabaseActivity } from './database-activity';
import { type Externals } from './externals';
import { startMailCounter, type MailCounter } from './mail-counter';
import { ServiceProcess } from './service-process';
import { SERVICES, type ServiceName } from './services';

export interface LocalSystemOptions {
  /** The checkout whose built services run (see ServiceProcess). */
  servicesRoot: string;
  logDir: string;
  logLevel: string;
  /** Applied last, over the bench's own settings. */
  serviceEnv: Record<string, string>;
  cpuProfile?: { services: ServiceName[]; dir: string };
}

/** Where createTestDatabase makes the databases (TEST_DATABASE_URL overrides it, there and here). */
const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

/**
 * The environment the bench sets on a service besides the URLs: its own settings, then `serviceEnv`
 * (--env): its `KEY`s, then the `service:KEY`s of this service, so that the most specific wins.
 * Without a service, as the report lists them: every entry as given.
 */
export function benchSettings(
  options: Pick<LocalSystemOptions, 'logLevel' | 'serviceEnv'>,
  service?: ServiceName,
): Record<string, string> {
  // The entries of one scope, their keys without it: `undefined` for those of every service.
  const scoped = (scope?: string) =>
    Object.fromEntries(
      Object.entries(options.serviceEnv).flatMap(([key, value]) => {
        const at = key.indexOf(':');
        return (at < 0 ? undefined : key.slice(0, at)) === scope ? [[key.slice(at + 1), value]] : [];
      }),
    );
  return {
    LOG_LEVEL: options.logLevel,
    // The bench makes its own products: the demo catalog would only add noise.
    SEED_CATALOG: 'false',
    ...(service ? { ...scoped(), ...scoped(service) } : options.serviceEnv),
  };
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
    readonly gateway: GatewayProcess,
    readonly identity: IdentityProviderProcess,
  ) {}

  static async create(options: LocalSystemOptions): Promise<LocalSystem> {
    const vhost = await createTestVhost('bench');
    const databases = new Map<ServiceName, TestDatabase>();
    let mail: MailCounter | undefined;
    let gateway: GatewayProcess | undefined;
    let identity: IdentityProviderProcess | undefined;
    try {
      // Migrated before any service starts, by the migration step's code with the migrations of the
      // checkout whose services run, as a deployment migrates before it starts them.
      for (const service of SERVICES) {
        const database = await createTestDatabase({
          prefix: `bench_${service.split('-')[0]}`,
          prismaConfig: prismaConfigOf(service, options.servicesRoot),
        });
        databases.set(service, database);
      }
      mail = await startMailCounter();
      // The card processor's simulator, its own process: it stands for a system on other machines.
      // Each start's failure is one line that says why (a port taken, a build missing).
      gateway = await GatewayProcess.start({ port: await freePort(), logDir: options.logDir }).catch(cannotRun);
      // Where the bench's clients get their access tokens, and whose keys the services check them with.
      identity = await IdentityProviderProcess.start({ port: await freePort(), logDir: options.logDir }).catch(
        cannotRun,
      );
      const system = new LocalSystem(options, vhost, databases, mail, gateway, identity);
      system.closeOnInterrupt();
      return system;
    } catch (error) {
      await identity?.stop();
      await gateway?.stop();
      await mail?.close();
      for (const database of databases.values()) await database.drop().catch(() => undefined);
      await vhost.drop().catch(() => undefined);
      throw error;
    }
  }

  /** What every service process gets: this run's URLs, then the bench's settings. */
  private envOf(service: ServiceName): Record<string, string> {
    return {
      DATABASE_URL: must(this.databases.get(service), `database of ${service}`).url,
      AMQP_URL: this.vhost.url,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(this.mail.port),
      PAYMENT_GATEWAY_URL: this.gateway.url,
      AUTH_JWKS_URL: this.identity.jwksUrl,
      AUTH_ISSUER: this.identity.issuer,
      AUTH_AUDIENCE: this.identity.audience,
      ...benchSettings(this.options, service),
    };
  }

  /**
   * Brings every service to `replicas` processes, all started at once. `npm start` starts inventory
   * last so that the catalog it announces finds order-service's queue; here there is no catalog to
   * announce (SEED_CATALOG=false), and the bench creates its products once every service is ready.
   */
  async scaleTo(replicas: number): Promise<void> {
    const wanted = SERVICES.flatMap((service) => {
      const running = this.replicas(service).length;
      return Array.from({ length: Math.max(0, replicas - running) }, (_, i) => ({ service, replica: running + i + 1 }));
    });
    // All settled before a failure is reported: a start still under way when another fails would
    // otherwise come up after close() had stopped the others, and outlive the bench.
    const started = await Promise.allSettled(wanted.map(({ service, replica }) => this.startOne(service, replica)));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
  }

  private async startOne(service: ServiceName, replica: number): Promise<void> {
    const profile = this.options.cpuProfile?.services.includes(service) ? this.options.cpuProfile.dir : undefined;
    const process = await ServiceProcess.start({
      root: this.options.servicesRoot,
      service,
      replica,
      port: await freePort(),
      env: this.envOf(service),
      logDir: this.options.logDir,
      cpuProfileDir: profile,
    });
    this.processes.push(process);
  }

  /** From now on, the processor and the mail relay answer as `externals` says. */
  async useExternals(externals: Externals): Promise<void> {
    await this.gateway.configure({ latency: externals.gateway });
    this.mail.setReplyDelay(externals.smtpReplyDelayMs);
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

  /** Stops every process at once: the bench has seen every order final, nothing is in flight. */
  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
  }

  /** What each service's database did over the whole run; call after stop(), when the counts are complete. */
  async databaseActivity(): Promise<Record<string, DatabaseActivity>> {
    const names = [...this.databases.values()].map((d) => d.name);
    const activity = await databaseActivity(process.env['TEST_DATABASE_URL'] ?? DEFAULT_DATABASE_URL, names);
    return Object.fromEntries(
      [...this.databases].flatMap(([service, database]) => {
        const found = activity.get(database.name);
        return found ? [[service, found]] : [];
      }),
    );
  }

  /**
   * Interrupted (Ctrl-C, a kill), the bench stops its processes and drops its vhost and databases
   * before it exits, instead of leaving them to whoever comes next.
   */
  private closeOnInterrupt(): void {
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`${signal}: stopping the services, dropping the vhost and databases\n`);
      void this.close().finally(() => process.exit(130));
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    this.forgetInterrupt = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    };
  }

  private forgetInterrupt: () => void = () => undefined;

  /** Stops what still runs, then drops the vhost and databases. */
  async close(): Promise<void> {
    this.forgetInterrupt();
    await this.stop();
    await this.identity.stop();
    await this.gateway.stop();
    await this.mail.close();
    await this.vhost.drop().catch(() => undefined);
    for (const database of this.databases.values()) await database.drop().catch(() => undefined);
  }
}

function cannotRun(error: Error): never {
  throw new CannotRun(error.message);
}
