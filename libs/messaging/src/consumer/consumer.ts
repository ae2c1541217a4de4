import { parseEvent } from '@shopflow/events';
import {
  eventLogFields,
  type ConsumeOutcome,
  type Logger,
  type QueueStats,
  type ServiceMetrics,
} from '@shopflow/observability';
import { type Span } from '@opentelemetry/api';
import { type ConsumeMessage } from 'amqplib';
import { type BrokerConnection, type ManagedChannel } from '../broker-connection';
import { describeEvent, markFailed, traceDelivery } from '../message-tracing';
import { consumerNames, consumerTopology, type ConsumerNames } from './consumer-topology';
import { DeliveryAcks } from './delivery-acks';
import { type HandlerRegistration } from './event-handler';
import { decideOnFailure, type FailureDecision } from './failure-decision';
import { failureHeaders, previousFailures } from './failure-headers';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy';

export interface ConsumerOptions {
  /** e.g. `inventory-service`; names the queue `<service>.<purpose>` and its retry/dead-letter exchanges. */
  service: string;
  purpose: string;
  handlers: HandlerRegistration[];
  logger: Logger;
  /** Unacknowledged messages in flight at once: bounds memory and concurrency. */
  prefetch?: number;
  retry?: RetryPolicy;
  /** Counts each settled delivery by outcome and times the handlers. */
  metrics?: ServiceMetrics;
  /**
   * One replica at a time reads the queue (RabbitMQ's single active consumer); the others stand by,
   * and the broker hands the queue to one of them when the active one's connection or channel goes.
   * For a service whose every message writes the same few rows: its replicas would only take turns
   * on those rows' locks, paying for the waits (docs/operations.md, "Replicas").
   */
  singleActiveConsumer?: boolean;
  /** Deliveries of one message before the broker parks it (see DEFAULT_DELIVERY_LIMIT). */
  deliveryLimit?: number;
}

/** The event type for metrics: from the message if it is one this consumer handles, else `unknown` (bounded labels). */
function eventTypeOf(content: Buffer, handled: readonly string[]): string {
  try {
    const type: unknown = (JSON.parse(content.toString()) as { type?: unknown } | null)?.type;
    return typeof type === 'string' && handled.includes(type) ? type : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Reads one durable queue with manual acks. Every delivery ends in exactly one of:
 * handled → ack; failed and retryable → republished to a delay queue, then ack;
 * invalid or out of attempts → republished to the dead-letter queue, then ack.
 * The ack always follows a confirmed republish, so a crash in between only duplicates.
 */
export class EventConsumer {
  readonly names: ConsumerNames;
  private readonly retry: RetryPolicy;
  private readonly logger: Logger;
  private readonly inFlight = new Set<Promise<void>>();
  private channel?: ManagedChannel;
  private acks?: { generation: number; acks: DeliveryAcks };

  constructor(
    private readonly connection: BrokerConnection,
    private readonly options: ConsumerOptions,
  ) {
    this.names = consumerNames(options.service, options.purpose);
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.logger = options.logger.child({
      component: 'consumer',
      queue: this.names.queue,
    });
  }

  /** Declares the queue, its bindings and retry path, and starts consuming (again after every reconnect). */
  async start(): Promise<void> {
    const definitions = this.options.handlers.map((h) => h.definition);
    const prefetch = this.options.prefetch ?? 20;
    // Prefetch is set in the channel's own setup, awaited, rather than through consume()'s option:
    // amqp-connection-manager does not await that one, and a channel closing at that moment
    // becomes an unhandled rejection that kills the process.
    const channel = this.connection.openChannel(
      this.names.queue,
      consumerTopology(this.names, definitions, this.retry, {
        singleActiveConsumer: this.options.singleActiveConsumer,
        deliveryLimit: this.options.deliveryLimit,
      }),
      async (raw) => void (await raw.prefetch(prefetch)),
    );
    this.channel = channel;
    await channel.wrapper.consume(this.names.queue, (message) => this.track(this.onMessage(channel, message)), {
      noAck: false,
    });
    await channel.wrapper.waitForConnect();
  }

  /** Depth and consumers of this consumer's queue and of its dead-letter queue, straight from the broker. */
  async queueStats(): Promise<QueueStats[]> {
    const channel = this.channel;
    if (!channel) return [];
    return Promise.all(
      [this.names.queue, this.names.deadLetterQueue].map(async (queue) => {
        const { messageCount, consumerCount } = await channel.wrapper.checkQueue(queue);
        return { queue, messages: messageCount, consumers: consumerCount };
      }),
    );
  }

  /** Stops taking messages, lets the in-flight ones finish, then closes the channel. */
  async stop(): Promise<void> {
    if (!this.channel) return;
    await this.channel.wrapper.cancelAll().catch((err) => this.logger.warn({ err }, 'cancel failed'));
    await Promise.allSettled([...this.inFlight]);
    this.acks?.acks.flush();
    await this.channel.close();
    this.channel = undefined;
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    // Not awaited: the delivery is handled while the next arrives. onMessage settles every outcome
    // itself; should it ever reject, the rejection stays unhandled and the service's handler stops
    // the process (libs/bootstrap's runService), as for any failure whose state is unknown.
    void work.finally(() => this.inFlight.delete(work));
  }

  /** Each delivery is handled in a consumer span that continues the publisher's trace (retries included). */
  private onMessage(channel: ManagedChannel, message: ConsumeMessage): Promise<void> {
    const acks = this.acksOf(channel);
    acks.received(message);
    const headers = message.properties.headers ?? {};
    const failures = previousFailures(headers);
    return traceDelivery(
      { queue: this.names.queue, routingKey: message.fields.routingKey, headers, attempt: failures + 1 },
      (span) => this.handleDelivery(channel, acks, message, failures, span),
    );
  }

  private async handleDelivery(
    channel: ManagedChannel,
    /** Of the channel generation the delivery came on. */
    acks: DeliveryAcks,
    message: ConsumeMessage,
    /** Earlier failed attempts, from the message's headers. */
    failures: number,
    span: Span,
  ): Promise<void> {
    const settle = async (eventType: string, counted: ConsumeOutcome, outcome: () => Promise<void>) => {
      try {
        await outcome();
        this.options.metrics?.eventsConsumed.inc({ event_type: eventType, outcome: counted });
        acks.ack(message);
      } catch (err) {
        this.logger.error({ err }, 'could not route a failed message; leaving it for redelivery');
        acks.nack(message, true);
      }
    };

    const parsed = parseEvent(
      message.content,
      this.options.handlers.map((h) => h.definition),
    );
    if (!parsed.ok) {
      markFailed(span, parsed.error);
      this.logger.warn(
        { reason: parsed.error.message, routingKey: message.fields.routingKey },
        'invalid message dead-lettered',
      );
      const eventType = eventTypeOf(
        message.content,
        this.options.handlers.map((h) => h.definition.type),
      );
      const decision = decideOnFailure(parsed.error, 0, this.retry);
      return settle(eventType, outcomeOf(decision), () => this.republish(channel, message, decision));
    }

    const event = parsed.event;
    describeEvent(span, event);
    const logger = this.logger.child(eventLogFields(event));
    const handler = this.options.handlers.find(
      (h) => h.definition.type === event.type && h.definition.version === event.version,
    );
    const endTimer = this.options.metrics?.handlerDuration.startTimer({ event_type: event.type });
    try {
      // parseEvent only accepts the handled definitions, so a handler exists.
      await handler?.handle(event, { logger, attempt: failures + 1 });
      endTimer?.();
      logger.debug('event handled');
      return settle(event.type, 'handled', async () => undefined);
    } catch (error) {
      endTimer?.();
      markFailed(span, error);
      const decision = decideOnFailure(error, failures, this.retry);
      logger.warn(
        {
          err: decision.error,
          attempts: decision.attempts,
          action: decision.action,
        },
        'event handling failed',
      );
      return settle(event.type, outcomeOf(decision), () => this.republish(channel, message, decision));
    }
  }

  /** The acks of the channel's current generation (delivery tags start again on every new channel). */
  private acksOf(channel: ManagedChannel): DeliveryAcks {
    const generation = channel.generation();
    if (this.acks?.generation !== generation) {
      const isCurrent = () => channel.generation() === generation;
      this.acks = { generation, acks: new DeliveryAcks(channel.wrapper, isCurrent) };
    }
    return this.acks.acks;
  }

  /** Publishes a copy to the delay queue or the dead-letter queue and waits for the broker's confirm. */
  private async republish(channel: ManagedChannel, message: ConsumeMessage, decision: FailureDecision): Promise<void> {
    const headers = failureHeaders(
      {
        exchange: message.fields.exchange,
        routingKey: message.fields.routingKey,
        headers: message.properties.headers ?? {},
      },
      decision,
      this.names.queue,
    );
    const [exchange, routingKey] =
      decision.action === 'retry'
        ? [this.names.retryExchange, this.names.delayQueue(decision.delayMs)]
        : [this.names.deadLetterExchange, this.names.queue];
    const { contentType, messageId, type, correlationId, timestamp, appId } = message.properties;
    await channel.wrapper.publish(exchange, routingKey, message.content, {
      contentType,
      messageId,
      type,
      correlationId,
      timestamp,
      appId,
      headers,
      persistent: true,
    });
  }
}

function outcomeOf(decision: FailureDecision): ConsumeOutcome {
  return decision.action === 'retry' ? 'retried' : 'dead_lettered';
}
