const DEFAULT_URL = 'http://guest:guest@127.0.0.1:15672';

/** The management API of the test broker: RABBITMQ_MANAGEMENT_URL, credentials in it. */
export const defaultManagementUrl = (): string => process.env['RABBITMQ_MANAGEMENT_URL'] ?? DEFAULT_URL;

/**
 * Calls the RabbitMQ management HTTP API at `baseUrl` (the test broker's by default, see
 * defaultManagementUrl; credentials in it).
 * fetch() refuses URLs with credentials, so they move into a Basic auth header.
 * Throws on errors other than 404, which callers often expect (already deleted, not created yet).
 */
export async function management(
  method: 'GET' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  baseUrl: string = defaultManagementUrl(),
): Promise<{ status: number; body: unknown }> {
  const base = new URL(baseUrl);
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`);
  base.username = '';
  base.password = '';
  const response = await fetch(new URL(`api${path}`, base.href.replace(/\/?$/, '/')), {
    method,
    headers: {
      authorization: `Basic ${auth.toString('base64')}`,
      'content-type': 'application/json',
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok && response.status !== 404) {
    throw new Error(`RabbitMQ management ${method} ${path}: ${response.status} ${await response.text()}`);
  }
  const text = await response.text();
  return {
    status: response.status,
    body: response.ok && text ? JSON.parse(text) : undefined,
  };
}

/** Path segment: vhost and object names may contain '/' (the default vhost is literally "/"). */
export const seg = (name: string) => encodeURIComponent(name);
