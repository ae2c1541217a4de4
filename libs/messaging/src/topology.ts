import { type ConfirmChannel } from 'amqplib';

/** Broker objects as plain data: what a component needs, declared idempotently on every (re)connect. */
export interface Topology {
  exchanges: ExchangeSpec[];
  queues: QueueSpec[];
  bindings: BindingSpec[];
}

export interface ExchangeSpec {
  name: string;
  type: 'topic' | 'direct' | 'fanout';
}

export interface QueueSpec {
  name: string;
  /** x-arguments, e.g. x-message-ttl and x-dead-letter-* for delay queues. */
  arguments?: Record<string, unknown>;
}

export interface BindingSpec {
  queue: string;
  exchange: string;
  routingKey: string;
}

export const emptyTopology = (): Topology => ({
  exchanges: [],
  queues: [],
  bindings: [],
});

export function mergeTopologies(...parts: Topology[]): Topology {
  return {
    exchanges: parts.flatMap((p) => p.exchanges),
    queues: parts.flatMap((p) => p.queues),
    bindings: parts.flatMap((p) => p.bindings),
  };
}

/** Everything is durable: a broker restart must not lose a queue, a binding or a persistent message. */
export async function declareTopology(channel: ConfirmChannel, topology: Topology): Promise<void> {
  for (const exchange of topology.exchanges) {
    await channel.assertExchange(exchange.name, exchange.type, {
      durable: true,
    });
  }
  for (const queue of topology.queues) {
    await channel
      .assertQueue(queue.name, { durable: true, arguments: queue.arguments })
      .catch((error: unknown) => Promise.reject(explainDeclareFailure(queue, error)));
  }
  for (const binding of topology.bindings) {
    await channel.bindQueue(binding.queue, binding.exchange, binding.routingKey);
  }
}

/**
 * A queue's arguments cannot change once it is declared: the broker answers PRECONDITION_FAILED (406)
 * and closes the channel. Most often the queue was declared by an older version (say, before
 * inventory-service's queue had a single active consumer) and has to be re-created by hand.
 */
function explainDeclareFailure(queue: QueueSpec, error: unknown): unknown {
  const { code, message } = error as { code?: number; message?: string };
  if (code !== 406) return error;
  return new Error(
    `queue ${queue.name} exists with other arguments than this version declares (${message ?? 'PRECONDITION_FAILED'}); ` +
      `re-create it as docs/operations.md, "Changing a queue's arguments", says`,
    { cause: error },
  );
}
