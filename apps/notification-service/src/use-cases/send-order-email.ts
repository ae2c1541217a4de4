import { randomUUIDv7 } from 'node:crypto';
import { createEvent, NotificationSentV1 } from '@shopflow/events';
import { SERVICE_NAME } from '../config';
import { claimNotification } from '../data-access/notifications.repository';
import { orderEmail, type OrderEmailEvent } from '../domain/email-templates';
import { type NotificationDependencies } from './dependencies';

/** `sent`, or why nothing was sent: this event was handled before, or another event already sent this e-mail. */
export type SendOutcome = 'sent' | 'duplicate-event' | 'already-sent';

/**
 * Sends the customer the e-mail an order event calls for, at most once per order and template.
 *
 * The mail goes out inside the transaction that claims it, so a failed send rolls the claim back and
 * the message is retried. One window remains: if the process dies (or the commit fails) after the SMTP
 * server accepted the mail but before the commit, nothing records the send and the redelivered event
 * sends it again. SMTP offers no way to ask whether a message was already accepted, so the resend
 * carries the same Message-ID, by which receivers can recognise it as a copy.
 */
export async function sendOrderEmail(deps: NotificationDependencies, event: OrderEmailEvent): Promise<SendOutcome> {
  const email = orderEmail(event);
  let outcome: SendOutcome = 'already-sent';
  const inbox = await deps.transactions.handleOnce(event, async (tx) => {
    const claimed = await claimNotification(tx, {
      id: randomUUIDv7(),
      orderId: email.orderId,
      template: email.template,
      to: email.to,
      subject: email.content.subject,
      messageId: email.messageId,
    });
    if (!claimed) return [];
    await deps.mailer.send(email);
    outcome = 'sent';
    const sent = { orderId: email.orderId, template: email.template, recipient: email.to, messageId: email.messageId };
    return [createEvent(NotificationSentV1, sent, { source: SERVICE_NAME, causedBy: event })];
  });
  return inbox === 'duplicate' ? 'duplicate-event' : outcome;
}
