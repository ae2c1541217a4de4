import { z } from 'zod';
import { defineEvent } from '../define-event';
import { moneySchema, quantitySchema, skuSchema } from '../money';
import { personal } from '../personal-data';

/** A payment token from the gateway (`tok_...`): card numbers never travel in events. */
export const paymentTokenSchema = z.string().regex(/^tok_[A-Za-z0-9_]{1,64}$/, 'must be a payment token (tok_...)');

export const CANCELLATION_REASONS = [
  'out_of_stock',
  'unknown_item',
  'payment_declined',
  'insufficient_funds',
  'timeout',
] as const;
export const cancellationReasonSchema = z.enum(CANCELLATION_REASONS);
export type CancellationReason = z.infer<typeof cancellationReasonSchema>;

const orderRef = {
  orderId: z.uuid(),
  customerId: z.string().min(1),
  email: personal(z.email()),
};

export const OrderPlacedV1 = defineEvent(
  'order.placed',
  1,
  z.object({
    ...orderRef,
    items: z
      .array(
        z.object({
          sku: skuSchema,
          quantity: quantitySchema,
          unitPrice: moneySchema,
        }),
      )
      .min(1),
    total: moneySchema,
    paymentToken: paymentTokenSchema,
  }),
);

export const OrderConfirmedV1 = defineEvent('order.confirmed', 1, z.object({ ...orderRef, total: moneySchema }));

export const OrderCancelledV1 = defineEvent(
  'order.cancelled',
  1,
  z.object({ ...orderRef, reason: cancellationReasonSchema }),
);
