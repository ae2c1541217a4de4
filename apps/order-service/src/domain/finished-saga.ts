/** A saga that reached its final state, for the saga-duration metric. */
export interface FinishedSaga {
  outcome: 'confirmed' | 'cancelled';
  placedAt: Date;
  finishedAt: Date;
}

/** Placed → final state, in seconds; never negative, whatever the clocks did. */
export function sagaDurationSeconds(saga: FinishedSaga): number {
  return Math.max(0, saga.finishedAt.getTime() - saga.placedAt.getTime()) / 1000;
}
