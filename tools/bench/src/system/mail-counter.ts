import { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface MailCounter {
  port: number;
  /** E-mails accepted so far. */
  readonly count: number;
  close(): Promise<void>;
}

/**
 * An SMTP server that accepts every e-mail and only counts it: the bench shares two cores with
 * the services, so it must not spend them parsing thousands of messages (as the tests' sink does).
 */
export async function startMailCounter(): Promise<MailCounter> {
  let count = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1, // 0 would mean smtp-server's 30 s default
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        count += 1;
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    get count() {
      return count;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
