import { createConnection } from 'node:net';
import { createTransport } from 'nodemailer';
import { startMailCounter, type MailCounter } from '../src/system/mail-counter';

describe('the bench mail counter', () => {
  let counter: MailCounter;

  beforeEach(async () => {
    counter = await startMailCounter();
  });

  afterEach(() => counter.close());

  it('counts every e-mail nodemailer sends, over pooled connections, whatever the body holds', async () => {
    const transport = createTransport({ host: '127.0.0.1', port: counter.port, secure: false, pool: true });
    await transport.verify();
    // Lines that start with a dot (escaped by the client) and bodies long enough to arrive in several chunks.
    const bodies = ['', '.\r\n', 'one line', `${'.\r\n..\r\nline\r\n'.repeat(20_000)}end`];
    const sends = Array.from({ length: 40 }, (_, i) =>
      transport.sendMail({
        from: 'shopflow <orders@shopflow.local>',
        to: `customer-${i}@example.com`,
        subject: `e-mail ${i}`,
        text: bodies[i % bodies.length],
      }),
    );
    const results = await Promise.all(sends);
    transport.close();

    expect(results.every((result) => result.response.startsWith('250'))).toBe(true);
    expect(counter.count).toBe(40);
    expect(counter.distinct).toBe(40);
  });

  it('answers pipelined commands in order, and counts a message only once its end mark arrives', async () => {
    const socket = createConnection(counter.port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    const replies = async (count: number) => {
      const deadline = Date.now() + 5000;
      while (received.split('\r\n').filter((line) => /^\d{3} /.test(line)).length < count) {
        if (Date.now() > deadline) throw new Error(`only these replies arrived: ${received}`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    };

    await replies(1); // the greeting
    socket.write(
      'EHLO bench\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\nSubject: x\r\n\r\nbody\r\n.',
    );
    await replies(5);
    expect(counter.count).toBe(0);
    socket.write('\r\nQUIT\r\n');
    await replies(7);
    socket.destroy();

    expect(
      received
        .split('\r\n')
        .filter((line) => /^\d{3}[ -]/.test(line))
        .map((line) => line.slice(0, 3)),
    ).toEqual(['220', '250', '250', '250', '250', '250', '354', '250', '221']);
    expect(counter.count).toBe(1);
  });

  it('tells copies by their Message-ID: each counted, but not as a distinct e-mail', async () => {
    const transport = createTransport({ host: '127.0.0.1', port: counter.port, secure: false, pool: true });
    const send = (messageId: string, subject = 'x') =>
      transport.sendMail({ from: 'a@example.com', to: 'b@example.com', subject, text: 'y', messageId });
    await send('<order-1.received@shopflow.local>');
    await send('<order-1.received@shopflow.local>');
    await send('<order-1.confirmed@shopflow.local>');
    // A longer header, its Message-ID some kilobytes in.
    await send('<order-2.received@shopflow.local>', 'long '.repeat(1000));
    await send('<order-2.received@shopflow.local>', 'long '.repeat(1000));
    transport.close();
    expect(counter.count).toBe(5);
    expect(counter.distinct).toBe(3);
  });

  it('answers each command later when told to, as a distant relay does, and still counts every e-mail', async () => {
    counter.setReplyDelay(40);
    const transport = createTransport({ host: '127.0.0.1', port: counter.port, secure: false, pool: true });
    await transport.verify();
    const started = Date.now();
    await transport.sendMail({ from: 'a@example.com', to: 'b@example.com', subject: 'x', text: 'y' });
    // MAIL, RCPT, DATA and the message's end: each waits for its answer (nodemailer does not pipeline them).
    expect(Date.now() - started).toBeGreaterThanOrEqual(3 * 40);
    transport.close();
    expect(counter.count).toBe(1);
  });
});
