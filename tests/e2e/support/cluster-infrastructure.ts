import { GatewayProcess } from '@shopflow/gateway-simulator';
import { IdentityProviderProcess } from '@shopflow/identity-provider';
import { prismaConfigOf } from '@shopflow/migrate';
import { createTestDatabase, createTestVhost, freePort, startSmtpSink, uniqueName } from '@shopflow/testing';
import path from 'node:path';
import { cluster, NODES } from './rabbitmq-cluster';
import { WORKSPACE } from './service-process';
import { type Infrastructure, SERVICES, type ServiceName } from './system';

/**
 * System.start()'s infrastructure with the broker replaced by the local three-node cluster
 * (tools/dev/rabbitmq-cluster.sh, started here if it is down): a fresh vhost made through node 1,
 * and each service's AMQP_URL the three nodes' URLs of it, comma-separated, as a cluster's
 * deployment sets it. close() first brings back any node a test left down (the vhost is deleted
 * through node 1), then removes everything it made, even if one removal fails; it never stops the
 * cluster, which other runs reuse.
 */
export async function startClusterInfrastructure(): Promise<Infrastructure> {
  const cleanups: (() => Promise<unknown>)[] = [];
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const errors: unknown[] = [];
      await cluster.start().catch((error: unknown) => errors.push(error));
      for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => errors.push(error));
      if (errors.length) throw new AggregateError(errors, 'cleaning up the cluster suite failed');
    })());

  try {
    await cluster.start();
    const vhost = await createTestVhost('e2e-cluster', {
      amqpUrl: cluster.amqpUrl(1),
      managementUrl: cluster.managementUrl(1),
    });
    cleanups.push(() => vhost.drop());
    const amqpUrl = NODES.map((i) => {
      const url = new URL(cluster.amqpUrl(i));
      url.pathname = new URL(vhost.url).pathname;
      return url.toString();
    }).join(',');

    const databases = new Map<ServiceName, string>();
    for (const service of SERVICES) {
      const database = await createTestDatabase({
        prefix: `e2e_cluster_${service.split('-')[0]}`,
        prismaConfig: prismaConfigOf(service),
      });
      cleanups.push(() => database.drop());
      databases.set(service, database.url);
    }
    const smtp = await startSmtpSink();
    cleanups.push(() => smtp.close());
    const gateway = await GatewayProcess.start({
      port: await freePort(),
      logDir: path.join(WORKSPACE, 'tmp/e2e-logs', uniqueName('gateway')),
    });
    cleanups.push(() => gateway.stop());
    const identity = await IdentityProviderProcess.start({
      port: await freePort(),
      logDir: path.join(WORKSPACE, 'tmp/e2e-logs', uniqueName('identity')),
    });
    cleanups.push(() => identity.stop());

    return {
      vhost,
      smtp,
      gateway,
      identity,
      envOf: (service) => {
        const databaseUrl = databases.get(service);
        if (!databaseUrl) throw new Error(`no database for ${service}`);
        return {
          DATABASE_URL: databaseUrl,
          AMQP_URL: amqpUrl,
          LOG_LEVEL: process.env['E2E_LOG_LEVEL'] ?? 'info',
          SMTP_HOST: '127.0.0.1',
          SMTP_PORT: String(smtp.port),
          ...(service === 'payment-service' && { PAYMENT_GATEWAY_URL: gateway.url }),
          AUTH_JWKS_URL: identity.jwksUrl,
          AUTH_ISSUER: identity.issuer,
          AUTH_AUDIENCE: identity.audience,
        };
      },
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
