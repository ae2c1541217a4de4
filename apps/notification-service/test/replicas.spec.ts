import { eventually } from '@shopflow/testing';
import pg from 'pg';
import { startService, type RunningService } from '../src/service';
import {
  capturingLogger,
  createTestEnvironment,
  emailsAbout,
  orderConfirmed,
  orderPublisher,
  startServiceUnderTest,
  type ServiceUnderTest,
  type TestEnvironment,
} from './harness';

describe('several replicas handling duplicates of one e-mail at the same time', () => {
  let env: TestEnvironment;
  let replicas: RunningService[] = [];
  let orders: Awaited<ReturnType<typeof orderPublisher>>;
  let db: pg.Client;
  // One log for the three: each delivery's handling ends with its `handled` line, giving its outcome.
  const { logger, lines } = capturingLogger('info');

  beforeAll(async () => {
    env = await createTestEnvironment('notif_replicas');
    replicas = [await startService(env.config(), logger)];
    replicas.push(...(await Promise.all([2, 3].map(() => startService(env.config(), logger)))));
    orders = await orderPublisher(env.vhost.url);
    db = new pg.Client({ connectionString: env.database.url });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await orders?.close();
    await Promise.all(replicas.map((replica) => replica.stop()));
    await env?.drop();
  });

  /**
   * The outcome of each event's handling, once all of them ended. Not the inbox records: those commit
   * with the claim, before the e-mail is sent.
   */
  const outcomesOf = (eventIds: string[]) =>
    eventually(
      () => {
        const outcomes = eventIds.flatMap((id) =>
          lines.filter((line) => line['eventId'] === id && line['outcome']).map((line) => line['outcome']),
        );
        if (outcomes.length < eventIds.length) throw new Error(`${outcomes.length} of ${eventIds.length} handled`);
        return outcomes;
      },
      { message: 'every duplicate handled' },
    );

  it('sends one e-mail and records one notification', async () => {
    const orderId = crypto.randomUUID();
    const duplicates = Array.from({ length: 12 }, () => orderConfirmed(orderId));
    await Promise.all(duplicates.map((event) => orders.publish(event)));

    const outcomes = await outcomesOf(duplicates.map((event) => event.id));

    // The others found the e-mail claimed, waited while it was being sent, and sent nothing.
    expect(outcomes.sort()).toEqual(['sent', ...Array<string>(11).fill('already-sent')].sort());
    expect(emailsAbout(env.sink, orderId, 'order-confirmed')).toHaveLength(1);
    const { rows } = await db.query('SELECT template, sent_at FROM notifications WHERE order_id = $1', [orderId]);
    expect(rows).toEqual([{ template: 'order-confirmed', sent_at: expect.any(Date) }]);
  });
});

describe('two deliveries of one event at the same time, on one replica', () => {
  let sut: ServiceUnderTest;
  const { logger, lines } = capturingLogger('info');

  beforeAll(async () => {
    sut = await startServiceUnderTest('notif_same_event', logger);
  }, 60_000);

  afterAll(() => sut?.stop());

  // As when order-service's outbox publishes one event twice (its publish confirmed too late).
  it('sends one e-mail: the second delivery waits for the first instead of sending a copy', async () => {
    const orderId = crypto.randomUUID();
    const event = orderConfirmed(orderId);
    await Promise.all([sut.orders.publish(event), sut.orders.publish(event)]);

    const outcomes = await eventually(
      () => {
        const handled = lines.filter((line) => line['eventId'] === event.id && line['outcome']);
        if (handled.length < 2) throw new Error(`${handled.length} of 2 deliveries handled`);
        return handled.map((line) => line['outcome']);
      },
      { message: 'both deliveries handled' },
    );
    expect(outcomes.sort()).toEqual(['duplicate-event', 'sent']);
    expect(emailsAbout(sut.env.sink, orderId, 'order-confirmed')).toHaveLength(1);
  });
});
