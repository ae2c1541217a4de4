import { type FailureDecision } from './failure-decision';

/** Headers carried by a retried or dead-lettered message, so nothing about its history is lost. */
export const FAILURE_HEADERS = {
  attempts: 'x-attempts',
  lastError: 'x-last-error',
  errorKind: 'x-error-kind',
  originalExchange: 'x-original-exchange',
  originalRoutingKey: 'x-original-routing-key',
  deadLetterReason: 'x-dead-letter-reason',
  failedAt: 'x-failed-at',
  queue: 'x-consumer-queue',
} as const;

export interface Delivery {
  exchange: string;
  routingKey: string;
  headers: Record<string, unknown>;
}

export function previousFailures(headers: Record<string, unknown>): number {
  const value = Number(headers[FAILURE_HEADERS.attempts] ?? 0);
  return Number.isInteger(value) && value > 0 ? value : 0;
}

/** Where the message was first published: kept across retries, which re-route it. */
export function originOf(delivery: Delivery): {
  exchange: string;
  routingKey: string;
} {
  return {
    exchange: String(delivery.headers[FAILURE_HEADERS.originalExchange] ?? delivery.exchange),
    routingKey: String(delivery.headers[FAILURE_HEADERS.originalRoutingKey] ?? delivery.routingKey),
  };
}

/**
 * The broker's count of this queue's deliveries (quorum queues): meaningless once the message is in
 * another queue, and counted afresh there, so it is not carried along.
 */
const DELIVERY_COUNT = 'x-delivery-count';

export function failureHeaders(delivery: Delivery, decision: FailureDecision, queue: string): Record<string, unknown> {
  const origin = originOf(delivery);
  const { [DELIVERY_COUNT]: _count, ...headers } = delivery.headers;
  return {
    ...headers,
    [FAILURE_HEADERS.attempts]: decision.attempts,
    [FAILURE_HEADERS.lastError]: decision.error.message.slice(0, 1000),
    [FAILURE_HEADERS.errorKind]: decision.error.kind,
    [FAILURE_HEADERS.originalExchange]: origin.exchange,
    [FAILURE_HEADERS.originalRoutingKey]: origin.routingKey,
    [FAILURE_HEADERS.failedAt]: new Date().toISOString(),
    [FAILURE_HEADERS.queue]: queue,
    ...(decision.action === 'dead-letter'
      ? {
          [FAILURE_HEADERS.deadLetterReason]:
            decision.error.kind === 'invalid_message'
              ? 'invalid message'
              : `failed after ${decision.attempts} attempts`,
        }
      : {}),
  };
}
