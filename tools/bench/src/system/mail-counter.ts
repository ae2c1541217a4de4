import { createServer, type AddressInfo, type Socket } from 'node:net';

export interface MailCounter {
  port: number;
  /** E-mails accepted so far. */
  readonly count: number;
  /**
   * Of those, the distinct ones: by Message-ID, as receivers tell a copy (an e-mail without one is
   * distinct). notification-service is at-least-once and sends a copy with the same Message-ID when
   * it cannot know whether a send went through (use-cases/send-order-email.ts).
   */
  readonly distinct: number;
  /** From now on, answer every command (each pipelined group of them) this much later, as a distant relay does. */
  setReplyDelay(ms: number): void;
  close(): Promise<void>;
}

const END_OF_DATA = '\r\n.\r\n';
const GREETING = '220 mail-counter ESMTP\r\n';
const CAPABILITIES = '250-mail-counter\r\n250-PIPELINING\r\n250 8BITMIME\r\n';

/**
 * An SMTP server that accepts every e-mail and only counts it. It stands for the mail relay, which
 * in a deployment runs on other machines: here it shares the two cores with the services, so it
 * must cost next to nothing. smtp-server (the tests' sink) parses every e-mail, which this only
 * scans for the end of the message, and that CPU would be taken from the services (docs/benchmark.md):
 * so this speaks the few commands nodemailer sends, pipelined (RFC 2920) as it sends them.
 */
export async function startMailCounter(): Promise<MailCounter> {
  let count = 0;
  let distinct = 0;
  const seen = new Set<string>();
  let replyDelayMs = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    socket.setNoDelay(true);
    let accepted: (string | undefined)[] = [];
    const session = new SmtpSession((messageId) => accepted.push(messageId));
    socket.write(GREETING);
    socket.on('data', (chunk: Buffer) => {
      const { replies, quit } = session.receive(chunk.toString('latin1'));
      const answered = accepted;
      accepted = [];
      const answer = () => {
        // Counted when the client learns it was accepted, as a relay's queue would.
        for (const messageId of answered) {
          count += 1;
          if (messageId !== undefined) {
            if (seen.has(messageId)) continue;
            seen.add(messageId);
          }
          distinct += 1;
        }
        if (replies && !socket.destroyed) socket.write(replies);
        if (quit) socket.end();
      };
      // Timers with the same delay fire in the order they were set: replies keep their order.
      if (replyDelayMs > 0) setTimeout(answer, replyDelayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    get count() {
      return count;
    },
    get distinct() {
      return distinct;
    },
    setReplyDelay(ms: number) {
      replyDelayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        sockets.forEach((socket) => socket.destroy());
      }),
  };
}

/** How much of a message's start is searched for its Message-ID: its header, whatever its body. */
const HEADER_SCAN_LIMIT = 16_384;
const MESSAGE_ID = /\r\nmessage-id:[ \t]*([^\r\n]+)/i;

/** One connection's state: reading commands, or the message after DATA until its lone dot. */
class SmtpSession {
  private pending = '';
  private inData = false;
  /** The message's start as far as it has arrived, until its header has (for its Message-ID). */
  private head = '';
  /** How much of `pending` is already in `head`. */
  private inHead = 0;

  constructor(private readonly accepted: (messageId: string | undefined) => void) {}

  /** Takes what arrived; returns the replies to write, in one go, and whether the client said QUIT. */
  receive(text: string): { replies: string; quit: boolean } {
    this.pending += text;
    let replies = '';
    for (;;) {
      if (this.inData) {
        this.readHead();
        const end = this.pending.indexOf(END_OF_DATA);
        if (end < 0) {
          // Keep only what could be the start of the end mark.
          this.pending = this.pending.slice(-(END_OF_DATA.length - 1));
          this.inHead = this.pending.length;
          return { replies, quit: false };
        }
        this.pending = this.pending.slice(end + END_OF_DATA.length);
        this.inData = false;
        this.accepted(MESSAGE_ID.exec(this.head)?.[1]?.trim());
        replies += '250 OK queued\r\n';
        continue;
      }
      const lineEnd = this.pending.indexOf('\r\n');
      if (lineEnd < 0) return { replies, quit: false };
      const verb = this.pending.slice(0, Math.min(lineEnd, 4)).toUpperCase();
      this.pending = this.pending.slice(lineEnd + 2);
      if (verb === 'QUIT') return { replies: `${replies}221 bye\r\n`, quit: true };
      if (verb === 'DATA') {
        // The CRLF that ended the DATA line also opens the message: an empty one ends at once.
        this.pending = `\r\n${this.pending}`;
        this.inData = true;
        this.head = '';
        this.inHead = 0;
      }
      replies += reply(verb);
    }
  }

  /** Adds what arrived of the message to `head` until its header has ended (or is too long to be one). */
  private readHead(): void {
    if (this.head.length < HEADER_SCAN_LIMIT && !this.head.includes('\r\n\r\n', 2)) {
      this.head += this.pending.slice(this.inHead, this.inHead + HEADER_SCAN_LIMIT);
    }
    this.inHead = this.pending.length;
  }
}

function reply(verb: string): string {
  switch (verb) {
    case 'EHLO':
      return CAPABILITIES;
    case 'DATA':
      return '354 end with <CRLF>.<CRLF>\r\n';
    case 'HELO':
    case 'MAIL':
    case 'RCPT':
    case 'RSET':
    case 'NOOP':
      return '250 OK\r\n';
    default:
      return '502 command not implemented\r\n';
  }
}
