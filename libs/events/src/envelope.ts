import { z } from 'zod';

/**
 * The envelope every event travels in. Unknown fields are stripped rather than
 * rejected so a producer can add optional fields within a major version.
 */
export const envelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  source: z.string().min(1),
  correlationId: z.string().min(1),
  causationId: z.string().min(1),
  payload: z.unknown(),
});

export type Envelope<TType extends string = string, TPayload = unknown> = Omit<
  z.infer<typeof envelopeSchema>,
  'type' | 'payload'
> & { type: TType; payload: TPayload };
