import pg from 'pg';
import { eventually } from './eventually';

/**
 * Resolves once a service's outbox is empty. Its relay deletes a row once the broker confirmed the
 * event, so by then every event the service wrote is in the queues bound to its exchange (settle a
 * test queue with `queueMarker` to have them all received).
 */
export async function outboxEmptied(databaseUrl: string): Promise<void> {
  const client = new pg.Client(databaseUrl);
  await client.connect();
  try {
    await eventually(
      async () => {
        const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox_events');
        if (rows[0]?.n !== 0) throw new Error(`${rows[0]?.n} outbox events not published yet`);
      },
      { message: 'waiting for the outbox to be published' },
    );
  } finally {
    await client.end();
  }
}
