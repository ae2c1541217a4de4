import { sql, type SqlClient, type Transaction } from '@shopflow/postgres';

export interface NotificationRecord {
  id: string;
  orderId: string;
  template: string;
  to: string;
  subject: string;
  messageId: string;
  /** null while the e-mail is being sent. */
  sentAt: Date | null;
}

export interface NewClaim extends Omit<NotificationRecord, 'sentAt'> {
  /** The event whose delivery claims the e-mail. */
  claimedBy: string;
}

/**
 * Claims the e-mail for this delivery to send, unless a row for it exists already (claimed by
 * another delivery, or sent): ON CONFLICT DO NOTHING on the (order_id, template) key. A concurrent
 * claim of the same e-mail waits on that key until the other transaction ends, then conflicts if it
 * committed. Returns whether the claim is ours. The row has sent_at NULL until markSent.
 */
export async function claimNotification(tx: Transaction, claim: NewClaim): Promise<boolean> {
  const { id, orderId, template, to, subject, messageId, claimedBy } = claim;
  // claimed_at takes its column default.
  const inserted = await tx.execute(sql`
    INSERT INTO notifications (id, order_id, template, "to", subject, message_id, claimed_by)
    VALUES (${id}::uuid, ${orderId}::uuid, ${template}, ${to}, ${subject}, ${messageId}, ${claimedBy}::uuid)
    ON CONFLICT (order_id, template) DO NOTHING`);
  return inserted === 1;
}

/** What a delivery finds of an e-mail whose claim it did not insert. */
export type ExistingClaim =
  /** Unsent, and now this delivery's to send. */
  | { state: 'taken'; id: string }
  /** Unsent, claimed by another delivery within the lease: it is being sent. */
  | { state: 'held' }
  | { state: 'sent' }
  /** No row: the claim was withdrawn (the e-mail was refused). */
  | { state: 'none' };

/**
 * Takes the e-mail's unsent claim over for the delivery of `eventId`, if that event holds it already
 * (its earlier delivery crashed or failed) or if it was made more than `leaseMs` ago (its holder is
 * gone). Otherwise tells what there is.
 */
export async function takeOverClaim(
  tx: Transaction,
  email: { orderId: string; template: string; eventId: string; leaseMs: number },
): Promise<ExistingClaim> {
  const { orderId, template, eventId, leaseMs } = email;
  const [taken] = await tx.query<{ id: string }>(sql`
    UPDATE notifications SET claimed_at = now(), claimed_by = ${eventId}::uuid
    WHERE order_id = ${orderId}::uuid AND template = ${template} AND sent_at IS NULL
      AND (claimed_by = ${eventId}::uuid OR claimed_at <= now() - make_interval(secs => ${leaseMs / 1000}::float8))
    RETURNING id::text`);
  if (taken) return { state: 'taken', id: taken.id };
  const [found] = await tx.query<{ sent: boolean }>(sql`
    SELECT sent_at IS NOT NULL AS sent FROM notifications WHERE order_id = ${orderId}::uuid AND template = ${template}`);
  if (!found) return { state: 'none' };
  return { state: found.sent ? 'sent' : 'held' };
}

/** Records that the SMTP server accepted the e-mail; false if it was already recorded (by another delivery). */
export async function markSent(tx: Transaction, id: string): Promise<boolean> {
  const updated = await tx.execute(sql`
    UPDATE notifications SET sent_at = now() WHERE id = ${id}::uuid AND sent_at IS NULL`);
  return updated === 1;
}

/** Takes back an unsent claim: the SMTP server refused the e-mail for good. */
export async function withdrawClaim(tx: Transaction, id: string): Promise<void> {
  await tx.execute(sql`DELETE FROM notifications WHERE id = ${id}::uuid AND sent_at IS NULL`);
}

/**
 * In the record's (and the HTTP answer's) field order; the uuids come back as strings, sent_at as a
 * Date, or null for an e-mail being sent (listed last).
 */
export function listNotifications(db: SqlClient, orderId: string): Promise<NotificationRecord[]> {
  return db.query<NotificationRecord>(sql`
    SELECT id, order_id AS "orderId", template, "to", subject, message_id AS "messageId", sent_at AS "sentAt"
    FROM notifications
    WHERE order_id = ${orderId}::uuid
    ORDER BY sent_at NULLS LAST, claimed_at`);
}
