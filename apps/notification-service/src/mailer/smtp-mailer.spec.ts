import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { AppError } from '@shopflow/errors';
import { SmtpMailer } from './smtp-mailer';

/** A real TCP peer that greets like an SMTP server, then never answers anything: a hung relay. */
async function startSilentServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.write('220 silent ESMTP\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, sockets };
}

describe('SmtpMailer', () => {
  it('gives up on a server that stops answering, as a transient failure, once the send deadline passes', async () => {
    const silent = await startSilentServer();
    const mailer = new SmtpMailer({
      host: '127.0.0.1',
      port: silent.port,
      secure: false,
      from: 'shopflow <orders@shopflow.local>',
      pool: true,
      sendTimeoutMs: 300,
    });
    try {
      const started = Date.now();
      const failure = await mailer
        .send({
          to: 'ada@example.com',
          messageId: '<deadline@shopflow.local>',
          content: { subject: 'Hello', text: 'Hello\n', html: '<p>Hello</p>\n' },
        })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(failure).toBeInstanceOf(AppError);
      expect((failure as AppError).kind).toBe('unavailable');
      // The deadline, not the connection's own 1.5 s greeting or socket timeouts, ended it.
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      mailer.close();
      silent.sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.server.close(resolve));
    }
  });
});
