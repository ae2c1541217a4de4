import { freePort } from './free-port';
import { checkInfrastructure, MissingInfrastructure } from './infrastructure-check';

const database = process.env['TEST_DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const amqp = process.env['TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672';

describe('checkInfrastructure', () => {
  it('passes when PostgreSQL, RabbitMQ and its management API answer', async () => {
    await expect(checkInfrastructure({ database, amqp })).resolves.toBeUndefined();
  });

  it('names the first missing piece, hides its password and says how to fix it, in one line', async () => {
    const nobody = await freePort();
    const cases: [Parameters<typeof checkInfrastructure>[0], RegExp][] = [
      [
        { database: `postgresql://postgres:s3cret@127.0.0.1:${nobody}/postgres`, amqp },
        /^PostgreSQL does not answer at postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres \(ECONNREFUSED\): start it .*TEST_DATABASE_URL$/,
      ],
      [{ database, amqp: `amqp://guest:guest@127.0.0.1:${nobody}` }, /^RabbitMQ does not answer at .*TEST_AMQP_URL$/],
      [
        { database, amqp, management: `http://guest:guest@127.0.0.1:${nobody}` },
        /^RabbitMQ's management API does not answer .*rabbitmq-plugins enable rabbitmq_management.*RABBITMQ_MANAGEMENT_URL$/,
      ],
    ];
    await expectOneLine(cases);
  });

  it('tells a refused login or a missing database from a service that is down: the fix is in the URL', async () => {
    const managementUrl = new URL(process.env['RABBITMQ_MANAGEMENT_URL'] ?? 'http://guest:guest@127.0.0.1:15672');
    managementUrl.username = 'nobody';
    managementUrl.password = 's3cret';
    const rabbit = new URL(amqp);
    rabbit.username = 'nobody';
    rabbit.password = 's3cret';
    await expectOneLine([
      [
        { database: database.replace(/\/[^/]*$/, '/no_such_database_here'), amqp },
        /^PostgreSQL at .* has no such database .*: fix TEST_DATABASE_URL/,
      ],
      [
        { database: withUser(database, 'no_such_role_here'), amqp },
        /^PostgreSQL at .* refuses the login .*: fix TEST_DATABASE_URL/,
      ],
      [{ database, amqp: rabbit.toString() }, /^RabbitMQ at .* refuses the login: fix TEST_AMQP_URL/],
      [
        { database, amqp, management: managementUrl.toString() },
        /^RabbitMQ's management API at .* refuses the login: .*RABBITMQ_MANAGEMENT_URL$/,
      ],
    ]);
  });
});

function withUser(url: string, user: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = 's3cret';
  return parsed.toString();
}

async function expectOneLine(cases: [Parameters<typeof checkInfrastructure>[0], RegExp][]): Promise<void> {
  for (const [urls, message] of cases) {
    const error = await checkInfrastructure(urls).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingInfrastructure);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toMatch(/s3cret|\n/);
  }
}
