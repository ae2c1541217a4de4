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
 * Times the broker delivers a message to this service's consumers before it parks it in the
 * dead-letter queue: a message whose handling kills the process (no exception to catch: an
 * out-of-memory, a native crash) comes back each time the process dies with it in hand and would
 * otherwise loop forever. A failure the code sees is counted by the consumer (x-attempts) and
 * retried with backoff instead; this counts only what it never sees. 20 is RabbitMQ 4's default;
 * RabbitMQ 3 has none, so it is always set. Innocent messages in hand when a process dies come
 * back too and are counted, so it stays well above the restarts a deployment sees in a row.
 */
export const DEFAULT_DELIVERY_LIMIT = 20;

/**
 * Every durable queue is a quorum queue: replicated over the cluster's nodes (Raft), so losing a
 * node loses no message and stops no queue, where a classic queue lives on one node. Dead-lettering
 * out of one is at-least-once with `x-dead-letter-strategy` (the message leaves the queue only once
 * the dead-letter target has it), which needs `x-overflow: reject-publish`; no length limit is set,
 * so nothing is ever rejected for it.
 */
const QUORUM = { 'x-queue-type': 'quorum' } as const;
const AT_LEAST_ONCE_DEAD_LETTERING = {
  'x-dead-letter-strategy': 'at-least-once',
  'x-overflow': 'reject-publish',
} as const;

export interface ConsumerTopologyOptions {
  /** See ConsumerOptions.singleActiveConsumer. */
  singleActiveConsumer?: boolean;
  /** Deliveries before the broker parks a message; {@link DEFAULT_DELIVERY_LIMIT} by default. */
  deliveryLimit?: number;
}

/**
 * The consumer's queue bound to every event it handles, plus the retry path:
 * a failed message is republished to a delay queue whose TTL expires it back,
 * through the service's own retry exchange, into this consumer's queue only (never to other services,
 * and without any right on the default exchange). A message delivered too often is dead-lettered by
 * the broker itself (reason `delivery_limit`), into the same dead-letter queue as the consumer's own.
 */
export function consumerTopology(
  names: ConsumerNames,
  events: readonly EventDefinition[],
  retry: RetryPolicy,
  options: ConsumerTopologyOptions = {},
): Topology {
  const delays = [...new Set(retryDelays(retry))];
  return {
    exchanges: [
      // Their publishers' exchanges: only checked to exist (see ExchangeSpec.passive).
      ...[...new Set(events.map((e) => e.exchange))].map((name) => ({
        name,
        type: 'topic' as const,
        passive: true,
      })),
      { name: names.retryExchange, type: 'direct' },
      { name: names.deadLetterExchange, type: 'direct' },
    ],
    queues: [
      {
        name: names.queue,
        arguments: {
          ...QUORUM,
          'x-delivery-limit': options.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT,
          'x-dead-letter-exchange': names.deadLetterExchange,
          'x-dead-letter-routing-key': names.queue,
          ...AT_LEAST_ONCE_DEAD_LETTERING,
          // RabbitMQ delivers to one consumer of the queue at a time and hands the queue to the next
          // (with whatever was unacknowledged) when that one's channel closes: see ConsumerOptions.
          ...(options.singleActiveConsumer && { 'x-single-active-consumer': true }),
        },
      },
      // No delivery limit: a dead letter read and given back by the tool must never be dropped.
      { name: names.deadLetterQueue, arguments: { ...QUORUM } },
      ...delays.map((delayMs) => ({
        name: names.delayQueue(delayMs),
        arguments: {
          ...QUORUM,
          'x-message-ttl': delayMs,
          'x-dead-letter-exchange': names.retryExchange,
          'x-dead-letter-routing-key': names.queue,
          ...AT_LEAST_ONCE_DEAD_LETTERING,
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
