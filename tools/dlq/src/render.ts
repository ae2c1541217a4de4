import { type DeadLetter } from '@shopflow/messaging';
import { type DeadLetterGroup } from './grouping';

/** Ids listed per group in text; --json lists them all. */
const IDS_PER_GROUP = 20;

export function renderGroups(queue: string, total: number, groups: readonly DeadLetterGroup[]): string[] {
  const shown = groups.reduce((n, g) => n + g.letters.length, 0);
  const lines = [`${queue}: ${plural(total, 'dead letter')}${shown === total ? '' : `, ${shown} selected`}`];
  for (const group of groups) {
    lines.push('', `${String(group.letters.length).padStart(6)}  ${describeGroup(group)}`);
    for (const letter of group.letters.slice(0, IDS_PER_GROUP)) lines.push(`        ${summarise(letter)}`);
    const more = group.letters.length - IDS_PER_GROUP;
    if (more > 0) lines.push(`        … and ${more} more (--json lists every id)`);
  }
  return lines;
}

/** The group's reason, error kind and type as list prints them, and as --reason, --kind and --type take them. */
export function describeGroup(group: Pick<DeadLetterGroup, 'reason' | 'errorKind' | 'eventType'>): string {
  return `reason "${group.reason}" · kind ${group.errorKind ?? '(none)'} · type ${group.eventType}`;
}

function summarise(letter: DeadLetter): string {
  const redriven = letter.redriveCount > 0 ? `  redriven ${letter.redriveCount}×` : '';
  const error = letter.lastError ? `  ${oneLine(letter.lastError, 100)}` : '';
  return `${letter.id}  ${letter.failedAt ?? 'failed at ?'}${redriven}${error}`;
}

export function renderDeadLetter(queue: string, letter: DeadLetter): string[] {
  const field = (name: string, value: string) => `  ${name.padEnd(15)} ${value}`;
  const { origin } = letter;
  const lines = [
    `dead letter ${letter.id} in ${queue}${letter.hasMessageId ? '' : ' (no message id: selected by its body digest)'}`,
    field('event type', letter.eventType),
    field('reason', letter.reason),
    field('error', `${letter.errorKind ?? '(no kind)'}: ${letter.lastError ?? '(none recorded)'}`),
    field('attempts', String(letter.attempts)),
    field('failed at', letter.failedAt ?? '(unknown)'),
    field('consumer queue', letter.consumerQueue ?? '(unknown: it cannot be redriven)'),
    field('published to', `${origin.exchange ?? '?'} with routing key ${origin.routingKey ?? '?'}`),
    field(
      'redriven',
      letter.redriveCount === 0
        ? 'never'
        : `${plural(letter.redriveCount, 'time')}, last at ${letter.redrivenAt ?? '(unknown)'}`,
    ),
    field('retry delays', letter.retries.length === 0 ? 'none' : 'newest first'),
    ...letter.retries.map((r) => `    ${r.queue}  ${r.reason} ×${r.count}${r.time ? `  last at ${r.time}` : ''}`),
    'properties',
    ...Object.entries(letter.properties)
      .filter(([name, value]) => value !== undefined && name !== 'headers')
      .map(([name, value]) => field(name, name === 'timestamp' ? describeTimestamp(value) : String(value))),
    'headers',
    ...Object.entries(letter.headers).map(([name, value]) => field(name, JSON.stringify(value))),
    'payload',
    ...payloadText(letter.content)
      .split('\n')
      .map((line) => `  ${line}`),
  ];
  return lines;
}

/** The body for JSON output: parsed if it is JSON, else text if it is UTF-8, else base64. */
export function payloadValue(content: Buffer): { json: unknown } | { text: string } | { base64: string } {
  try {
    return { json: JSON.parse(content.toString('utf8')) as unknown };
  } catch {
    const text = new TextDecoder('utf-8', { fatal: true });
    try {
      return { text: text.decode(content) };
    } catch {
      return { base64: content.toString('base64') };
    }
  }
}

function payloadText(content: Buffer): string {
  const value = payloadValue(content);
  if ('json' in value) return JSON.stringify(value.json, null, 2);
  if ('text' in value) return value.text;
  return `(binary, base64) ${value.base64}`;
}

/** AMQP timestamps are seconds since the epoch. */
function describeTimestamp(value: unknown): string {
  const seconds = Number(value);
  return Number.isFinite(seconds) ? `${seconds} (${new Date(seconds * 1000).toISOString()})` : String(value);
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
