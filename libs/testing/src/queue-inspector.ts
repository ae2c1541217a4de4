import amqp from 'amqplib';

/**
 * A plain amqplib confirm channel for setting up and looking at queues from outside the code under
 * test, on a connection of its own.
 */
export async function queueInspector(url: string) {
  const connection = await amqp.connect(url);
  const channel = await connection.createConfirmChannel();
  return {
    channel,
    /** Ready messages in a queue, exact (not the management API's periodic figure). */
    async count(queue: string): Promise<number> {
      return (await channel.checkQueue(queue)).messageCount;
    },
    /** Takes every ready message off a queue. */
    async drain(queue: string): Promise<amqp.GetMessage[]> {
      const messages: amqp.GetMessage[] = [];
      for (let m = await channel.get(queue, { noAck: true }); m; m = await channel.get(queue, { noAck: true })) {
        messages.push(m);
      }
      return messages;
    },
    close: () => connection.close(),
  };
}

export type QueueInspector = Awaited<ReturnType<typeof queueInspector>>;
