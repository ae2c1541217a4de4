import { AppError } from '@shopflow/errors';
import { z } from 'zod';
import { ALL_EVENTS, findEventDefinition } from './catalog';
import { type EventDefinition, type EventOf } from './define-event';
import { envelopeSchema } from './envelope';

export type ParseResult<E> = { ok: true; event: E } | { ok: false; error: AppError };

const invalid = (reason: string, details: Record<string, unknown> = {}): ParseResult<never> => ({
  ok: false,
  error: new AppError('invalid_message', reason, details),
});

/**
 * Raw message bytes → a typed event of one of `definitions`, or an `invalid_message`
 * error saying exactly why (malformed JSON, bad envelope, unknown type/version, bad payload).
 */
export function parseEvent<D extends EventDefinition = (typeof ALL_EVENTS)[number]>(
  raw: Uint8Array | string,
  definitions: readonly D[] = ALL_EVENTS as unknown as readonly D[],
): ParseResult<EventOf<D>> {
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8'));
  } catch (error) {
    return invalid(`malformed JSON: ${(error as Error).message}`);
  }
  const envelope = envelopeSchema.safeParse(json);
  if (!envelope.success)
    return invalid(`invalid envelope: ${z.prettifyError(envelope.error)}`, {
      issues: envelope.error.issues,
    });

  const { type, version } = envelope.data;
  const definition = findEventDefinition(definitions, type, version);
  if (!definition) return invalid(`unknown event ${type} v${version}`);

  const payload = definition.payload.safeParse(envelope.data.payload);
  if (!payload.success) {
    return invalid(`invalid ${type} v${version} payload: ${z.prettifyError(payload.error)}`, {
      issues: payload.error.issues,
    });
  }
  return {
    ok: true,
    event: Object.freeze({
      ...envelope.data,
      payload: payload.data,
    }) as EventOf<D>,
  };
}
