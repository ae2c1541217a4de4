import { simpleParser } from 'mailparser';
import { type AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** SMTP envelope. */
  from: string;
  to: string[];
  /** The message as received, headers and body. */
  raw: string;
  subject: string;
  messageId: string | undefined;
  /** Lower-case header names, decoded. */
  headers: Record<string, string>;
  text: string;
  html: string;
}

export interface SmtpSink {
  port: number;
  /** Every message accepted so far, in arrival order. */
  messages: ReceivedMail[];
  /** Stops listening and drops open connections (a client's pooled ones too) at once. */
  close(): Promise<void>;
}

export interface SmtpSinkOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Recipients answered with a permanent 550, as a server does for a mailbox that does not exist. */
  refuse?: (recipient: string) => boolean;
}

/**
 * A real SMTP server on 127.0.0.1 that accepts every message (but the refused recipients') and
 * keeps it, parsed: services under test send real e-mail through their real transport.
 */
export async function startSmtpSink({ port = 0, refuse = () => false }: SmtpSinkOptions = {}): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
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
      stream.on('end', async () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const parsed = await simpleParser(raw);
        const { mailFrom, rcptTo } = session.envelope;
        messages.push({
          from: mailFrom ? mailFrom.address : '',
          to: rcptTo.map((rcpt) => rcpt.address),
          raw,
          subject: parsed.subject ?? '',
          messageId: parsed.messageId,
          headers: Object.fromEntries(parsed.headerLines.map(({ key }) => [key, headerText(parsed.headers.get(key))])),
          text: parsed.text ?? '',
          html: parsed.html || '',
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** mailparser gives structured values for some headers (addresses, dates): tests compare text. */
function headerText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && 'text' in value) return String((value as { text: unknown }).text);
  if (typeof value === 'object' && 'value' in value) return String((value as { value: unknown }).value);
  return String(value);
}
