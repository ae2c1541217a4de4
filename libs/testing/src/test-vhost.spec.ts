import amqp from 'amqplib';
import { countMessages } from './count-messages';
import { management } from './rabbitmq-management';
import { createTestVhost, type TestVhost } from './test-vhost';

describe('createTestVhost', () => {
  let vhost: TestVhost;
  beforeEach(async () => {
    vhost = await createTestVhost('testing_vhost');
  });
  afterEach(() => vhost.drop());

  it('is usable over AMQP and counts messages exactly', async () => {
    const connection = await amqp.connect(vhost.url);
    try {
      const channel = await connection.createConfirmChannel();
      await channel.assertQueue('work');
      channel.sendToQueue('work', Buffer.from('hello'));
      await channel.waitForConfirms();

      expect(await countMessages(vhost.url, 'work')).toEqual({
        messages: 1,
        consumers: 0,
      });
      expect(await countMessages(vhost.url, 'missing')).toBeUndefined();
      // Management stats lag, so only their shape is checked here.
      expect(await vhost.queue('work')).toEqual({
        messages: expect.any(Number),
        consumers: expect.any(Number),
      });
      expect(await vhost.queue('missing')).toBeUndefined();
    } finally {
      await connection.close();
    }
  });

  it('closeConnections force-closes a live connection', async () => {
    const connection = await amqp.connect(vhost.url);
    const closed = new Promise<Error | undefined>((resolve) => connection.on('close', resolve));
    connection.on('error', () => undefined); // the forced close is also reported as an error

    expect(await vhost.closeConnections({ atLeast: 1 })).toBe(1);
    expect(String(await closed)).toMatch(/CONNECTION_FORCED/);
    expect(await vhost.closeConnections()).toBe(0);
  });

  it('drop deletes the vhost', async () => {
    await vhost.drop();
    expect((await management('GET', `/vhosts/${vhost.name}`)).status).toBe(404);
    await expect(amqp.connect(vhost.url)).rejects.toThrow();
  });

  it("is made on the broker its options name, the environment's aside", async () => {
    // Nothing listens on port 9: the vhost is not made on the broker of the environment instead.
    await expect(
      createTestVhost('testing_vhost_elsewhere', { managementUrl: 'http://guest:guest@127.0.0.1:9' }),
    ).rejects.toThrow();
    const broker = new URL(vhost.url);
    broker.pathname = '/some-other-vhost';
    const other = await createTestVhost('testing_vhost_explicit', { amqpUrl: broker.toString() });
    try {
      expect(new URL(other.url)).toMatchObject({ host: broker.host, pathname: `/${other.name}` });
      await (await amqp.connect(other.url)).close();
    } finally {
      await other.drop();
    }
  });
});
