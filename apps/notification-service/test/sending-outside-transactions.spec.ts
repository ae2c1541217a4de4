import { type AddressInfo } from 'node:net';
import { eventually } from '@shopflow/testing';
import pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { orderEmail, type OrderEmailEvent } from '../src/domain/email-templates';
import { startService, type RunningService } from '../src/service';
import {
  capturingLogger,
  createTestEnvironment,
  getJson,
  orderConfirmed,
  orderPlaced,
  orderPublisher,
  watchNotificationsSent,
  type TestEnvironment,
} from './harness';

interface HeldEmail {
  messageId: string;
  /** Answers the DATA command: the SMTP server accepts the e-mail. */
  release(): void;
}

/**
 * A real SMTP server that accepts every e-mail, but holds its answer to DATA for the e-mails to
 * `hold`ed recipients until the test releases them (a send caught in the middle), and refuses for
 * good (550) the recipients in `refused`, for as long as they are in it.
 */
async function startHoldingSmtpServer(hold: (recipient: string) => boolean) {
  /** Message-IDs of the e-mails accepted, in order. */
  const accepted: string[] = [];
  const held: HeldEmail[] = [];
  const refused = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1,
    onRcptTo({ address }, _session, callback) {
      if (!refused.has(address)) return callback();
      callback(Object.assign(new Error(`no mailbox ${address}`), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const messageId = /^Message-ID:\s*(\S+)/im.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '';
        const accept = () => {
          accepted.push(messageId);
          callback();
        };
        if (session.envelope.rcptTo.some((rcpt) => hold(rcpt.address))) held.push({ messageId, release: accept });
        else accept();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    accepted,
    held,
    refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const SLOW_RECIPIENT = 'slow@example.com';
const CONSUMER = 'notification-service.events';

describe('e-mails sent outside any database transaction', () => {
  let env: TestEnvironment;
  let smtp: Awaited<ReturnType<typeof startHoldingSmtpServer>>;
  let service: RunningService;
  let orders: Awaited<ReturnType<typeof orderPublisher>>;
  let notifications: Awaited<ReturnType<typeof watchNotificationsSent>>;
  let db: pg.Client;
  const { logger, lines } = capturingLogger('info');

  beforeAll(async () => {
    env = await createTestEnvironment('notif_outside_tx');
    smtp = await startHoldingSmtpServer((recipient) => recipient === SLOW_RECIPIENT);
    // The defaults: group commit on, so a send made inside the claim's transaction would hold up a batch.
    service = await startService(env.config({ SMTP_PORT: smtp.port }), logger);
    orders = await orderPublisher(env.vhost.url);
    notifications = await watchNotificationsSent(env.vhost.url);
    db = new pg.Client({ connectionString: env.database.url });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    smtp?.held.forEach((email) => email.release());
    await db?.end();
    await notifications?.close();
    await orders?.close();
    await service?.stop();
    await smtp?.close();
    await env?.drop();
  });

  const notificationRows = async (orderId: string) =>
    (
      await db.query<{ template: string; sent_at: Date | null; message_id: string }>(
        'SELECT template, sent_at, message_id FROM notifications WHERE order_id = $1',
        [orderId],
      )
    ).rows;
  const sentEventsAbout = (orderId: string) => notifications.received.filter((e) => e.payload.orderId === orderId);
  const acceptedCopies = (messageId: string) => smtp.accepted.filter((id) => id === messageId);
  const outcomeOf = (eventId: string) =>
    eventually(
      () => {
        const line = lines.find((l) => l['eventId'] === eventId && l['outcome']);
        if (!line) throw new Error(`${eventId} not handled yet`);
        return line['outcome'];
      },
      { message: 'the event handled' },
    );

  it('commits the claim before the send, holds no transaction open during it, and marks it sent after', async () => {
    const slow = orderPlaced(undefined, SLOW_RECIPIENT);
    const { orderId } = slow.payload;
    const { messageId } = orderEmail(slow);
    await orders.publish(slow);
    const held = await eventually(
      () => {
        const email = smtp.held.find((e) => e.messageId === messageId);
        if (!email) throw new Error('the e-mail has not reached DATA yet');
        return email;
      },
      { message: 'the send held at DATA' },
    );

    // Meanwhile (the mailer gives up after 4 s): no session of the service's database sits in a
    // transaction that has written anything. (The outbox relay's poll, which writes nothing, passes
    // through "idle in transaction" for some microseconds every second.)
    const idle = await db.query(
      `SELECT pid, state, query FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid()
         AND state LIKE 'idle in transaction%' AND backend_xid IS NOT NULL`,
    );
    expect(idle.rows).toEqual([]);
    // The claim is committed, visible from another connection, not yet sent; the API lists it so.
    expect(await notificationRows(orderId)).toEqual([
      { template: 'order-received', sent_at: null, message_id: messageId },
    ]);
    expect(await getJson(env, service.port, `/notifications?orderId=${orderId}`)).toMatchObject({
      status: 200,
      body: [{ template: 'order-received', to: SLOW_RECIPIENT, messageId, sentAt: null }],
    });
    // Nor does it hold up other e-mails, which share the group commit's transactions.
    const other = orderPlaced();
    await orders.publish(other);
    await notifications.sentFor(other.payload.orderId, 'order-received');
    expect(sentEventsAbout(orderId)).toEqual([]);

    held.release();
    const sent = await notifications.sentFor(orderId, 'order-received');
    expect(sent).toMatchObject({ causationId: slow.id, payload: { recipient: SLOW_RECIPIENT, messageId } });
    expect(await notificationRows(orderId)).toEqual([
      { template: 'order-received', sent_at: expect.any(Date), message_id: messageId },
    ]);
    expect(await outcomeOf(slow.id)).toBe('sent');
    expect(sentEventsAbout(orderId)).toHaveLength(1);
    expect(acceptedCopies(messageId)).toHaveLength(1);
  });

  /** What the first transaction of a delivery commits: the event in the inbox, the e-mail claimed by it. */
  async function claimAsACrashLeftIt(event: OrderEmailEvent, claimedAgo = '0 seconds') {
    const email = orderEmail(event);
    await db.query('INSERT INTO inbox_events (consumer, event_id) VALUES ($1, $2)', [CONSUMER, event.id]);
    await db.query(
      `INSERT INTO notifications (id, order_id, template, "to", subject, message_id, claimed_by, claimed_at)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, now() - $7::interval)`,
      [email.orderId, email.template, email.to, email.content.subject, email.messageId, event.id, claimedAgo],
    );
    return email;
  }

  it('sends again, with the same Message-ID, an e-mail a crash left claimed but unsent, when its event is redelivered', async () => {
    const placed = orderPlaced();
    const { orderId } = placed.payload;
    const { messageId } = await claimAsACrashLeftIt(placed);

    await orders.publish(placed);

    const sent = await notifications.sentFor(orderId, 'order-received');
    expect(sent).toMatchObject({ causationId: placed.id, payload: { messageId } });
    // A duplicate for the inbox, yet it sent the e-mail its first delivery had claimed.
    expect(await outcomeOf(placed.id)).toBe('sent');
    expect(acceptedCopies(messageId)).toHaveLength(1);
    expect(await notificationRows(orderId)).toEqual([
      { template: 'order-received', sent_at: expect.any(Date), message_id: messageId },
    ]);
    expect(sentEventsAbout(orderId)).toHaveLength(1);
  });

  it('sends an e-mail another event claimed long ago and left unsent, when a new event for it arrives', async () => {
    const orderId = crypto.randomUUID();
    const crashed = orderConfirmed(orderId);
    const { messageId } = await claimAsACrashLeftIt(crashed, '1 hour');

    const again = orderConfirmed(orderId);
    await orders.publish(again);

    const sent = await notifications.sentFor(orderId, 'order-confirmed');
    expect(sent).toMatchObject({ causationId: again.id, payload: { messageId } });
    expect(await outcomeOf(again.id)).toBe('sent');
    expect(acceptedCopies(messageId)).toHaveLength(1);
    expect(await notificationRows(orderId)).toEqual([
      { template: 'order-confirmed', sent_at: expect.any(Date), message_id: messageId },
    ]);
    expect(sentEventsAbout(orderId)).toHaveLength(1);
  });

  it('withdraws the claim of an e-mail refused for good, so that the event replayed later sends it', async () => {
    const placed = orderPlaced(undefined, 'typo@example.com');
    const { orderId } = placed.payload;
    const { messageId } = orderEmail(placed);
    smtp.refused.add('typo@example.com');
    await orders.publish(placed);
    await eventually(() => lines.some((l) => l['eventId'] === placed.id && l['action'] === 'dead-letter'), {
      message: 'the refused e-mail dead-lettered',
    });
    expect(await notificationRows(orderId)).toEqual([]);

    // The mailbox fixed, the dead-lettered event is replayed: a duplicate for the inbox.
    smtp.refused.delete('typo@example.com');
    await orders.publish(placed);
    await notifications.sentFor(orderId, 'order-received');
    expect(await outcomeOf(placed.id)).toBe('sent');
    expect(acceptedCopies(messageId)).toHaveLength(1);
    expect(await notificationRows(orderId)).toEqual([
      { template: 'order-received', sent_at: expect.any(Date), message_id: messageId },
    ]);
  });
});
