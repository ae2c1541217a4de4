import { Histogram, type Registry } from 'prom-client';
import { sagaDurationSeconds, type FinishedSaga } from '../domain/finished-saga';

/** Records each finished saga; entry points call it once the deciding transaction has committed. */
export interface SagaMetrics {
  finished(saga: FinishedSaga | undefined): void;
}

const NAME = 'shopflow_saga_duration_seconds';

/**
 * `shopflow_saga_duration_seconds{outcome}`: placed → confirmed or cancelled, on order-service's
 * registry. The handlers and the timeout sweeper each ask for it; they share one histogram.
 */
export function sagaMetrics(registry: Registry): SagaMetrics {
  const duration =
    (registry.getSingleMetric(NAME) as Histogram<'outcome'> | undefined) ??
    new Histogram({
      name: NAME,
      help: 'Time from an order being placed to its final state (confirmed or cancelled)',
      labelNames: ['outcome'],
      // From a fast local saga to the order timeout (60 s by default) and beyond.
      buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    });
  return {
    finished(saga) {
      if (saga) duration.observe({ outcome: saga.outcome }, sagaDurationSeconds(saga));
    },
  };
}
