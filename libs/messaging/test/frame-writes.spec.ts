import { countSocketWrites, createTestVhost, type TestVhost } from '@shopflow/testing';
import amqplib from 'amqplib';
import { type Writable } from 'node:stream';
import { writeFramesTogether } from '../src/frame-writes';

const PUBLISHES = 50;

describe('frames queued in one turn of the event loop, on a real RabbitMQ', () => {
  let vhost: TestVhost;
  let model: amqplib.ChannelModel;

  beforeEach(async () => {
    vhost = await createTestVhost('frame-writes');
    model = await amqplib.connect(vhost.url);
  });

  afterEach(async () => {
    await model.close();
    await vhost.drop();
  });

  /** Publishes PUBLISHES messages in one turn, waits for their confirms; returns the socket writes they took. */
  async function socketWritesFor(channel: amqplib.ConfirmChannel, queue: string): Promise<number> {
    const socket = (model as unknown as { connection: { stream: Writable } }).connection.stream;
    return countSocketWrites(socket, async () => {
      for (let i = 0; i < PUBLISHES; i += 1) channel.sendToQueue(queue, Buffer.from(`message ${i}`));
      await channel.waitForConfirms();
    });
  }

  it('amqplib alone writes each publish to the socket with a call of its own', async () => {
    const channel = await model.createConfirmChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true });

    expect(await socketWritesFor(channel, queue)).toBeGreaterThanOrEqual(PUBLISHES);
  });

  it('with writeFramesTogether they leave in one write', async () => {
    expect(writeFramesTogether(model)).toBe(true);
    const channel = await model.createConfirmChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true });

    expect(await socketWritesFor(channel, queue)).toBe(1);
    expect((await channel.checkQueue(queue)).messageCount).toBe(PUBLISHES);
  });

  it('changes nothing, and returns false, when amqplib is not shaped as expected', () => {
    expect(writeFramesTogether({ connection: {} })).toBe(false);
    expect(writeFramesTogether(undefined)).toBe(false);
  });
});
