import { z } from 'zod';
import { defineEvent } from '../define-event';
import { personal } from '../personal-data';

export const NOTIFICATION_TEMPLATES = ['order-received', 'order-confirmed', 'order-cancelled'] as const;

export const NotificationSentV1 = defineEvent(
  'notification.sent',
  1,
  z.object({
    orderId: z.uuid(),
    template: z.enum(NOTIFICATION_TEMPLATES),
    recipient: personal(z.email()),
    messageId: z.string().min(1),
  }),
);
