import { AppError } from '@shopflow/errors';
import { setTimeout as delay } from 'node:timers/promises';
import { Pool } from 'undici';

export interface PaymentGatewaySettings {
  /** e.g. http://127.0.0.1:4010 */
  url: string;
  /** Longest wait for one answer (headers, then body); past it the attempt counts as failed. */
  timeoutMs: number;
  /** Requests in flight at once (keep-alive connections); more wait in the pool's queue. */
  connections: number;
  /** Attempts per call, the first included, before the call fails as `unavailable`. */
  attempts: number;
  /** Backoff before the second attempt; doubled for each one after (with jitter). */
  backoffMs: number;
}

/** Why the card was refused, as payment.failed reports it. */
export type DeclineReason = 'declined' | 'insufficient_funds';

export type ChargeAnswer = { outcome: 'succeeded'; chargeId: string } | { outcome: 'declined'; reason: DeclineReason };

/** `refundId` null: the processor says the charge was refunded already (e.g. from its dashboard). */
export type RefundAnswer = { refundId: string | null };

export interface ChargeRequest {
  /** The same key for every attempt of one payment: the processor charges it once. */
  idempotencyKey: string;
  amount: number;
  currency: string;
  /** The payment token. */
  source: string;
  orderId: string;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** A failed attempt that a later one may get past: a timeout, a dropped connection, 429 or 5xx. */
class RetryableFailure extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * The card processor's API (charges and refunds) over HTTP, with undici's keep-alive pool. Every
 * call carries an idempotency key and is retried, with backoff, on what may pass (timeouts,
 * connection errors, 429 and 5xx): the key makes a retry of a request that did reach the processor
 * return its first answer instead of charging again. What is left failing is thrown as
 * `unavailable`, which the consumer retries later with the same key. It is never called inside a
 * database transaction.
 */
export class PaymentGatewayClient {
  private readonly pool: Pool;

  constructor(private readonly settings: PaymentGatewaySettings) {
    this.pool = new Pool(settings.url, {
      connections: settings.connections,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
      connectTimeout: Math.min(settings.timeoutMs, 5_000),
      keepAliveTimeout: 30_000,
    });
  }

  async charge({ idempotencyKey, amount, currency, source, orderId }: ChargeRequest): Promise<ChargeAnswer> {
    const answer = await this.call('/v1/charges', idempotencyKey, { amount, currency, source, metadata: { orderId } });
    if (answer.status === 200) return { outcome: 'succeeded', chargeId: stringField(answer, 'id') };
    if (answer.status === 402) return { outcome: 'declined', reason: declineReason(answer.body) };
    throw refused('charge', answer);
  }

  /** Refunds a charge in full; a charge the processor says is refunded already counts as done. */
  async refund({ idempotencyKey, chargeId }: { idempotencyKey: string; chargeId: string }): Promise<RefundAnswer> {
    const answer = await this.call('/v1/refunds', idempotencyKey, { charge: chargeId });
    if (answer.status === 200) return { refundId: stringField(answer, 'id') };
    if (errorCode(answer.body) === 'charge_already_refunded') return { refundId: null };
    throw refused('refund', answer);
  }

  /** Readiness: the processor answers at all (any HTTP status). */
  async reachable(): Promise<void> {
    const res = await this.pool.request({ path: '/health', method: 'GET', headersTimeout: 2_000 });
    await res.body.dump();
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async call(path: string, idempotencyKey: string, body: object): Promise<Answer> {
    const payload = JSON.stringify(body);
    let last: RetryableFailure | undefined;
    for (let attempt = 1; attempt <= this.settings.attempts; attempt++) {
      if (last) await delay(backoff(this.settings.backoffMs, attempt - 1, last.retryAfterMs));
      try {
        return await this.attempt(path, idempotencyKey, payload);
      } catch (error) {
        if (!(error instanceof RetryableFailure)) throw error;
        last = error;
      }
    }
    throw new AppError(
      'unavailable',
      `payment gateway unavailable (${path}, ${this.settings.attempts} attempts): ${last?.message}`,
      { idempotencyKey },
    );
  }

  private async attempt(path: string, idempotencyKey: string, payload: string): Promise<Answer> {
    let res;
    try {
      res = await this.pool.request({
        path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: payload,
      });
    } catch (error) {
      // Timeouts, refused or reset connections: the request may or may not have been carried out.
      throw new RetryableFailure(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
    }
    const text = await res.body.text().catch((error: unknown) => {
      throw new RetryableFailure(`reading the answer: ${String(error)}`);
    });
    if (res.statusCode === 429 || res.statusCode >= 500) {
      throw new RetryableFailure(`HTTP ${res.statusCode}`, retryAfterMs(res.headers['retry-after']));
    }
    return { status: res.statusCode, body: parseBody(text) };
  }
}

/** Exponential, with full jitter, so that callers failing together do not retry together. */
function backoff(baseMs: number, failures: number, retryAfter?: number): number {
  const exponential = baseMs * 2 ** (failures - 1);
  return Math.max(retryAfter ?? 0, Math.round(exponential / 2 + (Math.random() * exponential) / 2));
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 30) * 1000 : undefined;
}

function parseBody(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function errorCode(body: Record<string, unknown>): unknown {
  return (body['error'] as { code?: unknown } | undefined)?.code;
}

function declineReason(body: Record<string, unknown>): DeclineReason {
  return errorCode(body) === 'insufficient_funds' ? 'insufficient_funds' : 'declined';
}

function stringField(answer: Answer, field: string): string {
  const value = answer.body[field];
  if (typeof value !== 'string' || value === '') {
    throw new AppError('unavailable', `payment gateway answered ${answer.status} without a ${field}`);
  }
  return value;
}

/** Any other answer (400, 404...) means our request was wrong: retrying it would not help. */
function refused(what: string, answer: Answer): AppError {
  return new AppError('unprocessable', `payment gateway refused the ${what}: HTTP ${answer.status}`, {
    status: answer.status,
    error: answer.body['error'],
  });
}
