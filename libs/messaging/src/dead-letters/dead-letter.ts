import { createHash } from 'node:crypto';
import { type Message, type MessageProperties } from 'amqplib';
import { FAILURE_HEADERS, previousFailures } from '../consumer/failure-headers';

/** Headers a redrive adds; every other header, and the message's properties, are kept as they were. */
export const REDRIVE_HEADERS = {
  count: 'x-redrive-count',
  redrivenAt: 'x-redriven-at',
} as const;

/** One pass through a delay queue, as the broker recorded it when the delay expired (`x-death`). */
export interface RetryRecord {
  queue: string;
  reason: string;
  count: number;
  /** ISO time of the latest such pass, when the broker gave one. */
  time?: string;
}

/** A parked message as an operator reads it: what failed, where it came from, where it goes back to. */
export interface DeadLetter {
  /**
   * What the tool selects it by: its messageId (the event id, which consumers deduplicate on), or
   * for a message published without one, `sha256:` and the start of its body's digest.
   */
  id: string;
  hasMessageId: boolean;
  /** The AMQP `type` property, else the body's `type`, else `unknown` (a body that is no event). */
  eventType: string;
  /** `x-dead-letter-reason`, e.g. `failed after 5 attempts` or `invalid message`. */
  reason: string;
  errorKind?: string;
  lastError?: string;
  attempts: number;
  failedAt?: string;
  /** The consumer queue that parked it (`x-consumer-queue`): the only queue a redrive may reach. */
  consumerQueue?: string;
  /** Where it was first published (kept across retries). */
  origin: { exchange?: string; routingKey?: string };
  redriveCount: number;
  redrivenAt?: string;
  /** Newest first, as the broker keeps them. */
  retries: RetryRecord[];
  properties: MessageProperties;
  headers: Record<string, unknown>;
  content: Buffer;
}

/**
 * The reason a message the broker parked itself carries: its consumer queue's delivery limit was
 * reached (`x-delivery-limit`): delivered that many times and never settled, most likely because
 * handling it kills the process. No consumer code ran to the end, so none of the consumer's
 * failure headers are there; the broker's `x-death` record names the queue.
 */
export const DELIVERY_LIMIT_REASON = 'delivery limit reached (never settled: its handling may kill the consumer)';

export function readDeadLetter(message: Message): DeadLetter {
  const { properties, content } = message;
  const headers: Record<string, unknown> = properties.headers ?? {};
  const text = (name: string) => (headers[name] === undefined ? undefined : String(headers[name]));
  const messageId = typeof properties.messageId === 'string' && properties.messageId ? properties.messageId : undefined;
  const retries = retriesOf(headers['x-death']);
  const letter: DeadLetter = {
    id: messageId ?? `sha256:${createHash('sha256').update(content).digest('hex').slice(0, 16)}`,
    hasMessageId: messageId !== undefined,
    eventType: eventTypeOf(properties, content),
    reason: text(FAILURE_HEADERS.deadLetterReason) ?? 'unknown',
    errorKind: text(FAILURE_HEADERS.errorKind),
    lastError: text(FAILURE_HEADERS.lastError),
    attempts: previousFailures(headers),
    failedAt: text(FAILURE_HEADERS.failedAt),
    consumerQueue: text(FAILURE_HEADERS.queue),
    origin: {
      exchange: text(FAILURE_HEADERS.originalExchange),
      routingKey: text(FAILURE_HEADERS.originalRoutingKey),
    },
    redriveCount: redriveCountOf(headers),
    redrivenAt: text(REDRIVE_HEADERS.redrivenAt),
    retries,
    properties,
    headers,
    content,
  };
  const parked = brokerParking(retries, letter.failedAt);
  return parked
    ? {
        ...letter,
        reason: DELIVERY_LIMIT_REASON,
        errorKind: undefined,
        lastError: undefined,
        failedAt: parked.time,
        consumerQueue: parked.queue,
      }
    : letter;
}

/**
 * The broker's record of parking the message for its delivery limit, when that is the latest thing
 * that happened to it: the newest `x-death` entry, and newer than any failure the consumer recorded
 * (a message parked by the consumer after an earlier delivery-limit parking keeps the old entry).
 */
function brokerParking(retries: RetryRecord[], consumerFailedAt: string | undefined): RetryRecord | undefined {
  const newest = retries[0];
  if (newest?.reason !== 'delivery_limit') return undefined;
  if (consumerFailedAt && newest.time && Date.parse(consumerFailedAt) > Date.parse(newest.time) + 1000)
    return undefined;
  return newest;
}

/** The headers a redriven copy carries: all the dead letter's, its redrive count one higher. */
export function redriveHeaders(headers: Record<string, unknown>, now: Date): Record<string, unknown> {
  return {
    ...headers,
    [REDRIVE_HEADERS.count]: redriveCountOf(headers) + 1,
    [REDRIVE_HEADERS.redrivenAt]: now.toISOString(),
  };
}

function redriveCountOf(headers: Record<string, unknown>): number {
  const value = Number(headers[REDRIVE_HEADERS.count] ?? 0);
  return Number.isInteger(value) && value > 0 ? value : 0;
}

function eventTypeOf(properties: MessageProperties, content: Buffer): string {
  if (typeof properties.type === 'string' && properties.type) return properties.type;
  try {
    const type: unknown = (JSON.parse(content.toString()) as { type?: unknown } | null)?.type;
    return typeof type === 'string' && type ? type : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The broker's own record of the delays a message went through: each delay queue dead-letters an
 * expired message back to the consumer queue and adds itself to `x-death`, which the consumer keeps
 * when it republishes. amqplib gives its `time` as a timestamp in seconds.
 */
function retriesOf(value: unknown): RetryRecord[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null) return [];
    const { queue, reason, count, time } = entry as Record<string, unknown>;
    const seconds = typeof time === 'number' ? time : Number((time as { value?: unknown } | undefined)?.value);
    return [
      {
        queue: String(queue),
        reason: String(reason),
        count: Number(count) || 0,
        ...(Number.isFinite(seconds) && seconds > 0 && { time: new Date(seconds * 1000).toISOString() }),
      },
    ];
  });
}
