import { type EventDefinition } from '@shopflow/events';
import { type Topology } from '../topology';
import { retryDelays, type RetryPolicy } from './retry-policy';

/** What a service has once, whatever its consumers: where their failed messages go. */
export interface ServiceFailureNames {
  /**
   * Direct exchange that routes failed messages into the delay queues, and expired delays back into
   * the consumer queue they came from (each consumer queue is bound to it by its own name).
   */
  retryExchange: string;
  /** Direct exchange and queue where messages that can never succeed are parked. */
  deadLetterExchange: string;
  deadLetterQueue: string;
}

export interface ConsumerNames extends ServiceFailureNames {
  /** `<service>.<purpose>`: the one durable queue this consumer reads. */
  queue: string;
  /** Delay queue for one backoff step; the delay is in the name so a changed policy never clashes. */
  delayQueue(delayMs: number): string;
}

export function serviceFailureNames(service: string): ServiceFailureNames {
  return {
    retryExchange: `${service}.retry`,
    deadLetterExchange: `${service}.dead-letter`,
    deadLetterQueue: `${service}.dead-letter`,
  };
}

export function consumerNames(service: string, purpose: string): ConsumerNames {
  const queue = `${service}.${purpose}`;
  return {
    ...serviceFailureNames(service),
    queue,
    delayQueue: (delayMs) => `${queue}.retry.${delayMs}ms`,
  };
}

/**
 * Whether `queue` is one of `service`'s consumer queues by its name (`<service>.<purpose>`), not its
 * dead-letter queue or a delay queue. What may be redriven where: the tool checks it before it
 * publishes, and the service's retry exchange only routes to that service's queues anyway.
 */
export function isConsumerQueueOf(service: string, queue: string): boolean {
  const { deadLetterQueue } = serviceFailureNames(service);
  return (
    queue.startsWith(`${service}.`) &&
    queue.length > service.length + 1 &&
    queue !== deadLetterQueue &&
    !/\.retry\.\d+ms$/.test(queue)
  );
}

/**
 * The consumer's queue bound to every event it handles, plus the retry path:
 * a failed message is republished to a delay queue whose TTL expires it back,
 * through the service's own retry exchange, into this consumer's queue only (never to other services,
 * and without any right on the default exchange).
 */
export function consumerTopology(
  names: ConsumerNames,
  events: readonly EventDefinition[],
  retry: RetryPolicy,
  options: { singleActiveConsumer?: boolean } = {},
): Topology {
  const delays = [...new Set(retryDelays(retry))];
  return {
    exchanges: [
      ...[...new Set(events.map((e) => e.exchange))].map((name) => ({
        name,
        type: 'topic' as const,
      })),
      { name: names.retryExchange, type: 'direct' },
      { name: names.deadLetterExchange, type: 'direct' },
    ],
    queues: [
      {
        name: names.queue,
        // RabbitMQ delivers to one consumer of the queue at a time and hands the queue to the next
        // (with whatever was unacknowledged) when that one's channel closes: see ConsumerOptions.
        ...(options.singleActiveConsumer && { arguments: { 'x-single-active-consumer': true } }),
      },
      { name: names.deadLetterQueue },
      ...delays.map((delayMs) => ({
        name: names.delayQueue(delayMs),
        arguments: {
          'x-message-ttl': delayMs,
          'x-dead-letter-exchange': names.retryExchange,
          'x-dead-letter-routing-key': names.queue,
        },
      })),
    ],
    bindings: [
      ...events.map((e) => ({
        queue: names.queue,
        exchange: e.exchange,
        routingKey: e.routingKey,
      })),
      // Expired delays come back through the retry exchange, keyed by the queue's own name.
      { queue: names.queue, exchange: names.retryExchange, routingKey: names.queue },
      {
        queue: names.deadLetterQueue,
        exchange: names.deadLetterExchange,
        routingKey: names.queue,
      },
      ...delays.map((delayMs) => ({
        queue: names.delayQueue(delayMs),
        exchange: names.retryExchange,
        routingKey: names.delayQueue(delayMs),
      })),
    ],
  };
}
