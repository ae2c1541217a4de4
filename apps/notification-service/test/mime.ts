/**
 * Just enough MIME decoding to read what nodemailer sends: headers (with RFC 2047 encoded words),
 * multipart bodies, quoted-printable and base64 parts, UTF-8 only.
 */
export interface ParsedMessage {
  /** Lower-case header names, unfolded and decoded; the first occurrence wins. */
  headers: Record<string, string>;
  text?: string;
  html?: string;
}

export function parseMessage(raw: string): ParsedMessage {
  const { headers, body } = splitEntity(raw);
  return { headers, ...bodyParts(headers, body) };
}

function splitEntity(raw: string): { headers: Record<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const head = end === -1 ? raw : raw.slice(0, end);
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] ??= decodeWords(line.slice(colon + 1).trim());
  }
  return { headers, body: end === -1 ? '' : raw.slice(end + 4) };
}

function bodyParts(headers: Record<string, string>, body: string): Pick<ParsedMessage, 'text' | 'html'> {
  const type = headers['content-type'] ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (type.startsWith('multipart/') && boundary) {
    const parts = body.split(`--${boundary}`).slice(1, -1);
    return Object.assign({}, ...parts.map((part) => bodyParts(...entityOf(part))));
  }
  const decoded = decodeBody(body, headers['content-transfer-encoding']);
  return type.startsWith('text/html') ? { html: decoded } : { text: decoded };
}

function entityOf(part: string): [Record<string, string>, string] {
  const { headers, body } = splitEntity(part.replace(/^\r\n/, ''));
  return [headers, body.replace(/\r\n$/, '')];
}

function decodeBody(body: string, encoding = '7bit'): string {
  if (/^base64$/i.test(encoding)) return Buffer.from(body, 'base64').toString('utf8');
  if (/^quoted-printable$/i.test(encoding)) return decodeQuotedPrintable(body.replace(/=\r\n/g, ''));
  return body;
}

/** Quoted-printable text is ASCII: each =XX becomes its byte, and the bytes are read as UTF-8. */
function decodeQuotedPrintable(text: string): string {
  const binary = text.replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(binary, 'latin1').toString('utf8');
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([BQ])\?([^?]*)\?=/gi, (_, kind: string, data: string) =>
      kind.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintable(data.replace(/_/g, ' ')),
    );
}
