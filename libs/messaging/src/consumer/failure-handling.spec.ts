import { AppError } from '@shopflow/errors';
import { OrderCancelledV1, OrderPlacedV1, PaymentSucceededV1 } from '@shopflow/events';
import { consumerNames, consumerTopology, DEFAULT_DELIVERY_LIMIT, isConsumerQueueOf } from './consumer-topology';
import { decideOnFailure } from './failure-decision';
import { failureHeaders, FAILURE_HEADERS, previousFailures } from './failure-headers';
import { retryDelays } from './retry-policy';

const policy = { maxAttempts: 4, initialDelayMs: 100, multiplier: 3 };

describe('retry policy', () => {
  it('backs off exponentially, one delay per retry', () => {
    expect(retryDelays(policy)).toEqual([100, 300, 900]);
    expect(retryDelays({ ...policy, maxAttempts: 1 })).toEqual([]);
  });
});

describe('decideOnFailure', () => {
  it('retries an unexpected error with the next delay', () => {
    expect(decideOnFailure(new Error('db down'), 0, policy)).toMatchObject({
      action: 'retry',
      attempts: 1,
      delayMs: 100,
    });
    expect(decideOnFailure(new Error('db down'), 2, policy)).toMatchObject({
      action: 'retry',
      attempts: 3,
      delayMs: 900,
    });
  });

  it('dead-letters once the attempts are used up', () => {
    const decision = decideOnFailure(new Error('still down'), 3, policy);
    expect(decision).toMatchObject({ action: 'dead-letter', attempts: 4 });
    expect(decision.error.message).toBe('still down');
  });

  it('dead-letters a permanent error at once', () => {
    expect(decideOnFailure(new AppError('invalid_message', 'bad json'), 0, policy)).toMatchObject({
      action: 'dead-letter',
      attempts: 1,
    });
    expect(decideOnFailure(new AppError('unprocessable', 'no such order'), 0, policy).action).toBe('dead-letter');
  });
});

describe('failure headers', () => {
  const delivery = {
    exchange: 'orders',
    routingKey: 'order.placed.v1',
    headers: { traceparent: 't' },
  };

  it('records attempts, last error and the original route, and keeps other headers', () => {
    const headers = failureHeaders(delivery, decideOnFailure(new Error('boom'), 0, policy), 'svc.q');
    expect(headers).toMatchObject({
      traceparent: 't',
      [FAILURE_HEADERS.attempts]: 1,
      [FAILURE_HEADERS.lastError]: 'boom',
      [FAILURE_HEADERS.originalExchange]: 'orders',
      [FAILURE_HEADERS.originalRoutingKey]: 'order.placed.v1',
    });
    expect(headers).not.toHaveProperty(FAILURE_HEADERS.deadLetterReason);
    expect(previousFailures(headers)).toBe(1);
  });

  it("leaves out the broker's delivery count of the queue it failed in", () => {
    const redelivered = { ...delivery, headers: { traceparent: 't', 'x-delivery-count': 3 } };
    const headers = failureHeaders(redelivered, decideOnFailure(new Error('boom'), 0, policy), 'svc.q');
    expect(headers).toMatchObject({ traceparent: 't' });
    expect(headers).not.toHaveProperty('x-delivery-count');
  });

  it('keeps the first route when a retried message fails again', () => {
    const retried = {
      exchange: 'svc.retry',
      routingKey: 'svc.q.retry.100ms',
      headers: failureHeaders(delivery, decideOnFailure(new Error('a'), 0, policy), 'svc.q'),
    };
    const headers = failureHeaders(retried, decideOnFailure(new Error('b'), 3, policy), 'svc.q');
    expect(headers).toMatchObject({
      [FAILURE_HEADERS.attempts]: 4,
      [FAILURE_HEADERS.lastError]: 'b',
      [FAILURE_HEADERS.originalRoutingKey]: 'order.placed.v1',
      [FAILURE_HEADERS.deadLetterReason]: 'failed after 4 attempts',
    });
  });

  it('treats missing or garbage attempt headers as no failure yet', () => {
    expect(previousFailures({})).toBe(0);
    expect(previousFailures({ [FAILURE_HEADERS.attempts]: 'x' })).toBe(0);
  });
});

describe('consumer topology', () => {
  const names = consumerNames('inventory-service', 'saga');
  const topology = consumerTopology(names, [OrderPlacedV1, OrderCancelledV1, PaymentSucceededV1], policy);

  it('binds the one service queue to each handled event on its owner exchange', () => {
    expect(names.queue).toBe('inventory-service.saga');
    expect(topology.bindings).toEqual(
      expect.arrayContaining([
        {
          queue: 'inventory-service.saga',
          exchange: 'orders',
          routingKey: 'order.placed.v1',
        },
        {
          queue: 'inventory-service.saga',
          exchange: 'orders',
          routingKey: 'order.cancelled.v1',
        },
        {
          queue: 'inventory-service.saga',
          exchange: 'payments',
          routingKey: 'payment.succeeded.v1',
        },
      ]),
    );
    expect(topology.exchanges.filter((e) => e.type === 'topic').map((e) => e.name)).toEqual(['orders', 'payments']);
  });

  it('has one delay queue per backoff step that expires back into the service queue only', () => {
    const delayQueues = topology.queues.filter((q) => q.arguments?.['x-message-ttl'] !== undefined);
    expect(delayQueues.map((q) => q.name)).toEqual([
      'inventory-service.saga.retry.100ms',
      'inventory-service.saga.retry.300ms',
      'inventory-service.saga.retry.900ms',
    ]);
    expect(delayQueues[1]?.arguments).toEqual({
      'x-queue-type': 'quorum',
      'x-message-ttl': 300,
      'x-dead-letter-exchange': 'inventory-service.retry',
      'x-dead-letter-routing-key': 'inventory-service.saga',
      // Expired back into the service queue at least once, even across a broker node's failure.
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    });
    expect(topology.bindings).toContainEqual({
      queue: 'inventory-service.saga',
      exchange: 'inventory-service.retry',
      routingKey: 'inventory-service.saga',
    });
  });

  const queueOf = (t: typeof topology, name = 'inventory-service.saga') => t.queues.find((q) => q.name === name);

  it('declares the service queue as a quorum queue that parks a message delivered too often, at least once', () => {
    expect(queueOf(topology)?.arguments).toEqual({
      'x-queue-type': 'quorum',
      'x-delivery-limit': DEFAULT_DELIVERY_LIMIT,
      'x-dead-letter-exchange': 'inventory-service.dead-letter',
      'x-dead-letter-routing-key': 'inventory-service.saga',
      'x-dead-letter-strategy': 'at-least-once',
      'x-overflow': 'reject-publish',
    });
    const limited = consumerTopology(names, [OrderPlacedV1], policy, { deliveryLimit: 3 });
    expect(queueOf(limited)?.arguments).toMatchObject({ 'x-delivery-limit': 3 });
    expect(queueOf(topology, 'inventory-service.dead-letter')?.arguments).toEqual({ 'x-queue-type': 'quorum' });
  });

  it('declares the service queue for one active consumer only when asked', () => {
    expect(queueOf(topology)?.arguments).not.toHaveProperty('x-single-active-consumer');
    const single = consumerTopology(names, [OrderPlacedV1], policy, { singleActiveConsumer: true });
    expect(queueOf(single)?.arguments).toMatchObject({ 'x-single-active-consumer': true });
  });

  it('parks dead letters in the service dead-letter queue', () => {
    expect(topology.bindings).toContainEqual({
      queue: 'inventory-service.dead-letter',
      exchange: 'inventory-service.dead-letter',
      routingKey: 'inventory-service.saga',
    });
  });
});

describe('isConsumerQueueOf', () => {
  it("accepts the service's consumer queues only: not its dead letters, delays, nor another service's queues", () => {
    expect(isConsumerQueueOf('order-service', 'order-service.events')).toBe(true);
    expect(isConsumerQueueOf('order-service', 'order-service.saga')).toBe(true);
    expect(isConsumerQueueOf('order-service', 'order-service.dead-letter')).toBe(false);
    expect(isConsumerQueueOf('order-service', 'order-service.events.retry.500ms')).toBe(false);
    expect(isConsumerQueueOf('order-service', 'order-service.')).toBe(false);
    expect(isConsumerQueueOf('order-service', 'inventory-service.events')).toBe(false);
    expect(isConsumerQueueOf('order', 'order-service.events')).toBe(false);
  });
});
