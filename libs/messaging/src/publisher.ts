import { AppError } from '@shopflow/errors';
import { type Envelope, type EventDefinition } from '@shopflow/events';
import { type ServiceMetrics } from '@shopflow/observability';
import { type BrokerConnection, type ManagedChannel } from './broker-connection';
import { tracePublish } from './message-tracing';
import { type Topology } from './topology';

export interface OutgoingMessage {
  exchange: string;
  routingKey: string;
  event: Envelope;
  headers?: Record<string, unknown>;
}

export interface PublisherOptions {
  /** How long to wait for the broker's confirm before rejecting. Default 10 s. */
  publishTimeoutMs?: number;
  /** Counts confirmed publishes by event type. */
  metrics?: ServiceMetrics;
}

/**
 * Publishes persistent messages on a confirm channel: `publish` resolves only once the
 * broker has taken responsibility for the message, and rejects if it did not
 * (nack, connection lost while waiting, or timeout). Callers retry; consumers are idempotent.
 */
export class EventPublisher {
  private readonly channel: ManagedChannel;
  private readonly publishTimeoutMs: number;
  private readonly metrics?: ServiceMetrics;
  private readonly exchanges: ReadonlySet<string>;

  constructor(
    connection: BrokerConnection,
    /** The exchanges this service owns: declared before the first publish. */
    owns: readonly Pick<EventDefinition, 'exchange'>[],
    options: PublisherOptions = {},
  ) {
    this.publishTimeoutMs = options.publishTimeoutMs ?? 10_000;
    this.metrics = options.metrics;
    this.exchanges = new Set(owns.map((d) => d.exchange));
    const topology: Topology = {
      exchanges: [...this.exchanges].map((name) => ({ name, type: 'topic' })),
      queues: [],
      bindings: [],
    };
    this.channel = connection.openChannel('publisher', topology);
  }

  /** Traced as a producer span, continuing the trace in `headers` (from the outbox) or the active one. */
  async publish(message: OutgoingMessage): Promise<void> {
    const { exchange, routingKey, event } = message;
    // Refused here rather than by the broker, which would close the channel and fail every publish in flight on it.
    if (!this.exchanges.has(exchange)) {
      throw new AppError(
        'internal',
        `${exchange} is not an exchange of this service (${[...this.exchanges].join(', ')})`,
      );
    }
    await tracePublish(message, (headers) =>
      this.channel.wrapper.publish(exchange, routingKey, Buffer.from(JSON.stringify(event)), {
        persistent: true,
        contentType: 'application/json',
        messageId: event.id,
        type: event.type,
        correlationId: event.correlationId,
        timestamp: Math.floor(Date.parse(event.occurredAt) / 1000),
        appId: event.source,
        headers,
        timeout: this.publishTimeoutMs,
      }),
    );
    this.metrics?.eventsPublished.inc({ event_type: event.type });
  }

  waitForConnect(): Promise<void> {
    return this.channel.wrapper.waitForConnect();
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}
