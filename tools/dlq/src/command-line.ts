import { parseArgs } from 'node:util';

/** Which dead letters a command acts on. Filters combine (all must match); ids are exact. */
export interface Selection {
  ids: string[];
  all: boolean;
  reason?: string;
  type?: string;
  kind?: string;
}

export type Command =
  | { name: 'help' }
  | { name: 'list'; service: string; selection: Selection; json: boolean }
  | { name: 'show'; service: string; ids: string[]; json: boolean }
  | { name: 'redrive'; service: string; selection: Selection }
  | { name: 'purge'; service: string; selection: Selection; yes: boolean };

/** The command line is wrong: nothing was done. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `Usage: npm run dlq -- <command> --service <service> [options]

Commands:
  list    --service S [--reason R] [--type T] [--kind K] [--json]
          the dead letters of S grouped by reason, error kind and event type
  show    --service S <message-id>... [--json]
          one dead letter: failure history, properties, headers, payload
  redrive --service S (<message-id>... | --all | [--reason R] [--type T] [--kind K])
          back to the consumer queue of S that parked each one, through S's retry exchange
  purge   --service S [<message-id>... | --all | [--reason R] [--type T] [--kind K]] [--yes]
          removes them for good (all without a selection); asks first, or needs --yes without a terminal

Options:
  --service, -s  a service, e.g. order-service (its dead letters are in <service>.dead-letter)
  --reason       exactly as list shows it, e.g. "failed after 5 attempts" or "invalid message"
  --type         an event type, e.g. payment.succeeded
  --kind         an error kind, e.g. internal or unprocessable
  --json         machine-readable output
  --yes, -y      purge without asking

The broker is AMQP_URL (default amqp://guest:guest@127.0.0.1:5672, vhost from its path).
Exit status: 0 done, 1 failed (nothing lost), 2 wrong command line or an unconfirmed purge.`;

const OPTIONS = {
  service: { type: 'string', short: 's' },
  all: { type: 'boolean' },
  reason: { type: 'string' },
  type: { type: 'string' },
  kind: { type: 'string' },
  json: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Which options each command takes: anything else is refused rather than silently ignored. */
const ALLOWED: Record<Exclude<Command['name'], 'help'>, (keyof typeof OPTIONS)[]> = {
  list: ['service', 'reason', 'type', 'kind', 'json'],
  show: ['service', 'json'],
  redrive: ['service', 'all', 'reason', 'type', 'kind'],
  purge: ['service', 'all', 'reason', 'type', 'kind', 'yes'],
};

export function parseCommandLine(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // node:util's messages are one line and name the option; its hint about '--' does not apply here.
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/, ''));
  }
  const { values, positionals } = parsed;
  const [name, ...ids] = positionals;
  if (values.help || name === undefined || name === 'help') return { name: 'help' };
  if (!isCommandName(name)) throw new UsageError(`unknown command '${name}': use list, show, redrive or purge`);

  const extra = (Object.keys(values) as (keyof typeof OPTIONS)[]).filter((option) => !ALLOWED[name].includes(option));
  if (extra.length > 0) throw new UsageError(`${name} takes no ${extra.map((o) => `--${o}`).join(', ')}`);
  const service = values.service?.trim();
  if (!service) throw new UsageError(`${name} needs --service, e.g. --service order-service`);

  const selection: Selection = {
    ids,
    all: values.all ?? false,
    ...(values.reason !== undefined && { reason: values.reason }),
    ...(values.type !== undefined && { type: values.type }),
    ...(values.kind !== undefined && { kind: values.kind }),
  };
  const filtered = selection.reason !== undefined || selection.type !== undefined || selection.kind !== undefined;
  switch (name) {
    case 'list':
      if (ids.length > 0) throw new UsageError(`list takes no message ids: show them with show`);
      return { name, service, selection, json: values.json ?? false };
    case 'show':
      if (ids.length === 0) throw new UsageError('show needs a message id, as list prints them');
      return { name, service, ids, json: values.json ?? false };
    case 'redrive':
      // Everything only when asked for by name: a forgotten id must not redrive the whole queue.
      if ([ids.length > 0, selection.all, filtered].filter(Boolean).length !== 1) {
        throw new UsageError('redrive needs exactly one of: message ids, --all, or filters (--reason, --type, --kind)');
      }
      return { name, service, selection };
    case 'purge':
      // No selection is everything here: the confirmation is the safeguard.
      if ([ids.length > 0, selection.all, filtered].filter(Boolean).length > 1) {
        throw new UsageError('purge takes at most one of: message ids, --all, or filters (--reason, --type, --kind)');
      }
      return {
        name,
        service,
        selection: { ...selection, all: ids.length === 0 && !filtered },
        yes: values.yes ?? false,
      };
  }
}

function isCommandName(name: string): name is Exclude<Command['name'], 'help'> {
  return Object.hasOwn(ALLOWED, name);
}
