import { z } from 'zod';
import { type Envelope } from './envelope';
import { EXCHANGES, type Context, type ExchangeName } from './exchanges';
import { personalDataPaths } from './personal-data';

export type EventType = `${Context}.${string}`;

export interface EventDefinition<TType extends EventType = EventType, TSchema extends z.ZodType = z.ZodType> {
  readonly type: TType;
  readonly version: number;
  readonly context: Context;
  /** The topic exchange of the owning context: the only place this event is published. */
  readonly exchange: ExchangeName;
  /** `<context>.<event>.v<major>`, e.g. `order.placed.v1`. */
  readonly routingKey: string;
  readonly payload: TSchema;
  /** Paths inside the envelope (`payload.email`) that logs must redact. */
  readonly personalDataPaths: readonly string[];
}

/** The envelope type of an event definition; distributes over unions so `type` discriminates. */
export type EventOf<D extends EventDefinition> = D extends EventDefinition
  ? Envelope<D['type'], z.infer<D['payload']>>
  : never;
export type PayloadOf<D extends EventDefinition> = z.infer<D['payload']>;

export function defineEvent<const TType extends EventType, TSchema extends z.ZodType>(
  type: TType,
  version: number,
  payload: TSchema,
): EventDefinition<TType, TSchema> {
  const context = type.slice(0, type.indexOf('.')) as Context;
  if (!(context in EXCHANGES)) throw new Error(`event type ${type} does not start with a known context`);
  return Object.freeze({
    type,
    version,
    context,
    exchange: EXCHANGES[context],
    routingKey: `${type}.v${version}`,
    payload,
    personalDataPaths: personalDataPaths(payload).map((path) => `payload.${path}`),
  });
}
