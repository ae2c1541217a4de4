import { PaymentFailedV1, PaymentRefundedV1, PaymentSucceededV1 } from '@shopflow/events';

/** What payment-service tells the world, on its own `payments` exchange. */
export const PAYMENT_EVENTS = [PaymentSucceededV1, PaymentFailedV1, PaymentRefundedV1];
