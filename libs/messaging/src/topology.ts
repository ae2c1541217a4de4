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
    await channel.assertQueue(queue.name, {
      durable: true,
      arguments: queue.arguments,
    });
  }
  for (const binding of topology.bindings) {
    await channel.bindQueue(binding.queue, binding.exchange, binding.routingKey);
  }
}
