import { z } from 'zod';
import { defineEvent } from '../define-event';
import { moneySchema } from '../money';

export const PAYMENT_FAILURE_REASONS = ['declined', 'insufficient_funds'] as const;

export const PaymentSucceededV1 = defineEvent(
  'payment.succeeded',
  1,
  z.object({ orderId: z.uuid(), paymentId: z.uuid(), amount: moneySchema }),
);

export const PaymentFailedV1 = defineEvent(
  'payment.failed',
  1,
  z.object({
    orderId: z.uuid(),
    reason: z.enum(PAYMENT_FAILURE_REASONS),
    amount: moneySchema,
  }),
);

export const PaymentRefundedV1 = defineEvent(
  'payment.refunded',
  1,
  z.object({ orderId: z.uuid(), paymentId: z.uuid(), amount: moneySchema }),
);
