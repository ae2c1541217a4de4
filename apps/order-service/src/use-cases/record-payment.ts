import { type EventOf, type PaymentFailedV1, type PaymentSucceededV1 } from '@shopflow/events';
import { type OrderTransactions } from './order-transactions';
import { recordParticipantReport, type ParticipantFact, type ReportOutcome } from './record-participant-report';

export type PaymentEvent = EventOf<typeof PaymentSucceededV1> | EventOf<typeof PaymentFailedV1>;

/** Payment charged the order, or could not: confirms or cancels the order if that decides it. */
export function recordPayment(transactions: OrderTransactions, event: PaymentEvent): Promise<ReportOutcome> {
  const fact: ParticipantFact =
    event.type === 'payment.succeeded'
      ? { kind: 'payment-succeeded' }
      : { kind: 'payment-failed', reason: event.payload.reason };
  return recordParticipantReport(transactions, event, fact);
}
