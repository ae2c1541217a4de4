import * as base64 from 'nodemailer/lib/base64';
import type MimeNode from 'nodemailer/lib/mime-node';
import * as qp from 'nodemailer/lib/qp';

/** nodemailer's encoders wrap lines at 76 characters, as RFC 2045 asks. */
const LINE_LENGTH = 76;

/**
 * The bytes of a message nodemailer's composer built (MailComposer's `compile()`), the same bytes as
 * the node's own `build()`, written in one synchronous pass when every part is a string.
 *
 * Why: `build()` streams each part through a pipeline of Transform streams (an encoder, a newline
 * check), with a turn of the event loop between parts. For an e-mail of a few kilobytes that
 * machinery costs far more than the encoding does, and it was the largest single cost of sending an
 * e-mail in this service's CPU profile (docs/performance.md, "Composing an e-mail"). The tree, its
 * headers (folding, encoded words, boundaries) and the encoders stay nodemailer's: this only joins
 * their output, as `MimeNode.stream` does. Anything else (a stream or Buffer as content, a raw
 * part, transforms) is left to `build()`. A test holds the two byte for byte.
 */
export async function messageBytes(root: MimeNode): Promise<Buffer> {
  const text = written(root);
  return text === undefined ? root.build() : Buffer.from(withFinalNewline(text), 'utf-8');
}

/** What `MimeNode.stream` writes for the node, or undefined where it would read a stream. */
function written(node: MimeNode): string | undefined {
  if (!plain(node)) return undefined;
  const head = `${node.buildHeaders()}\r\n\r\n`;
  if (node.multipart) {
    if (node.content) return undefined;
    const parts = node.childNodes.map(written);
    if (parts.some((part) => part === undefined)) return undefined;
    const boundary = String(node.boundary);
    const body = parts.map((part, i) => `${i > 0 ? '\r\n' : ''}--${boundary}\r\n${part}`).join('');
    return `${head}${body}\r\n--${boundary}--\r\n`;
  }
  const encoded = encodedContent(node);
  return encoded === undefined ? undefined : head + encoded;
}

/** The node's content as its transfer encoding writes it; undefined for one nodemailer streams as binary. */
function encodedContent(node: MimeNode): string | undefined {
  const content = node.content;
  if (!content) return '';
  if (typeof content !== 'string') return undefined;
  switch (node.getTransferEncoding()) {
    case 'base64':
      return base64.wrap(base64.encode(content), LINE_LENGTH);
    case 'quoted-printable':
      // Outside text/*, nodemailer's encoder keeps line breaks as data: a case for build().
      return isText(node) ? qp.wrap(qp.encode(content), LINE_LENGTH) : undefined;
    default:
      return content;
  }
}

/** Whether the node holds nothing `stream` would treat apart: a raw part, transforms, a newline conversion. */
function plain(node: MimeNode): boolean {
  const internals = node as unknown as {
    _raw?: unknown;
    _transforms?: unknown[];
    _processFuncs?: unknown[];
    newline?: unknown;
  };
  return !internals._raw && !internals._transforms?.length && !internals._processFuncs?.length && !internals.newline;
}

function isText(node: MimeNode): boolean {
  return /^text\//i.test(String(node.getHeader('Content-Type') ?? ''));
}

/** The root's stream ends with a line break, added if the message does not. */
function withFinalNewline(text: string): string {
  return text.endsWith('\n') ? text : text.endsWith('\r') ? `${text}\n` : `${text}\r\n`;
}
