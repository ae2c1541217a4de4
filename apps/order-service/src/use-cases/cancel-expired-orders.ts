import { SERVICE_NAME } from '../config';
import { claimExpiredOrders, saveSagaStep } from '../data-access/orders.repository';
import { type FinishedSaga } from '../domain/finished-saga';
import { advanceSaga } from '../domain/order-state';
import { type OrderDependencies } from './dependencies';

/**
 * Cancels (reason `timeout`) up to `batchSize` PENDING orders whose deadline passed by `now`, and
 * announces each cancellation. Returns the sagas it finished, once committed.
 */
export function cancelExpiredOrders(
  deps: OrderDependencies,
  sweep: { now: Date; batchSize: number },
): Promise<FinishedSaga[]> {
  return deps.transactions.run(async (tx) => {
    const orders = await claimExpiredOrders(tx, sweep.now, sweep.batchSize);
    const events = [];
    const finished = [];
    for (const order of orders) {
      // No event caused this: the order's own correlation id ties the cancellation to its flow.
      const origin = { source: SERVICE_NAME, correlationId: order.correlationId };
      const step = advanceSaga(order, { kind: 'deadline-passed' }, origin, sweep.now);
      saveSagaStep(tx, order.id, step);
      events.push(...step.events);
      if (step.finished) finished.push(step.finished);
    }
    return { result: finished, events };
  });
}
