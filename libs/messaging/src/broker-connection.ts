import { type Logger } from '@shopflow/observability';
import amqp, { type AmqpConnectionManager, type ChannelWrapper } from 'amqp-connection-manager';
import { type ConfirmChannel } from 'amqplib';
import { writeFramesTogether } from './frame-writes';
import { declareTopology, type Topology } from './topology';

export interface BrokerConnectionOptions {
  /**
   * The broker's AMQP URL, or one per node of a cluster: the connection goes to one of them and,
   * when it is lost or refused, to the next (amqp-connection-manager's round robin).
   */
  url: string | readonly string[];
  /** Shown in the management UI (connection_name), e.g. `inventory-service`. */
  connectionName: string;
  logger: Logger;
  heartbeatSeconds?: number;
  reconnectSeconds?: number;
}

export interface ManagedChannel {
  wrapper: ChannelWrapper;
  /**
   * Increases each time the underlying channel is re-created. A delivery tag is only
   * valid on the channel that delivered it: acking it on a newer one would ack another
   * message or close the channel, so consumers compare generations before acking.
   */
  generation(): number;
  close(): Promise<void>;
}

/**
 * One AMQP connection per process, re-established by amqp-connection-manager. Every channel
 * re-declares its topology and re-attaches its consumers whenever it is re-created.
 */
export class BrokerConnection {
  private readonly manager: AmqpConnectionManager;
  private readonly logger: Logger;
  private closing = false;

  constructor(options: BrokerConnectionOptions) {
    this.logger = options.logger.child({ component: 'broker' });
    this.manager = amqp.connect(startingAnywhere(typeof options.url === 'string' ? [options.url] : options.url), {
      heartbeatIntervalInSeconds: options.heartbeatSeconds ?? 10,
      reconnectTimeInSeconds: options.reconnectSeconds ?? 1,
      connectionOptions: {
        clientProperties: { connection_name: options.connectionName },
      },
    });
    this.manager.on('connect', ({ connection, url }) => {
      this.logger.info({ broker: addressOf(url) }, 'broker connected');
      if (!writeFramesTogether(connection))
        this.logger.warn('amqplib internals changed: frames are written to the socket one by one');
    });
    this.manager.on('disconnect', ({ err }) => this.logger.warn({ err }, 'broker disconnected, reconnecting'));
    this.manager.on('connectFailed', ({ err, url }) =>
      this.logger.error({ err, broker: addressOf(url) }, 'broker connection failed, trying the next address'),
    );
    this.manager.on('blocked', ({ reason }) => this.logger.warn({ reason }, 'broker blocked publishing'));
    this.manager.on('unblocked', () => this.logger.info('broker unblocked publishing'));
  }

  isConnected(): boolean {
    return this.manager.isConnected();
  }

  /** Readiness: rejects while the connection is down (it is being re-established). */
  async checkConnected(): Promise<void> {
    if (!this.manager.isConnected()) throw new Error('not connected to the broker');
  }

  /** Opens a confirm channel that declares `topology` and runs `setup` each time it is (re)created. */
  openChannel(name: string, topology: Topology, setup?: (channel: ConfirmChannel) => Promise<void>): ManagedChannel {
    let generation = 0;
    let closed = false;
    const wrapper = this.manager.createChannel({
      name,
      confirm: true,
      json: false,
      setup: async (channel: ConfirmChannel) => {
        generation += 1;
        this.watchChannel(name, channel, () => closed);
        await declareTopology(channel, topology, (exchange) => this.exchangeExists(exchange));
        await setup?.(channel);
      },
    });
    wrapper.on('error', (err: Error) => this.logger.error({ err, channel: name }, 'channel setup failed'));
    return {
      wrapper,
      generation: () => generation,
      close: async () => {
        closed = true;
        await wrapper.close();
      },
    };
  }

  /** Checked on a channel of its own, closed at once: a missing exchange makes the broker close it. */
  private async exchangeExists(name: string): Promise<boolean> {
    const connection = this.manager.connection;
    if (!connection) return false;
    const probe = await connection.createChannel();
    probe.on('error', () => undefined);
    try {
      await probe.checkExchange(name);
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === 404) return false;
      throw error;
    } finally {
      await probe.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.manager.close();
  }

  /**
   * amqp-connection-manager only re-creates a channel on the next *connection*: a channel
   * closed by the broker on its own (a channel error) would stay dead. Reconnecting
   * brings it, and every other channel, back.
   */
  private watchChannel(name: string, channel: ConfirmChannel, closedOnPurpose: () => boolean): void {
    const connection = this.manager.connection;
    channel.on('error', (err: Error) => this.logger.error({ err, channel: name }, 'channel error'));
    channel.on('close', () => {
      // Channels also close just before their connection does: let that case go to the normal reconnect.
      setImmediate(() => {
        if (this.closing || closedOnPurpose() || this.manager.connection !== connection) return;
        this.logger.warn({ channel: name }, 'channel closed by the broker, reconnecting');
        this.manager.reconnect();
      });
    });
  }
}

/**
 * The same list, started at a random node: every replica begins with a different one, so a
 * cluster's connections spread over its nodes instead of all landing on the first, and losing a
 * node moves only its share of them.
 */
function startingAnywhere(urls: readonly string[]): string[] {
  const first = Math.floor(Math.random() * urls.length);
  return [...urls.slice(first), ...urls.slice(0, first)];
}

/** host:port of a broker URL, for the logs: never its credentials. */
function addressOf(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined;
  try {
    const { hostname, port, protocol } = new URL(url);
    return `${hostname}:${port || (protocol === 'amqps:' ? 5671 : 5672)}`;
  } catch {
    return undefined;
  }
}
