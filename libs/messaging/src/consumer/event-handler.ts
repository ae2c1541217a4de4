import { type EventDefinition, type EventOf } from '@shopflow/events';
import { type Logger } from '@shopflow/observability';

export interface HandlerContext {
  /** Carries the event id, type and correlation id on every line. */
  logger: Logger;
  /** 1 on the first delivery, 2 after one failure... */
  attempt: number;
}

export type EventHandler<D extends EventDefinition> = (event: EventOf<D>, context: HandlerContext) => Promise<void>;

export interface HandlerRegistration<D extends EventDefinition = EventDefinition> {
  definition: D;
  handle: EventHandler<D>;
}

/** Pairs an event definition with its handler, keeping the event type precise for the handler. */
export function on<D extends EventDefinition>(definition: D, handle: EventHandler<D>): HandlerRegistration {
  return {
    definition,
    handle: handle as unknown as EventHandler<EventDefinition>,
  };
}
