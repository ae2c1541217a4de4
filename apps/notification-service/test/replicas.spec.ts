import { eventually } from '@shopflow/testing';
import pg from 'pg';
import { startService, type RunningService } from '../src/service';
import {
  createTestEnvironment,
  emailsAbout,
  orderConfirmed,
  orderPublisher,
  silentLogger,
  type TestEnvironment,
} from './harness';

describe('several replicas handling duplicates of one e-mail at the same time', () => {
  let env: TestEnvironment;
  let replicas: RunningService[] = [];
  let orders: Awaited<ReturnType<typeof orderPublisher>>;
  let db: pg.Client;

  beforeAll(async () => {
    env = await createTestEnvironment('notif_replicas');
    // The first replica migrates the database; the others find it ready.
    replicas = [await startService(env.config(), silentLogger())];
    replicas.push(
      ...(await Promise.all([2, 3].map(() => startService(env.config({ MIGRATE_ON_START: false }), silentLogger())))),
    );
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

  /** Handled means recorded in the inbox, whether the handler sent the e-mail or found it already sent. */
  const handled = async (eventIds: string[]) =>
    (
      await db.query<{ n: number }>('SELECT count(*)::int AS n FROM inbox_events WHERE event_id = ANY($1::uuid[])', [
        eventIds,
      ])
    ).rows[0]!.n;

  it('sends one e-mail and records one notification', async () => {
    const orderId = crypto.randomUUID();
    const duplicates = Array.from({ length: 12 }, () => orderConfirmed(orderId));
    await Promise.all(duplicates.map((event) => orders.publish(event)));

    const ids = duplicates.map((event) => event.id);
    await eventually(async () => (await handled(ids)) === ids.length, { message: 'every duplicate handled' });

    expect(emailsAbout(env.sink, orderId, 'order-confirmed')).toHaveLength(1);
    const { rows } = await db.query('SELECT template FROM notifications WHERE order_id = $1', [orderId]);
    expect(rows).toEqual([{ template: 'order-confirmed' }]);
  });
});
