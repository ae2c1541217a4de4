import { v7 as uuidv7 } from 'uuid';
import { setTimeout as pause } from 'node:timers/promises';
import { AppError, ERROR_KINDS } from '@shopflow/errors';
import { createEvent, NotificationSentV1, type Envelope } from '@shopflow/events';
import { SERVICE_NAME } from '../config';
import {
  claimNotification,
  markSent,
  takeOverClaim,
  withdrawClaim,
  type NewClaim,
} from '../data-access/notifications.repository';
import { orderEmail, type OrderEmail, type OrderEmailEvent } from '../domain/email-templates';
import { type NotificationDependencies } from './dependencies';

/**
 * `sent`: this delivery sent the e-mail and recorded it. Otherwise why it sent nothing:
 * `duplicate-event`, this event was handled before and its e-mail is sent; `already-sent`, another
 * delivery (of another event, or at the same time) sent it.
 */
export type SendOutcome = 'sent' | 'duplicate-event' | 'already-sent';

/**
 * How long a claim keeps other deliveries from sending the e-mail: beyond the mailer's send deadline
 * (queueing in the pool included), this margin for the commits around the send. An older claim
 * still unsent was left by a delivery that is gone.
 */
const CLAIM_LEASE_MARGIN_MS = 10_000;
/** Checks of a claim another delivery holds, from this pause up to the longest. */
const FIRST_PAUSE_MS = 10;
const LONGEST_PAUSE_MS = 500;

/**
 * Sends the customer the e-mail an order event calls for, once per order and template, with at most
 * a copy after a failure. No network call is made inside a database transaction (a slow SMTP server
 * would hold a pooled connection, the claim's key and, under group commit, the whole batch):
 *
 * 1. a short transaction records the event in the inbox and claims the e-mail: its notifications
 *    row, sent_at NULL, claimed by this event;
 * 2. the e-mail is sent, outside any transaction, with its Message-ID: the same on every attempt,
 *    since it is derived from the order and the template (domain/email-templates);
 * 3. a short transaction marks it sent, if no one did yet, and then emits notification.sent.
 *
 * At-least-once with a stable Message-ID: if the process dies, or the send or the last commit fails,
 * between 1 and 3, the claim stays unsent and the event comes back (redelivery or retry). Its inbox
 * record makes it a duplicate, but it then finds the claim its own event holds, takes it and sends
 * the e-mail again. The SMTP server may have accepted the first attempt (SMTP cannot be asked), so
 * the copy carries the same Message-ID, by which receivers recognise it as a copy. (So does the rare
 * second e-mail of two deliveries of one event at the same time on two replicas, each taking its
 * event's claim.)
 *
 * Two deliveries of one event in this process at once (order-service's outbox may publish an event
 * twice) are told apart from a redelivery after a crash by `sendingHere`: the second waits for the
 * first, which is alive, instead of sending a copy. Across replicas they cannot be told apart, and
 * the copy remains.
 *
 * Another event for the same e-mail (a second order.confirmed, perhaps on another replica) finds the
 * claim taken: sent, it sends nothing; unsent, it waits while the holder sends and marks it, and
 * takes it over to send it itself once the claim is older than any send can take (its holder is
 * gone). A claim is withdrawn when the SMTP server refuses the e-mail for good (the message is then
 * dead-lettered; replayed, it claims the e-mail anew).
 */
export async function sendOrderEmail(deps: NotificationDependencies, event: OrderEmailEvent): Promise<SendOutcome> {
  const email = orderEmail(event);
  const claim: NewClaim = {
    id: uuidv7(),
    orderId: email.orderId,
    template: email.template,
    to: email.to,
    subject: email.content.subject,
    messageId: email.messageId,
    claimedBy: event.id,
  };
  // Marked as this process's before the claim commits: no other delivery here can take it in between.
  deps.sendingHere.add(claim.id);
  let id: string | undefined;
  try {
    const handled = await deps.transactions.handleOnce(event, async (tx) => ({
      result: await claimNotification(tx, claim),
      events: [],
    }));
    const claimed = handled.outcome === 'handled' && handled.result;
    // A duplicate too: it may be the redelivery of an event whose handling stopped after step 1.
    id = claimed ? claim.id : await claimLeftBehind(deps, claim);
    if (id === undefined) return handled.outcome === 'duplicate' ? 'duplicate-event' : 'already-sent';

    await send(deps, id, email);
    return (await recordSent(deps, id, email, event)) ? 'sent' : 'already-sent';
  } finally {
    deps.sendingHere.delete(claim.id);
    if (id !== undefined) deps.sendingHere.delete(id);
  }
}

/**
 * The e-mail's claim when another delivery made it: its id if this delivery is to send it now (then
 * in `sendingHere`), undefined once it is sent. Waits while another delivery holds it (see CLAIM_LEASE_MARGIN_MS).
 */
async function claimLeftBehind(deps: NotificationDependencies, claim: NewClaim): Promise<string | undefined> {
  const leaseMs = deps.mailer.sendTimeoutMs + CLAIM_LEASE_MARGIN_MS;
  const { orderId, template, claimedBy: eventId } = claim;
  // A lease may be taken over by yet another delivery just before this one could: give up after two.
  const giveUpAt = Date.now() + 2 * leaseMs;
  for (let wait = FIRST_PAUSE_MS; ; wait = Math.min(2 * wait, LONGEST_PAUSE_MS)) {
    const found = await deps.transactions.run(async (tx) => {
      const existing = await takeOverClaim(tx, { orderId, template, eventId, leaseMs });
      if (existing.state !== 'none') return { result: existing, events: [] };
      // Withdrawn after a refusal, now replayed: claim it anew.
      const again = await claimNotification(tx, claim);
      return { result: again ? { state: 'taken' as const, id: claim.id } : { state: 'held' as const }, events: [] };
    });
    // This delivery's own claim (claimed anew), or one it may take: marked as this delivery's at once,
    // before another here can take it too. Taken back from a delivery of the same event that this
    // process is still sending, it is not: that delivery is alive, wait for it.
    if (found.state === 'taken' && (found.id === claim.id || !deps.sendingHere.has(found.id))) {
      deps.sendingHere.add(found.id);
      return found.id;
    }
    if (found.state === 'sent') return undefined;
    if (Date.now() > giveUpAt) {
      throw new AppError('unavailable', 'the e-mail is still being sent by another delivery', { orderId, template });
    }
    await pause(wait);
  }
}

/** Sends the claimed e-mail; a refusal for good withdraws the claim before the message is dead-lettered. */
async function send(deps: NotificationDependencies, id: string, email: OrderEmail): Promise<void> {
  try {
    await deps.mailer.send(email);
  } catch (error) {
    if (!ERROR_KINDS[AppError.from(error).kind].retryable) {
      await deps.transactions.run(async (tx) => {
        await withdrawClaim(tx, id);
        return { result: undefined, events: [] };
      });
    }
    throw error;
  }
}

/** Marks the claimed e-mail sent and emits notification.sent; false if another delivery marked it first. */
function recordSent(deps: NotificationDependencies, id: string, email: OrderEmail, cause: Envelope): Promise<boolean> {
  return deps.transactions.run(async (tx) => {
    if (!(await markSent(tx, id))) return { result: false, events: [] };
    return { result: true, events: [notificationSent(email, cause)] };
  });
}

function notificationSent(email: OrderEmail, cause: Envelope) {
  const { orderId, template, to: recipient, messageId } = email;
  return createEvent(
    NotificationSentV1,
    { orderId, template, recipient, messageId },
    { source: SERVICE_NAME, causedBy: cause },
  );
}
