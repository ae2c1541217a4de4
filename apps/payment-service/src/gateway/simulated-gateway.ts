import { AppError } from '@shopflow/errors';
import { setTimeout as delay } from 'node:timers/promises';
import { cardVerdict, type CardVerdict } from '../domain/card-verdict';

export interface GatewayOptions {
  /** Added to every call, to make demos look like a real network call. */
  latencyMs: number;
  /** Share of calls that fail as if the gateway were down; the runtime retries them. */
  failureRate: number;
  random?: () => number;
}

export type ChargeResult = { verdict: 'approved'; reference: string } | { verdict: Exclude<CardVerdict, 'approved'> };

/** Stands in for a payment provider's API. Deterministic by default (see TEST_TOKENS). */
export class SimulatedGateway {
  constructor(private readonly options: GatewayOptions) {}

  async charge(token: string, amount: number, currency: string): Promise<ChargeResult> {
    await this.call(`charge ${amount} ${currency}`);
    const verdict = cardVerdict(token);
    return verdict === 'approved' ? { verdict, reference: `ch_${crypto.randomUUID()}` } : { verdict };
  }

  async refund(reference: string): Promise<{ reference: string }> {
    await this.call(`refund ${reference}`);
    return { reference: `re_${crypto.randomUUID()}` };
  }

  private async call(what: string): Promise<void> {
    if (this.options.latencyMs > 0) await delay(this.options.latencyMs);
    if ((this.options.random ?? Math.random)() < this.options.failureRate) {
      throw new AppError('unavailable', `payment gateway unavailable (${what})`);
    }
  }
}
