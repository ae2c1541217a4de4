import { NotificationSentV1 } from '@shopflow/events';

/** Everything this service publishes, all on the `notifications` exchange. */
export const NOTIFICATION_EVENTS = [NotificationSentV1] as const;
