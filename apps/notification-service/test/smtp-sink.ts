import { SMTPServer } from 'smtp-server';
import { type AddressInfo } from 'node:net';
import { parseMessage, type ParsedMessage } from './mime';

export interface ReceivedEmail extends ParsedMessage {
  /** SMTP envelope. */
  from: string;
  to: string[];
  raw: string;
}

export interface SmtpSink {
  port: number;
  /** Every message accepted so far, in arrival order. */
  messages: ReceivedEmail[];
  /** Stops listening and drops open connections (including a client's pooled ones) at once. */
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Recipients answered with a permanent 550, as a server does for a mailbox that does not exist. */
  refuse?: (recipient: string) => boolean;
}

/** A real SMTP server on 127.0.0.1 that accepts any message (but the refused recipients') and keeps it. */
export async function startSmtpSink({ port = 0, refuse = () => false }: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: ReceivedEmail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    // smtp-server reads 0 as "use the 30 s default".
    closeTimeout: 1,
    onRcptTo({ address }, _session, callback) {
      if (!refuse(address)) return callback();
      callback(Object.assign(new Error(`no mailbox ${address}`), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const { mailFrom, rcptTo } = session.envelope;
        messages.push({
          from: mailFrom ? mailFrom.address : '',
          to: rcptTo.map((rcpt) => rcpt.address),
          raw,
          ...parseMessage(raw),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    port: (server.server.address() as AddressInfo).port,
    messages,
    close: () => new Promise<void>((resolve) => server.close(resolve)),
  };
}
