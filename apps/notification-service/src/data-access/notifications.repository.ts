import { type Db, type Tx } from './prisma-client';

export interface NotificationRecord {
  id: string;
  orderId: string;
  template: string;
  to: string;
  subject: string;
  messageId: string;
  sentAt: Date;
}

/**
 * Records that this e-mail is being sent, unless it already was: ON CONFLICT DO NOTHING on the
 * (order_id, template) key. A concurrent claim of the same e-mail waits on that key until the
 * other transaction ends, then conflicts if it committed. Returns whether the claim is ours.
 */
export async function claimNotification(tx: Tx, notification: Omit<NotificationRecord, 'sentAt'>): Promise<boolean> {
  const { count } = await tx.notification.createMany({ data: [notification], skipDuplicates: true });
  return count === 1;
}

const RECORD_FIELDS = {
  id: true,
  orderId: true,
  template: true,
  to: true,
  subject: true,
  messageId: true,
  sentAt: true,
} as const;

export function listNotifications(db: Db, orderId: string): Promise<NotificationRecord[]> {
  return db.notification.findMany({ select: RECORD_FIELDS, where: { orderId }, orderBy: { sentAt: 'asc' } });
}
