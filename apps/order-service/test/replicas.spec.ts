import { eventually } from '@shopflow/testing';
import { OrderServiceUnderTest, orderRequest, paymentSucceeded, reserved, type Placed } from './harness';

jest.setTimeout(30_000);

describe('two replicas handling the same orders', () => {
  let service: OrderServiceUnderTest;

  beforeAll(async () => {
    service = await OrderServiceUnderTest.start('order_replicas');
    await service.startReplica();
    await service.seedCatalog({ sku: 'TSHIRT-M', price: 1999 });
  });

  afterAll(() => service?.stop());

  it('confirms each order exactly once when its two reports are handled at the same time', async () => {
    const placed: Placed[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await service.request('POST', '/orders', orderRequest({ customerId: 'cust-replicas' }));
      placed.push(await service.placedEvent(res.body.id));
    }
    const reports = placed.flatMap((p) => [reserved(p), paymentSucceeded(p)]);
    await service.publish(...reports);

    await eventually(
      async () => {
        const { rows } = await service.sql.query<{ count: string }>(
          'SELECT count(*) FROM inbox_events WHERE event_id = ANY($1::uuid[])',
          [reports.map((r) => r.id)],
        );
        return Number(rows[0]!.count) === reports.length;
      },
      { message: 'every report handled' },
    );
    for (const p of placed) {
      const { body } = await service.request('GET', `/orders/${p.payload.orderId}`);
      expect(body).toMatchObject({ status: 'CONFIRMED', reason: null });
      expect(await service.emitted('order.confirmed', p.payload.orderId)).toBe(1);
    }
  });
});
