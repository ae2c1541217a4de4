import { type HandlerContext } from '@shopflow/messaging';
import { type SagaReport } from '../domain/order-state';
import { type OrderDependencies } from '../use-cases/dependencies';
import { recordSagaReport } from '../use-cases/record-saga-report';

/** Inventory's and payment's reports on an order: the saga's steps. */
export const sagaReportHandler =
  (deps: OrderDependencies) =>
  async (report: SagaReport, { logger }: HandlerContext): Promise<void> => {
    const handled = await recordSagaReport(deps, report);
    if (handled.outcome === 'handled') deps.sagas.finished(handled.result);
    logger.debug({ orderId: report.payload.orderId, outcome: handled.outcome }, 'saga report recorded');
  };
