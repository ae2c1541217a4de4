import amqplib from 'amqplib';
import pg from 'pg';
import { defaultManagementUrl, management } from './rabbitmq-management';

/** What the machine lacks for a tool to run: its message is the one line that says what and how to fix it. */
export class MissingInfrastructure extends Error {
  override readonly name = 'MissingInfrastructure';
}

const START_THEM = 'start it (bash tools/dev/ensure-services.sh starts whichever is installed and stopped)';

/** Hides the password of a URL in a message. */
function shown(url: string): string {
  if (!URL.canParse(url)) return url;
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

const reason = (error: unknown) =>
  (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code ?? String(error);

/** PostgreSQL answered but would not let this URL in: a wrong role or password, or no such database. */
function postgresRefusal(url: string, error: unknown): string | undefined {
  const { code, message } = error as { code?: string; message?: string };
  const fix = 'fix TEST_DATABASE_URL (user, password, database)';
  if (code === '28P01' || code === '28000') return `PostgreSQL at ${shown(url)} refuses the login (${message}): ${fix}`;
  if (code === '3D000') return `PostgreSQL at ${shown(url)} has no such database (${message}): ${fix}`;
  return undefined;
}

/** RabbitMQ answered but refused the connection: wrong credentials, or a vhost the user may not use. */
function amqpRefusal(url: string, error: unknown): string | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const fix = 'fix TEST_AMQP_URL (user, password, vhost)';
  if (/ACCESS[-_]REFUSED|\b403\b/.test(message)) return `RabbitMQ at ${shown(url)} refuses the login: ${fix}`;
  if (/NOT[-_]ALLOWED|\b530\b/.test(message)) return `RabbitMQ at ${shown(url)} refuses the vhost: ${fix}`;
  return undefined;
}

/**
 * Checks, before a tool starts anything, that PostgreSQL (TEST_DATABASE_URL), RabbitMQ
 * (TEST_AMQP_URL) and its management API (RABBITMQ_MANAGEMENT_URL) answer; throws a
 * MissingInfrastructure naming the first that does not and what to do about it.
 */
export async function checkInfrastructure(
  urls: { database: string; amqp: string; management?: string } = {
    database: process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    amqp: process.env['TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672',
  },
): Promise<void> {
  const client = new pg.Client({ connectionString: urls.database, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    const refused = postgresRefusal(urls.database, error);
    if (refused) throw new MissingInfrastructure(refused);
    throw new MissingInfrastructure(
      `PostgreSQL does not answer at ${shown(urls.database)} (${reason(error)}): ${START_THEM}, or set TEST_DATABASE_URL`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  try {
    await (await amqplib.connect(urls.amqp, { timeout: 3000 })).close();
  } catch (error) {
    const refused = amqpRefusal(urls.amqp, error);
    if (refused) throw new MissingInfrastructure(refused);
    throw new MissingInfrastructure(
      `RabbitMQ does not answer at ${shown(urls.amqp)} (${reason(error)}): ${START_THEM}, or set TEST_AMQP_URL`,
    );
  }
  const managementUrl = urls.management ?? defaultManagementUrl();
  // The failure itself, not `instanceof Error`: fetch's errors come from another realm under Jest.
  const failure = await management('GET', '/overview', undefined, {}, managementUrl).then(
    () => undefined,
    (error: unknown) => error ?? 'failed',
  );
  if (failure !== undefined && /: 401 /.test(String((failure as { message?: string }).message))) {
    throw new MissingInfrastructure(
      `RabbitMQ's management API at ${shown(managementUrl)} refuses the login: fix the user or password in RABBITMQ_MANAGEMENT_URL`,
    );
  }
  if (failure !== undefined) {
    throw new MissingInfrastructure(
      `RabbitMQ's management API does not answer at ${shown(managementUrl)} (${reason(failure)}): enable it ` +
        '(rabbitmq-plugins enable rabbitmq_management, or bash tools/dev/ensure-services.sh), or set RABBITMQ_MANAGEMENT_URL',
    );
  }
}
