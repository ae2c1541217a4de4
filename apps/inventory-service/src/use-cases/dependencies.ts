import { type EventTransactions } from '@shopflow/messaging';
import { type Tx } from '../data-access/prisma-client';

export interface InventoryDependencies {
  transactions: EventTransactions<Tx>;
}
