import { createTestVhost, eventually, type TestVhost } from '@shopflow/testing';
import { broker, dlq, dlqOnTerminal, dlqProcess, failedWith, ORDER } from './harness';

describe('npm run dlq -- purge, on a real RabbitMQ', () => {
  let vhost: TestVhost;
  let look: Awaited<ReturnType<typeof broker>>;
  let ids: string[];

  beforeEach(async () => {
    vhost = await createTestVhost('dlq_purge');
    look = await broker(vhost.url);
    await look.declareServices();
    ids = [
      await look.park({ type: 'payment.succeeded', headers: failedWith('internal', 'gateway down') }),
      await look.park({ type: 'order.placed', headers: failedWith('invalid_message', 'bad json', 1) }),
    ];
  });

  afterEach(async () => {
    await look.close();
    await vhost.drop();
  });

  const parked = async () => (await look.drain(ORDER.deadLetterQueue)).map((m) => m.properties.messageId);

  it('refuses without --yes when nobody can confirm (no terminal), and keeps everything', async () => {
    const { code, stderr } = await dlqProcess(['purge', '--service', 'order-service'], { AMQP_URL: vhost.url });
    expect(stderr).toBe(
      "dlq: not purging order-service's dead letters: there is no terminal to confirm on; add --yes to purge them without asking\n",
    );
    expect(code).toBe(2);
    expect(await parked()).toEqual(ids);
  });

  it('asks on a real terminal and purges on yes', async () => {
    const { code, screen } = await dlqOnTerminal(
      ['purge', '--service', 'order-service'],
      { AMQP_URL: vhost.url },
      'y\n',
    );
    expect(screen).toContain('Purge 2 dead letters of order-service for good (all)? [y/N] ');
    expect(screen).toContain('purged 2 dead letters from order-service.dead-letter');
    expect(code).toBe(0);
    expect(await parked()).toEqual([]);
  });

  it('takes the end of input at the question for a no', async () => {
    const { code, screen } = await dlqOnTerminal(
      ['purge', '--service', 'order-service'],
      { AMQP_URL: vhost.url },
      '\x04',
    );
    expect(screen).toContain('dlq: purge cancelled: nothing was removed');
    expect(code).toBe(1);
    expect(await parked()).toEqual(ids);
  });

  it('asks at a terminal, and keeps everything unless the answer is yes', async () => {
    const declined = await dlq(vhost.url, ['purge', '--service', 'order-service'], {
      interactive: true,
      answers: ['n'],
    });
    expect(declined.asked).toEqual(['Purge 2 dead letters of order-service for good (all)? [y/N] ']);
    expect(declined).toMatchObject({
      code: 1,
      err: expect.arrayContaining(['dlq: purge cancelled: nothing was removed']),
    });
    // Given back when the tool's channel closed: a quorum queue takes them back a moment later.
    await eventually(async () => expect(await look.count(ORDER.deadLetterQueue)).toBe(2));

    const confirmed = await dlq(vhost.url, ['purge', '--service', 'order-service'], {
      interactive: true,
      answers: ['yes'],
    });
    // What is about to go, by group, before the question.
    expect(confirmed.err).toEqual([
      '     1  reason "failed after 5 attempts" · kind internal · type payment.succeeded',
      '     1  reason "invalid message" · kind invalid_message · type order.placed',
    ]);
    expect(confirmed).toMatchObject({ code: 0, out: ['purged 2 dead letters from order-service.dead-letter'] });
    expect(await parked()).toEqual([]);
  });

  it('purges only the selected group with --yes', async () => {
    const { code, out, asked } = await dlq(vhost.url, [
      'purge',
      '-s',
      'order-service',
      '--reason',
      'invalid message',
      '--yes',
    ]);
    expect(asked).toEqual([]);
    expect(code).toBe(0);
    expect(out).toEqual(['purged 1 dead letter from order-service.dead-letter']);
    expect(await parked()).toEqual([ids[0]]);
  });
});
