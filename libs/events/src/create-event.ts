import { v7 as uuidv7 } from 'uuid';
import { AppError } from '@shopflow/errors';
import { type EventDefinition, type EventOf, type PayloadOf } from './define-event';
import { type Envelope } from './envelope';

export interface EventOrigin {
  /** The emitting service, e.g. `order-service`. */
  source: string;
  /** The event being handled when this one is emitted: its correlation id is carried on, its id becomes the causation id. */
  causedBy?: Pick<Envelope, 'id' | 'correlationId'>;
  /** For a first event (no cause): the correlation id of the request that started the flow. */
  correlationId?: string;
}

/** Builds an immutable, validated event. Producers validate too, so a bad event never leaves a service. */
export function createEvent<D extends EventDefinition>(
  definition: D,
  payload: PayloadOf<D>,
  origin: EventOrigin,
): EventOf<D> {
  const parsed = definition.payload.safeParse(payload);
  if (!parsed.success) {
    throw new AppError('internal', `refusing to emit an invalid ${definition.type} v${definition.version}`, {
      issues: parsed.error.issues,
    });
  }
  const id = uuidv7();
  const correlationId = origin.causedBy?.correlationId ?? origin.correlationId ?? id;
  return Object.freeze({
    id,
    type: definition.type,
    version: definition.version,
    occurredAt: new Date().toISOString(),
    source: origin.source,
    correlationId,
    causationId: origin.causedBy?.id ?? correlationId,
    payload: parsed.data as PayloadOf<D>,
  }) as EventOf<D>;
}
