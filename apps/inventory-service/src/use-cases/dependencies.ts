import { type EventTransactions } from '@shopflow/messaging';

export interface InventoryDependencies {
  transactions: EventTransactions;
}
