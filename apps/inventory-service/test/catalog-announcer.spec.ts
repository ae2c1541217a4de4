import { InventoryProductUpdatedV1 } from '@shopflow/events';
import { createTestDatabase, createTestVhost, type TestDatabase, type TestVhost } from '@shopflow/testing';
import { DEMO_CATALOG } from '../src/domain/demo-catalog';
import { startService, type RunningService } from '../src/service';
import { inventoryTap, PRISMA_CONFIG, recordingLogger, testConfig } from './harness';

describe('inventory-service catalog announcements', () => {
  let db: TestDatabase;
  let vhost: TestVhost;
  let service: RunningService;

  beforeAll(async () => {
    [db, vhost] = await Promise.all([
      createTestDatabase({ prefix: 'inventory_announce', prismaConfig: PRISMA_CONFIG }),
      createTestVhost('inventory-announce'),
    ]);
    service = await startService(
      testConfig({ database: db.url, amqp: vhost.url }, { SEED_CATALOG: true, CATALOG_ANNOUNCE_INTERVAL_MS: 300 }),
      recordingLogger().logger,
    );
  });

  afterAll(async () => {
    await service?.stop();
    await vhost?.drop();
    await db?.drop();
  });

  it('reaches a consumer whose queue did not exist when the service started', async () => {
    // Bound only now: the announcement made at start went nowhere for this queue.
    const lateConsumer = await inventoryTap(vhost.url);
    try {
      for (const product of DEMO_CATALOG) {
        await lateConsumer.waitFor(InventoryProductUpdatedV1, (event) => event.payload.sku === product.sku);
      }
    } finally {
      await lateConsumer.close();
    }
  });
});
