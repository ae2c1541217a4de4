import { sql, type SqlClient } from '@shopflow/postgres';

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
export async function claimNotification(
  tx: SqlClient,
  notification: Omit<NotificationRecord, 'sentAt'>,
): Promise<boolean> {
  const { id, orderId, template, to, subject, messageId } = notification;
  // sent_at takes its column default.
  const inserted = await tx.execute(sql`
    INSERT INTO notifications (id, order_id, template, "to", subject, message_id)
    VALUES (${id}::uuid, ${orderId}::uuid, ${template}, ${to}, ${subject}, ${messageId})
    ON CONFLICT (order_id, template) DO NOTHING`);
  return inserted === 1;
}

/** In the record's (and the HTTP answer's) field order; the uuids come back as strings, sent_at as a Date. */
export function listNotifications(db: SqlClient, orderId: string): Promise<NotificationRecord[]> {
  return db.query<NotificationRecord>(sql`
    SELECT id, order_id AS "orderId", template, "to", subject, message_id AS "messageId", sent_at AS "sentAt"
    FROM notifications
    WHERE order_id = ${orderId}::uuid
    ORDER BY sent_at`);
}
