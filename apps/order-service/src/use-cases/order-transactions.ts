import { type EventTransactions } from '@shopflow/messaging';
import { type Tx } from '../data-access/prisma-client';

/** order-service's unit of work: state, outbox and inbox in one transaction. */
export type OrderTransactions = EventTransactions<Tx>;
