// What `npm test` runs before any test: PostgreSQL, RabbitMQ and its management API must answer
// (TEST_DATABASE_URL, TEST_AMQP_URL, RABBITMQ_MANAGEMENT_URL), or one line says which does not and
// how to fix it, instead of hundreds of tests failing one by one with `fetch failed`.
import { checkInfrastructure, MissingInfrastructure } from '@shopflow/testing';

checkInfrastructure().then(
  () => process.exit(0),
  (error: unknown) => {
    if (!(error instanceof MissingInfrastructure)) throw error;
    console.error(`npm test: ${error.message}`);
    process.exit(1);
  },
);
