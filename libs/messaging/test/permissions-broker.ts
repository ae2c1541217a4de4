import { eventually } from '@shopflow/testing';
import amqplib, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { type Definitions, type DefinitionsPermission } from './permissions-definitions';

const DEFAULT_MANAGEMENT_URL = 'http://guest:guest@127.0.0.1:15672';

/** The management HTTP API as the test's administrator (RABBITMQ_MANAGEMENT_URL, as in @shopflow/testing). */
async function management(
  method: 'PUT' | 'POST' | 'DELETE',
  apiPath: string,
  body: unknown,
  baseUrl: string = process.env['RABBITMQ_MANAGEMENT_URL'] ?? DEFAULT_MANAGEMENT_URL,
): Promise<number> {
  const base = new URL(baseUrl);
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`);
  base.username = '';
  base.password = '';
  const response = await fetch(new URL(`api${apiPath}`, base.href.replace(/\/?$/, '/')), {
    method,
    headers: { authorization: `Basic ${auth.toString('base64')}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok && response.status !== 404) {
    throw new Error(`RabbitMQ management ${method} ${apiPath}: ${response.status} ${await response.text()}`);
  }
  return response.status;
}

const seg = encodeURIComponent;

/** Imports the vhost-scoped part of the definitions (exchanges, queues, bindings, policies) into `vhost`. */
export async function importVhostDefinitions(
  vhost: string,
  definitions: Definitions,
  managementUrl?: string,
): Promise<void> {
  const scoped = <T extends { vhost: string }>(items: T[] | undefined) =>
    (items ?? []).map(({ vhost: _vhost, ...item }) => item);
  await management(
    'POST',
    `/definitions/${seg(vhost)}`,
    {
      exchanges: scoped(definitions.exchanges),
      queues: scoped(definitions.queues),
      bindings: scoped(definitions.bindings),
      policies: scoped(definitions.policies),
    },
    managementUrl,
  );
}

/** Creates a user with the password hash from rendered definitions, so the render script is proven too. */
export async function createUser(
  name: string,
  hash: { password_hash: string; hashing_algorithm: string },
  managementUrl?: string,
) {
  await management('PUT', `/users/${seg(name)}`, { ...hash, tags: '' }, managementUrl);
}

export async function deleteUser(name: string, managementUrl?: string): Promise<void> {
  await management('DELETE', `/users/${seg(name)}`, undefined, managementUrl);
}

export async function setPermissions(
  vhost: string,
  user: string,
  permission: DefinitionsPermission,
  managementUrl?: string,
): Promise<void> {
  const { configure, write, read } = permission;
  await management('PUT', `/permissions/${seg(vhost)}/${seg(user)}`, { configure, write, read }, managementUrl);
}

/** `vhostUrl` (an AMQP URL with the administrator's credentials) with another user's. */
export function urlFor(vhostUrl: string, user: string, password: string): string {
  const url = new URL(vhostUrl);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString();
}

export async function connect(url: string): Promise<ChannelModel> {
  const connection = await amqplib.connect(url);
  connection.on('error', () => undefined); // channel errors are what these tests provoke
  return connection;
}

export interface Refusal {
  what: string;
  code: number | undefined;
  message: string;
}

/**
 * Runs `operation` on a fresh channel and resolves with how the broker closed that channel;
 * rejects if the broker let the operation through. A refused operation closes only its channel,
 * so one connection serves many checks, concurrently too.
 */
export async function refusalOf(
  connection: ChannelModel,
  what: string,
  operation: (channel: ConfirmChannel) => Promise<unknown>,
): Promise<Refusal> {
  const channel = await connection.createConfirmChannel();
  let refusal: Refusal | undefined;
  channel.on('error', (err: Error & { code?: number }) => {
    refusal ??= { what, code: err.code, message: err.message };
  });
  let completed = false;
  await operation(channel).then(
    () => (completed = true),
    () => undefined, // the channel's 'error' event carries the broker's reason
  );
  if (completed) {
    await channel.close();
    throw new Error(`${what}: the broker allowed it`);
  }
  return eventually(
    () => {
      if (!refusal) throw new Error('channel not closed by the broker yet');
      return refusal;
    },
    { timeoutMs: 5_000, intervalMs: 5, message: `${what}: waiting for the broker to close the channel` },
  );
}

/** What a refusal for lack of permission looks like. */
export const accessRefused = (what: string) => ({
  what,
  code: 403,
  message: expect.stringMatching(/ACCESS_REFUSED/),
});

/** Publishes one message on a confirm channel and waits for the broker's confirm. */
export async function publishConfirmed(channel: ConfirmChannel, exchange: string, routingKey: string) {
  channel.publish(exchange, routingKey, Buffer.from('{}'), { persistent: true });
  await channel.waitForConfirms();
}
