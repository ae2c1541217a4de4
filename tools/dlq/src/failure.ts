import { DeadLetterError } from '@shopflow/messaging';
import { type BrokerAddress } from './broker-address';
import { UsageError } from './command-line';

/** Something the operator asked for could not be done; its message says why and what to do. */
export class CommandFailure extends Error {
  override readonly name = 'CommandFailure';

  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
  }
}

export interface Explained {
  line: string;
  exitCode: 1 | 2;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

/**
 * Any failure as one line, its cause then its fix, for a person at a terminal: no stack trace
 * (DLQ_DEBUG=1 prints it). The broker's own words are kept where they are the most precise.
 */
export function explainFailure(error: unknown, broker: BrokerAddress | undefined): Explained {
  if (error instanceof UsageError) return { line: `${error.message} (npm run dlq -- --help)`, exitCode: 2 };
  if (error instanceof CommandFailure) return { line: error.message, exitCode: error.exitCode };
  if (error instanceof DeadLetterError) return { line: error.message, exitCode: 1 };
  const { code, message = String(error) } = error as { code?: unknown; message?: string };
  const line = broker ? explainBrokerFailure(String(code), message, broker) : undefined;
  return {
    line: line ?? `unexpected failure: ${message} (nothing was acknowledged; DLQ_DEBUG=1 shows where it happened)`,
    exitCode: 1,
  };
}

function explainBrokerFailure(code: string, message: string, broker: BrokerAddress): string | undefined {
  const at = `RabbitMQ at ${broker.hostPort}`;
  if (NETWORK_CODES.has(code) || /socket timeout|connect ETIMEDOUT/i.test(message)) {
    return `cannot reach ${at} (${code !== 'undefined' ? code : message}): start it, or set AMQP_URL to your broker's URL`;
  }
  // Something else answers there: an HTTP server (amqplib reads its reply as a giant frame), or
  // one that hangs up on the AMQP greeting, such as PostgreSQL.
  if (/exceeds maxFrameSize|Socket closed abruptly during opening handshake/.test(message)) {
    return (
      `${broker.hostPort} does not speak AMQP (${message}): set AMQP_URL to RabbitMQ's AMQP port, ` +
      '5672 by default (15672 is its management API)'
    );
  }
  if (/Handshake terminated by server: 403|ACCESS.REFUSED - Login was refused/.test(message)) {
    return `${at} refused the login of user '${broker.user}': check the user and password in AMQP_URL`;
  }
  // amqplib reports a refused vhost only as an unexpected close during the handshake.
  if (/Expected ConnectionOpenOk/.test(message)) {
    return (
      `${at} would not open vhost '${broker.vhost}' for user '${broker.user}' (no such vhost, or no permission ` +
      `on it): put the right vhost in AMQP_URL's path (e.g. amqp://host:5672/shopflow) or grant the user access`
    );
  }
  if (/ACCESS.REFUSED/.test(message)) {
    return (
      `${at} refused an operation to user '${broker.user}' (${brokerText(message)}): use a user that may read the ` +
      `service's dead-letter queue and write to its retry exchange, e.g. the service's own user or an administrator`
    );
  }
  if (/Connection closed|Channel closed|CONNECTION_FORCED|ECONNRESET/.test(message) || code === 'ECONNRESET') {
    return `${at} closed the connection (${brokerText(message)}): run the command again once the broker is back; nothing unconfirmed was acknowledged`;
  }
  return undefined;
}

/** The broker's explanation inside amqplib's message, e.g. `ACCESS_REFUSED - access to queue …`. */
function brokerText(message: string): string {
  return /with message "([^"]+)"/.exec(message)?.[1] ?? message;
}
