import { type EventTransactions } from '@shopflow/messaging';
import { type Database } from '@shopflow/postgres';
import { type PaymentGatewayClient } from '../gateway/payment-gateway.client';

/** What payment-service's use cases, entry points and jobs are given (built once in service.ts). */
export interface PaymentDependencies {
  /** Units of work: state, outbox and inbox in one transaction. */
  transactions: EventTransactions;
  /** Reads outside any unit of work (what is left to ask the processor). */
  db: Database;
  gateway: Pick<PaymentGatewayClient, 'charge' | 'refund'>;
}
