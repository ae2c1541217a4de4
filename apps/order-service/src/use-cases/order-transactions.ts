import { type EventTransactions } from '@shopflow/messaging';

/** order-service's unit of work: state, outbox and inbox in one transaction. */
export type OrderTransactions = EventTransactions;
