import {
  createTestDatabase,
  createTestVhost,
  startSmtpSink,
  uniqueName,
  type SmtpSink,
  type TestDatabase,
  type TestVhost,
  freePort,
} from '@shopflow/testing';
import path from 'node:path';
import { GatewayProcess } from '@shopflow/gateway-simulator';
import { IdentityProviderProcess, type TokenRequest } from '@shopflow/identity-provider';
import { prismaConfigOf } from '@shopflow/migrate';
import { ServiceProcess, WORKSPACE } from './service-process';

// Consumers first, inventory last: the catalog it announces at start must find order-service's queue.
export const SERVICES = ['order-service', 'payment-service', 'notification-service', 'inventory-service'] as const;
export type ServiceName = (typeof SERVICES)[number];

/**
 * Where a System's services run: the broker vhost and SMTP server tests look into, the complete
 * environment of each service process (PORT aside: the System picks a free one), and how to
 * release it all once the services have stopped. `System.start()` makes a fresh one per suite;
 * `System.startOn()` takes one made elsewhere (e.g. from docker-compose.yml's own environment).
 */
export interface Infrastructure {
  readonly vhost: TestVhost;
  readonly smtp: SmtpSink;
  /** The card processor's simulator, as its own process, when this infrastructure runs one. */
  readonly gateway?: GatewayProcess;
  /** Where clients get their access tokens: the identity provider the services trust. */
  readonly identity: { token(claims: TokenRequest): Promise<string> };
  envOf(service: ServiceName): Record<string, string>;
  close(): Promise<void>;
}

/**
 * The whole system for one test file: a fresh vhost, one fresh database per service, a real
 * SMTP server, and each service as its own OS process, as in production.
 */
export class System {
  private readonly processes = new Map<ServiceName, ServiceProcess[]>();
  readonly vhost: TestVhost;
  readonly smtp: SmtpSink;
  readonly gateway?: GatewayProcess;
  readonly identity: Infrastructure['identity'];

  private constructor(
    private readonly infrastructure: Infrastructure,
    private readonly logDir: string,
  ) {
    this.vhost = infrastructure.vhost;
    this.smtp = infrastructure.smtp;
    this.gateway = infrastructure.gateway;
    this.identity = infrastructure.identity;
  }

  static async start(extraEnv: Partial<Record<ServiceName, Record<string, string>>> = {}): Promise<System> {
    const vhost = await createTestVhost('e2e');
    // Migrated first, as the migration step does before the services start in a deployment.
    const databases = new Map<ServiceName, TestDatabase>(
      await Promise.all(
        SERVICES.map(
          async (service) =>
            [
              service,
              await createTestDatabase({
                prefix: `e2e_${service.split('-')[0]}`,
                prismaConfig: prismaConfigOf(service),
              }),
            ] as const,
        ),
      ),
    );
    const smtp = await startSmtpSink();
    const gateway = await GatewayProcess.start({
      port: await freePort(),
      logDir: path.join(WORKSPACE, 'tmp/e2e-logs', uniqueName('gateway')),
    });
    const identity = await IdentityProviderProcess.start({
      port: await freePort(),
      logDir: path.join(WORKSPACE, 'tmp/e2e-logs', uniqueName('identity')),
    });
    return System.startOn({
      vhost,
      smtp,
      gateway,
      identity,
      /** The environment a service gets; the same variables docker-compose sets. */
      envOf: (service) => ({
        DATABASE_URL: databases.get(service)!.url,
        AMQP_URL: vhost.url,
        LOG_LEVEL: process.env['E2E_LOG_LEVEL'] ?? 'info',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtp.port),
        ...(service === 'payment-service' && { PAYMENT_GATEWAY_URL: gateway.url }),
        AUTH_JWKS_URL: identity.jwksUrl,
        AUTH_ISSUER: identity.issuer,
        AUTH_AUDIENCE: identity.audience,
        ...extraEnv[service],
      }),
      async close() {
        await identity.stop();
        await gateway.stop();
        await smtp.close();
        await vhost.drop();
        for (const database of databases.values()) await database.drop();
      },
    });
  }

  /**
   * Starts the four services on `infrastructure`, inventory first (it publishes the catalog that
   * order-service copies). If one fails to start, the others are stopped and the infrastructure closed.
   */
  static async startOn(infrastructure: Infrastructure): Promise<System> {
    const system = new System(infrastructure, path.join(WORKSPACE, 'tmp/e2e-logs', uniqueName('run')));
    try {
      for (const service of SERVICES) await system.startService(service);
    } catch (error) {
      await system.close().catch(() => undefined);
      throw error;
    }
    return system;
  }

  url(service: ServiceName): string {
    const [first] = this.processes.get(service) ?? [];
    if (!first) throw new Error(`${service} is not running`);
    return first.url;
  }

  /** The environment a service process gets (and PORT). */
  envOf(service: ServiceName): Record<string, string> {
    return this.infrastructure.envOf(service);
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

  /** SIGKILL to every replica of `service`: a crash, nothing drained; startService starts it again. */
  async killService(service: ServiceName): Promise<void> {
    const replicas = this.processes.get(service) ?? [];
    this.processes.delete(service);
    await Promise.all(replicas.map((p) => p.kill()));
  }

  /** SIGKILL to one replica of `service`, as in a crash of that one process; the others go on. */
  async killReplica(service: ServiceName, replica: ServiceProcess): Promise<void> {
    this.processes.set(
      service,
      this.replicas(service).filter((p) => p !== replica),
    );
    await replica.kill();
  }

  replicas(service: ServiceName): readonly ServiceProcess[] {
    return this.processes.get(service) ?? [];
  }

  async close(): Promise<void> {
    for (const service of [...SERVICES].reverse()) await this.stopService(service);
    await this.infrastructure.close();
  }
}
