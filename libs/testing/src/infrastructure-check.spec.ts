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
    for (const [urls, message] of cases) {
      const error = await checkInfrastructure(urls).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MissingInfrastructure);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).not.toMatch(/s3cret|\n/);
    }
  });
});
