import { AppError } from '@shopflow/errors';
import { type HandledOnce } from '@shopflow/messaging';
import { SERVICE_NAME } from '../config';
import { lockOrder, saveSagaStep } from '../data-access/orders.repository';
import { type FinishedSaga } from '../domain/finished-saga';
import { advanceSaga, factOf, type SagaReport } from '../domain/order-state';
import { type OrderDependencies } from './dependencies';

/**
 * Inventory's or payment's report on an order, applied once, under the order's row lock: confirms
 * or cancels the order if that decides its saga. Returns the saga it finished, if it did.
 */
export function recordSagaReport(
  deps: OrderDependencies,
  report: SagaReport,
): Promise<HandledOnce<FinishedSaga | undefined>> {
  return deps.transactions.handleOnce(report, async (tx) => {
    const order = await lockOrder(tx, report.payload.orderId);
    // not_found is retried with backoff, then dead-lettered: an order we never stored needs a human look.
    if (!order) throw new AppError('not_found', `order ${report.payload.orderId} does not exist (yet)`);
    const origin = { source: SERVICE_NAME, causedBy: report };
    const step = advanceSaga(order, factOf(report), origin, new Date(report.occurredAt));
    saveSagaStep(tx, order.id, step);
    return { result: step.finished, events: step.events };
  });
}
