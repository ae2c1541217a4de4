import { type SagaFact } from './order-state';

export type TimelineStep =
  | 'placed'
  | 'inventory-reserved'
  | 'inventory-reservation-failed'
  | 'payment-succeeded'
  | 'payment-failed'
  | 'confirmed'
  | 'cancelled'
  | 'inventory-released'
  | 'payment-refunded'
  | 'notification-sent';

export interface TimelineEntry {
  step: TimelineStep;
  at: Date;
  /** The reason of a failure or cancellation, the template of a notification. */
  detail: string | null;
}

/** The timeline entry of a participant's report (the deadline is not a report: its trace is the cancellation). */
export function reportEntry(fact: Exclude<SagaFact, { kind: 'deadline-passed' }>, at: Date): TimelineEntry {
  return { step: fact.kind, at, detail: 'reason' in fact ? fact.reason : null };
}
