import { claimExpiredOrders } from '../data-access/orders.repository';
import { applySagaFact } from './apply-saga-fact';
import { type OrderTransactions } from './order-transactions';

/**
 * Cancels (reason `timeout`) up to `batchSize` PENDING orders whose deadline passed by `now`, and
 * announces each cancellation. Returns how many it cancelled.
 */
export function cancelExpiredOrders(transactions: OrderTransactions, now: Date, batchSize: number): Promise<number> {
  return transactions.run(async (tx) => {
    const orders = await claimExpiredOrders(tx, now, batchSize);
    const events = [];
    for (const order of orders) {
      // No event caused this: the order's own correlation id ties the cancellation to its flow.
      events.push(
        ...(await applySagaFact(tx, order, { kind: 'deadline-passed' }, { correlationId: order.correlationId }, [])),
      );
    }
    return { result: orders.length, events };
  });
}
