import { claimExpiredOrders } from '../data-access/orders.repository';
import { type FinishedSaga } from '../domain/finished-saga';
import { applySagaFact } from './apply-saga-fact';
import { type OrderTransactions } from './order-transactions';

/**
 * Cancels (reason `timeout`) up to `batchSize` PENDING orders whose deadline passed by `now`, and
 * announces each cancellation. Returns the sagas it finished, once committed.
 */
export function cancelExpiredOrders(
  transactions: OrderTransactions,
  now: Date,
  batchSize: number,
): Promise<FinishedSaga[]> {
  return transactions.run(async (tx) => {
    const orders = await claimExpiredOrders(tx, now, batchSize);
    const events = [];
    const finished = [];
    for (const order of orders) {
      // No event caused this: the order's own correlation id ties the cancellation to its flow.
      const cause = { correlationId: order.correlationId };
      const step = await applySagaFact(tx, order, { kind: 'deadline-passed' }, cause, []);
      events.push(...step.events);
      if (step.finished) finished.push(step.finished);
    }
    return { result: finished, events };
  });
}
