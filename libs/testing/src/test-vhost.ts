import { eventually } from './eventually';
import { defaultManagementUrl, management as managementAt, seg } from './rabbitmq-management';
import { uniqueName } from './unique-name';

const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

export interface QueueStats {
  messages: number;
  consumers: number;
}

export interface TestVhostOptions {
  /** The broker's AMQP URL (its path is replaced by the vhost's); TEST_AMQP_URL by default. */
  amqpUrl?: string;
  /** Its management API, credentials in it; RABBITMQ_MANAGEMENT_URL by default. */
  managementUrl?: string;
}

export interface TestVhost {
  name: string;
  /** AMQP URL of the vhost, with the credentials of the broker's AMQP URL. */
  url: string;
  /** Deletes the vhost with everything in it; the broker closes its connections. Safe to call twice. */
  drop(): Promise<void>;
  /**
   * Force-closes every client connection on the vhost (like `rabbitmqctl close_connection`);
   * resolves with how many were closed.
   * The management API lists a new connection only once its first stats arrive (~2 s here), so
   * to close one just opened pass `atLeast: 1`: it then waits (up to `timeoutMs`) until it is listed.
   */
  closeConnections(options?: { atLeast?: number; timeoutMs?: number }): Promise<number>;
  /**
   * Queue stats from the management API, undefined if the queue does not exist.
   * STALE: refreshed every collect_statistics_interval (~5 s) and 0 until the first refresh.
   * Use countMessages() for exact counts.
   */
  queue(name: string): Promise<QueueStats | undefined>;
  /**
   * The consumers of a queue and how many of them the broker delivers to (all of them, or one for a
   * single-active-consumer queue), from the management API's consumer list, which is current, unlike
   * its queue stats. A quorum queue's declare-ok counts only the active consumer.
   */
  consumers(queue: string): Promise<{ total: number; active: number }>;
  /** Every queue of the vhost with its type (`classic`, `quorum`, `stream`), from the management API. */
  queueTypes(): Promise<Record<string, string>>;
}

/**
 * A fresh, uniquely named RabbitMQ vhost, so tests never see each other's exchanges and queues; on
 * the test broker, or on the one `options` name (e.g. one node of a cluster).
 */
export async function createTestVhost(prefix: string, options: TestVhostOptions = {}): Promise<TestVhost> {
  const name = uniqueName(prefix);
  const url = new URL(options.amqpUrl ?? process.env['TEST_AMQP_URL'] ?? DEFAULT_AMQP_URL);
  const managementUrl = options.managementUrl ?? defaultManagementUrl();
  const management = (method: 'GET' | 'PUT' | 'DELETE', path: string, body?: unknown, headers = {}) =>
    managementAt(method, path, body, headers, managementUrl);
  url.pathname = `/${seg(name)}`;
  const user = decodeURIComponent(url.username) || 'guest';

  await management('PUT', `/vhosts/${seg(name)}`, {});
  // A new vhost grants nobody access, not even the administrator.
  await management('PUT', `/permissions/${seg(name)}/${seg(user)}`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  });

  const listConnections = async () =>
    ((await management('GET', `/vhosts/${seg(name)}/connections`)).body as { name: string }[] | undefined) ?? [];

  return {
    name,
    url: url.toString(),
    async drop() {
      await management('DELETE', `/vhosts/${seg(name)}`);
    },
    async closeConnections({ atLeast = 0, timeoutMs = 10_000 } = {}) {
      const connections = await eventually(
        async () => {
          const list = await listConnections();
          if (list.length < atLeast) throw new Error(`${list.length} of ${atLeast} connections listed`);
          return list;
        },
        { timeoutMs, message: `connections on vhost ${name}` },
      );
      let closed = 0;
      for (const connection of connections) {
        const { status } = await management('DELETE', `/connections/${seg(connection.name)}`, undefined, {
          'x-reason': 'closed by test',
        });
        if (status !== 404) closed++; // 404: it closed by itself meanwhile
      }
      return closed;
    },
    async queue(queueName) {
      const q = (await management('GET', `/queues/${seg(name)}/${seg(queueName)}`)).body as
        Partial<QueueStats> | undefined;
      return q && { messages: q.messages ?? 0, consumers: q.consumers ?? 0 };
    },
    async consumers(queueName) {
      const list = ((await management('GET', `/consumers/${seg(name)}`)).body ?? []) as {
        queue: { name: string };
        active?: boolean;
      }[];
      const ours = list.filter((consumer) => consumer.queue.name === queueName);
      return { total: ours.length, active: ours.filter((consumer) => consumer.active !== false).length };
    },
    async queueTypes() {
      // RabbitMQ 3.10's management cache can answer 500 on a queue declared a moment ago: ask again.
      const { body } = await eventually(() => management('GET', `/queues/${seg(name)}`), {
        timeoutMs: 20_000,
        intervalMs: 500,
        message: `the queues of vhost ${name}`,
      });
      const queues = (body ?? []) as { name: string; type: string }[];
      return Object.fromEntries(queues.map((q) => [q.name, q.type]));
    },
  };
}
