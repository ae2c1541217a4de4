import { type EventTransactions } from '@shopflow/messaging';
import { type SqlClient } from '@shopflow/postgres';
import { type PaymentGatewayClient } from '../gateway/payment-gateway.client';

export interface PaymentDependencies {
  transactions: EventTransactions;
  /** For reads outside any transaction (what is left to ask the processor). */
  db: SqlClient;
  gateway: Pick<PaymentGatewayClient, 'charge' | 'refund'>;
}
