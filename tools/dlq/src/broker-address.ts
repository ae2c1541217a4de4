import { vhostOf } from '@shopflow/messaging';
import { UsageError } from './command-line';

export const DEFAULT_AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

/** The broker from AMQP_URL, and how to name it in a message: never with its password. */
export interface BrokerAddress {
  url: string;
  hostPort: string;
  user: string;
  vhost: string;
}

export function brokerAddress(env: Readonly<Record<string, string | undefined>>): BrokerAddress {
  // A cluster's list, as the services take it: any node serves every queue, so the first will do
  // (put a reachable one first when a node is down).
  const url = env['AMQP_URL']?.split(',')[0]?.trim() || DEFAULT_AMQP_URL;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`AMQP_URL is not a URL: set it like amqp://user:password@host:5672/vhost`);
  }
  if (parsed.protocol !== 'amqp:' && parsed.protocol !== 'amqps:') {
    throw new UsageError(`AMQP_URL must start with amqp:// or amqps://, not ${parsed.protocol}//`);
  }
  const defaultPort = parsed.protocol === 'amqps:' ? '5671' : '5672';
  return {
    url,
    hostPort: `${parsed.hostname}:${parsed.port || defaultPort}`,
    user: decodeURIComponent(parsed.username) || 'guest',
    vhost: vhostOf(url),
  };
}
