import { createEvent, PaymentSucceededV1 } from '@shopflow/events';
import { createLogger } from '@shopflow/observability';
import { queueInspector } from '@shopflow/testing';
import { sql, type SqlClient } from '@shopflow/postgres';

export const PRISMA_CONFIG = `${__dirname}/../prisma.config.ts`;

/** Set LOG_LEVEL=debug to see the runtime's logs while a test runs. */
export const testLogger = () =>
  createLogger({
    service: 'messaging-test',
    level: process.env['LOG_LEVEL'] ?? 'silent',
  });

export function paymentSucceeded(orderId: string = crypto.randomUUID(), amount = 1000) {
  return createEvent(
    PaymentSucceededV1,
    {
      orderId,
      paymentId: crypto.randomUUID(),
      amount: { amount, currency: 'EUR' },
    },
    { source: 'messaging-test' },
  );
}

// The tests' tiny business table (test/prisma/migrations): accounts (id text primary key, balance int).

/** Creates an account: fails (unique violation on accounts_pkey) if it exists. */
export async function createAccount(tx: SqlClient, accountId: string, balance: number): Promise<void> {
  await tx.execute(sql`INSERT INTO accounts (id, balance) VALUES (${accountId}, ${balance})`);
}

/** Adds `amount` to an account's balance, creating the account with it if there is none (an upsert). */
export async function creditAccount(tx: SqlClient, accountId: string, amount: number): Promise<void> {
  await tx.execute(sql`
    INSERT INTO accounts (id, balance) VALUES (${accountId}, ${amount})
    ON CONFLICT (id) DO UPDATE SET balance = accounts.balance + EXCLUDED.balance`);
}

/** An account's balance; undefined if there is no such account. */
export async function balanceOf(db: SqlClient, accountId: string): Promise<number | undefined> {
  const [row] = await db.query<{ balance: number }>(sql`SELECT balance FROM accounts WHERE id = ${accountId}`);
  return row?.balance;
}

/** A plain amqplib channel for looking at queues from outside the runtime under test. */
export const inspector = queueInspector;
