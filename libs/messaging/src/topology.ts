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
  /**
   * Another component's exchange, which this one only binds to (a consumer's source of events): it
   * is checked to exist rather than declared, so the user needs no configure permission on it. Its
   * publisher declares it (as do the broker's definitions in a deployment); where it does not exist
   * yet and the user may create it (development, tests), it is declared after all.
   */
  passive?: boolean;
}

/**
 * Whether an exchange exists, asked without risking the declaring channel: a passive declaration of
 * a missing exchange makes the broker close the channel it was sent on.
 */
export type ExchangeProbe = (name: string) => Promise<boolean>;

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
export async function declareTopology(
  channel: ConfirmChannel,
  topology: Topology,
  exists?: ExchangeProbe,
): Promise<void> {
  for (const exchange of exchangesToDeclare(topology)) {
    if (exchange.passive && exists && (await exists(exchange.name))) continue;
    await channel
      .assertExchange(exchange.name, exchange.type, { durable: true })
      .catch((error: unknown) => Promise.reject(explainExchangeRefusal(exchange, error)));
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

/** Each exchange once; passive only where no part of the topology declares it (its own publisher). */
function exchangesToDeclare(topology: Topology): ExchangeSpec[] {
  const byName = new Map<string, ExchangeSpec>();
  for (const exchange of topology.exchanges) {
    const seen = byName.get(exchange.name);
    byName.set(exchange.name, { ...exchange, passive: (seen?.passive ?? true) && exchange.passive === true });
  }
  return [...byName.values()];
}

/** A consumer whose user may not create a missing source exchange: say who should have. */
function explainExchangeRefusal(exchange: ExchangeSpec, error: unknown): unknown {
  const { code } = error as { code?: number };
  if (!exchange.passive || code !== 403) return error;
  return new Error(
    `exchange ${exchange.name} does not exist and this user may not create it: its publisher declares it ` +
      `when it starts, and a deployment's broker definitions (deploy/rabbitmq/definitions.json) create it beforehand`,
    { cause: error },
  );
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
