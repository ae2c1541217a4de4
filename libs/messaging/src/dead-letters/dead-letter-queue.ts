import amqplib, { type ChannelModel, type ConfirmChannel, type GetMessage, type Options } from 'amqplib';
import { isConsumerQueueOf, serviceFailureNames, type ServiceFailureNames } from '../consumer/consumer-topology';
import { DeadLetterError } from './dead-letter-error';
import { readDeadLetter, redriveHeaders, type DeadLetter } from './dead-letter';

export interface DeadLetterQueueOptions {
  /** AMQP URL; its path is the vhost. */
  url: string;
  /** e.g. `order-service`: its queue `<service>.dead-letter` is read, its exchange `<service>.retry` redriven to. */
  service: string;
  /** Shown in the management UI's connection list. */
  connectionName?: string;
  connectTimeoutMs?: number;
}

/**
 * One service's dead-letter queue, read without losing anything: every message taken stays
 * unacknowledged on this object's channel until it is redriven or discarded (then acked), and
 * whatever is left goes back to the queue when the channel closes. Nothing here depends on the
 * queue's type: `basic.get`, ack and channel close work alike on classic and quorum queues.
 * Nothing is declared either: a mistyped service must not create queues.
 */
export class DeadLetterQueue {
  readonly names: ServiceFailureNames;
  /** The deliveries behind the letters handed out, unacknowledged until settled. */
  private readonly held = new Map<DeadLetter, GetMessage>();
  /** Why the broker closed the channel, if it did: the reason any later operation fails. */
  private channelError?: Error;

  private constructor(
    readonly service: string,
    private readonly connection: ChannelModel,
    private readonly channel: ConfirmChannel,
  ) {
    this.names = serviceFailureNames(service);
    channel.on('error', (error: Error) => (this.channelError = error));
  }

  /** Connects (once, no retries: an operator wants to know at once) and checks the service's queue and exchange exist. */
  static async open(options: DeadLetterQueueOptions): Promise<DeadLetterQueue> {
    const connection = await amqplib.connect(options.url, {
      timeout: options.connectTimeoutMs ?? 5000,
      clientProperties: { connection_name: options.connectionName ?? 'dead-letter-tool' },
    });
    // A connection error also closes it, which every pending operation then reports.
    connection.on('error', () => undefined);
    try {
      const names = serviceFailureNames(options.service);
      const where = `vhost '${vhostOf(options.url)}'`;
      await mustExist(connection, `queue ${names.deadLetterQueue} on ${where}`, (c) =>
        c.checkQueue(names.deadLetterQueue),
      );
      await mustExist(connection, `exchange ${names.retryExchange} on ${where}`, (c) =>
        c.checkExchange(names.retryExchange),
      );
      return new DeadLetterQueue(options.service, connection, await connection.createConfirmChannel());
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Takes every message the queue holds now, oldest first, and keeps them unacknowledged: nobody else
   * can take them meanwhile, and closing gives back those not settled.
   */
  async takeAll(): Promise<DeadLetter[]> {
    const letters: DeadLetter[] = [];
    for (;;) {
      const message = await this.channel.get(this.names.deadLetterQueue, { noAck: false });
      if (!message) break;
      const letter = readDeadLetter(message);
      this.held.set(letter, message);
      letters.push(letter);
      if (message.fields.messageCount === 0) break;
    }
    return letters;
  }

  /**
   * Publishes a copy to the service's retry exchange with the consumer queue's name as routing key,
   * which reaches that queue only: it is the binding expired retry delays come back through, and
   * the exchange belongs to this service. Never to the event's own topic exchange, which would
   * deliver it to every other service bound there again. The copy keeps the message id, the
   * properties and the headers, and counts the redrive; the dead letter is acked only once the
   * broker has confirmed the copy, so a crash in between duplicates (consumers are idempotent) and
   * never loses. `mandatory` makes an unroutable copy come back instead of vanishing.
   * Resolves with the queue it reached.
   */
  async redrive(letter: DeadLetter): Promise<string> {
    const message = this.heldMessage(letter);
    const queue = this.destinationOf(letter);
    // userId must name the publishing user or the broker closes the channel; clusterId is obsolete.
    const { headers: _headers, userId: _userId, clusterId: _clusterId, ...properties } = message.properties;
    await this.publishRouted(queue, message.content, {
      ...withoutUndefined(properties),
      deliveryMode: properties.deliveryMode ?? 2,
      headers: redriveHeaders(letter.headers, new Date()),
    });
    this.settle(letter, message);
    return queue;
  }

  /** Removes the dead letter for good. */
  discard(letter: DeadLetter): void {
    this.settle(letter, this.heldMessage(letter));
  }

  /** Gives back every dead letter taken and neither redriven nor discarded, and disconnects. */
  async close(): Promise<void> {
    await this.channel.close().catch(() => undefined); // already closed by the broker: they are back anyway
    await this.connection.close().catch(() => undefined);
  }

  /** Refuses any queue but one of this service's consumer queues, whatever the headers say. */
  private destinationOf(letter: DeadLetter): string {
    const queue = letter.consumerQueue;
    if (!queue) {
      throw new DeadLetterError(
        'refused',
        `dead letter ${letter.id} has no x-consumer-queue header, so the queue it failed in is unknown: ` +
          `not redriven (look at it with show, then purge it or publish it again by hand)`,
      );
    }
    if (!isConsumerQueueOf(this.service, queue)) {
      throw new DeadLetterError(
        'refused',
        `dead letter ${letter.id} names ${queue} as its queue, which is not a consumer queue of ${this.service}: ` +
          `not redriven (a redrive only reaches ${this.service}'s own queues; purge it if it does not belong here)`,
      );
    }
    return queue;
  }

  private publishRouted(routingKey: string, content: Buffer, options: Options.Publish): Promise<void> {
    const exchange = this.names.retryExchange;
    return new Promise((resolve, reject) => {
      // The broker sends basic.return before the confirm of the same message, and redrives go one
      // at a time, so a return seen before this confirm is this message's.
      let returned = false;
      const onReturn = () => (returned = true);
      this.channel.once('return', onReturn);
      try {
        this.channel.publish(exchange, routingKey, content, { ...options, mandatory: true }, (error: unknown) => {
          this.channel.off('return', onReturn);
          if (error) {
            reject(
              new DeadLetterError(
                'not-confirmed',
                `the broker did not confirm the redrive to ${exchange} (${describe(this.channelError ?? error)}): ` +
                  `the dead letter stays parked; check the broker and the user's write permission on ${exchange}`,
                { cause: this.channelError ?? error },
              ),
            );
          } else if (returned) {
            reject(
              new DeadLetterError(
                'unroutable',
                `${exchange} routes nothing to ${routingKey}: that queue is gone or not bound, so the dead letter stays ` +
                  `parked (start ${this.service}, which declares and binds its queues, then redrive again)`,
              ),
            );
          } else {
            resolve();
          }
        });
      } catch (error) {
        // amqplib throws at once on a channel already closed.
        this.channel.off('return', onReturn);
        reject(
          new DeadLetterError(
            'not-confirmed',
            `the channel to the broker is closed (${describe(this.channelError ?? error)})`,
            {
              cause: error,
            },
          ),
        );
      }
    });
  }

  private heldMessage(letter: DeadLetter): GetMessage {
    const message = this.held.get(letter);
    if (!message) throw new Error(`dead letter ${letter.id} was not taken by this queue, or was settled already`);
    return message;
  }

  private settle(letter: DeadLetter, message: GetMessage): void {
    this.channel.ack(message);
    this.held.delete(letter);
  }
}

/**
 * Runs a passive check on a channel of its own: the broker answers a missing object by closing the
 * channel, which must not take the dead letters' channel with it.
 */
async function mustExist(
  connection: ChannelModel,
  what: string,
  check: (channel: amqplib.Channel) => Promise<unknown>,
): Promise<void> {
  const channel = await connection.createChannel();
  channel.on('error', () => undefined); // reported through the rejected check
  try {
    await check(channel);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 404) throw error;
    throw new DeadLetterError(
      'not-found',
      `there is no ${what}: check the service name (a service declares its dead-letter queue and ` +
        `retry exchange when it first starts) and the vhost in the URL`,
      { cause: error },
    );
  }
  await channel.close();
}

/** The vhost an AMQP URL names, as amqplib reads it: the path without its slash, decoded; none is `/`. */
export function vhostOf(url: string): string {
  const path = new URL(url).pathname.slice(1);
  return path ? decodeURIComponent(path) : '/';
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
