import amqp from 'amqplib';
import type { QueueStats } from './test-vhost';

/**
 * Exact queue counts straight from the broker (AMQP queue.declare passive), unlike the
 * management API's periodically refreshed stats. `messages` counts messages ready for delivery,
 * not those delivered and awaiting an ack. Undefined if the queue does not exist.
 * Opens its own short-lived connection, so it works while the code under test is disconnected.
 */
export async function countMessages(url: string, queue: string): Promise<QueueStats | undefined> {
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    // A missing queue makes the broker close the channel: that is reported through the rejected
    // checkQueue(), the 'error' event would otherwise crash the process.
    channel.on('error', () => undefined);
    try {
      const { messageCount, consumerCount } = await channel.checkQueue(queue);
      return { messages: messageCount, consumers: consumerCount };
    } catch (error) {
      if ((error as { code?: number }).code === 404) return undefined;
      throw error;
    }
  } finally {
    await connection.close();
  }
}
