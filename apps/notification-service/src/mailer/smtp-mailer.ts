import { AppError } from '@shopflow/errors';
import { createTransport, type SendMailOptions, type SMTPPoolOptions, type Transporter } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { type EmailContent } from '../domain/email-layout';
import { messageBytes } from './mime-message';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  /** The From header, e.g. `shopflow <orders@shopflow.local>`. */
  from: string;
  /** Keep connections open across messages. */
  pool: boolean;
  /** With `pool`: connections open at once, each carrying one e-mail at a time (default 50). */
  maxConnections?: number;
  /** How long a send may take, queueing in the pool included (default 4 s, see below). */
  sendTimeoutMs?: number;
}

export interface OutgoingEmail {
  to: string;
  /** Message-ID header, angle brackets included. */
  messageId: string;
  content: EmailContent;
}

/**
 * Sends are made outside any database transaction (between the one that claims the e-mail and the
 * one that marks it sent), so a slow server holds no connection or lock; but each send in flight
 * holds a message of the consumer's prefetch, and other deliveries of the same e-mail wait on its
 * claim. A send (queueing in the pool included) gives up after 4 s, so a slow or silent server fails
 * it and the message is retried, rather than holding its place for as long as the server likes.
 */
const SEND_TIMEOUT_MS = 4000;
/**
 * Each pooled connection carries one e-mail at a time, about five commands (MAIL, RCPT, DATA, the
 * message, RSET): with a server answering each after 20 ms that is ~100 ms per e-mail, so 5
 * connections (nodemailer's default) cap a replica at ~50 e-mails/s, 50 at ~500/s.
 */
const MAX_CONNECTIONS = 50;
/** E-mails per pooled connection before it is replaced: high, since opening one costs a handshake. */
const MAX_MESSAGES_PER_CONNECTION = 1000;
/** Also bounds the readiness check, which the health endpoint cuts off after 2 s. */
const CONNECT_TIMEOUT_MS = 1500;

/** nodemailer over SMTP, its failures classified as transient (retry) or permanent (dead-letter). */
export class SmtpMailer {
  private readonly transport: Transporter;
  private readonly from: string;
  /** How long a send may take, queueing in the pool included. */
  readonly sendTimeoutMs: number;

  constructor(settings: SmtpSettings) {
    this.from = settings.from;
    this.sendTimeoutMs = settings.sendTimeoutMs ?? SEND_TIMEOUT_MS;
    this.transport = createTransport(transportOptions(settings));
  }

  async send({ to, messageId, content }: OutgoingEmail): Promise<void> {
    // Not AbortSignal.timeout(): its timer cannot be cancelled, so every send would leave one
    // behind that fires seconds later and builds a DOMException, with its stack, for nobody: it
    // showed in this service's CPU profile (docs/performance-history.md).
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new Error(`no answer within ${this.sendTimeoutMs} ms`)),
      this.sendTimeoutMs,
    );
    try {
      const message = await compose({
        from: this.from,
        to,
        messageId,
        subject: content.subject,
        text: content.text,
        html: content.html,
      });
      await this.transport.sendMail({ ...message, signal: deadline.signal });
    } catch (error) {
      throw sendFailure(error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Readiness: connects and, with credentials, logs in (on its own connection, outside the pool). */
  async verify(): Promise<void> {
    await this.transport.verify();
  }

  /** Closes the pooled connections; call once no send is in flight. */
  close(): void {
    this.transport.close();
  }
}

/**
 * The whole message, composed by nodemailer (mime-message.ts says how its bytes are written), for
 * the transport to send in one piece (`raw`, with the envelope the composer read off its headers).
 * Handed the parts instead, the transport streams the MIME tree to the socket as it is produced: a
 * write for every part, each a system call and a wake-up of the SMTP server, where the whole message
 * takes a couple (docs/performance-history.md).
 */
async function compose(mail: SendMailOptions): Promise<Pick<SendMailOptions, 'envelope' | 'raw'>> {
  const message = new MailComposer(mail).compile();
  return { envelope: message.getEnvelope(), raw: await messageBytes(message) };
}

function transportOptions(settings: SmtpSettings): SMTPPoolOptions {
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    auth: settings.user ? { user: settings.user, pass: settings.password } : undefined,
    pool: settings.pool,
    maxConnections: settings.maxConnections ?? MAX_CONNECTIONS,
    maxMessages: MAX_MESSAGES_PER_CONNECTION,
    // One requeue covers a pooled connection the server closed just as it was picked; anything
    // more is left to the consumer's retries, which back off and end in the dead-letter queue.
    maxRequeues: 1,
    connectionTimeout: CONNECT_TIMEOUT_MS,
    greetingTimeout: CONNECT_TIMEOUT_MS,
  };
}

/** A 5xx reply would be refused again: dead-letter it at once. Anything else may pass later. */
function sendFailure(error: unknown): AppError {
  const { message, permanent, responseCode, code } = error as {
    message?: string;
    permanent?: boolean;
    responseCode?: number;
    code?: string;
  };
  const details = { responseCode, code };
  if (permanent)
    return new AppError('unprocessable', `the SMTP server refused the e-mail: ${message}`, details, { cause: error });
  return new AppError('unavailable', `could not send the e-mail: ${message}`, details, { cause: error });
}
