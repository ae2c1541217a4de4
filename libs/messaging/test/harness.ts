import { PrismaPg } from '@prisma/adapter-pg';
import { createEvent, PaymentSucceededV1 } from '@shopflow/events';
import { createLogger } from '@shopflow/observability';
import amqplib from 'amqplib';
import { PrismaClient } from './generated/prisma/client';

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

export function prismaFor(url: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url }) });
}

/** A plain amqplib channel for looking at queues from outside the runtime under test. */
export async function inspector(url: string) {
  const connection = await amqplib.connect(url);
  const channel = await connection.createConfirmChannel();
  return {
    channel,
    async count(queue: string): Promise<number> {
      return (await channel.checkQueue(queue)).messageCount;
    },
    /** Takes every ready message off a queue. */
    async drain(queue: string): Promise<amqplib.GetMessage[]> {
      const messages: amqplib.GetMessage[] = [];
      for (let m = await channel.get(queue, { noAck: true }); m; m = await channel.get(queue, { noAck: true })) {
        messages.push(m);
      }
      return messages;
    },
    close: () => connection.close(),
  };
}
