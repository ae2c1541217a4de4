import amqp from 'amqplib';
import { queueMarker } from './queue-marker';
import { createTestVhost, type TestVhost } from './test-vhost';

describe('queueMarker', () => {
  let vhost: TestVhost;
  beforeEach(async () => {
    vhost = await createTestVhost('testing_marker');
  });
  afterEach(() => vhost.drop());

  it('settles once every message already in the queue reached the consumer, and is not one of them', async () => {
    const connection = await amqp.connect(vhost.url);
    try {
      const channel = await connection.createChannel();
      const { queue } = await channel.assertQueue('', { exclusive: true });
      const marker = queueMarker(channel, queue);
      const received: string[] = [];
      await channel.consume(queue, (m) => m && !marker.isMarker(m) && received.push(m.content.toString()), {
        noAck: true,
      });
      for (let i = 0; i < 500; i++) channel.sendToQueue(queue, Buffer.from(String(i)));

      await marker.settle();

      expect(received).toHaveLength(500);
      expect(received.at(-1)).toBe('499');
    } finally {
      await connection.close();
    }
  });
});
