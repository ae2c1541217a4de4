import { startGatewaySimulator, type GatewaySimulator } from '../src';

describe('gateway simulator over HTTP', () => {
  let simulator: GatewaySimulator;
  beforeEach(async () => (simulator = await startGatewaySimulator()));
  afterEach(() => simulator.close());

  const post = async (path: string, key: string | undefined, body: unknown, signal?: AbortSignal) => {
    const res = await fetch(`${simulator.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key && { 'idempotency-key': key }) },
      body: JSON.stringify(body),
      signal,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const chargeBody = (source: string, orderId = 'o-1') => ({
    amount: 2500,
    currency: 'EUR',
    source,
    metadata: { orderId },
  });

  it('charges tok_ok once per idempotency key, answering a repeat with the first answer', async () => {
    const first = await post('/v1/charges', 'k-1', chargeBody('tok_ok'));
    expect(first).toMatchObject({ status: 200, body: { status: 'succeeded', id: expect.stringMatching(/^ch_/) } });
    const again = await post('/v1/charges', 'k-1', chargeBody('tok_ok'));
    expect(again).toEqual(first);
    expect(simulator.charges()).toHaveLength(1);
    const listed = (await fetch(`${simulator.url}/v1/charges?order_id=o-1`).then((r) => r.json())) as {
      data: unknown[];
    };
    expect(listed.data).toMatchObject([{ id: first.body['id'], amount: 2500, orderId: 'o-1' }]);
  });

  it('charges the same key only once when the requests overlap', async () => {
    const answers = await Promise.all([1, 2, 3].map(() => post('/v1/charges', 'k-race', chargeBody('tok_ok'))));
    expect(new Set(answers.map((a) => a.body['id'])).size).toBe(1);
    expect(simulator.charges()).toHaveLength(1);
  });

  it.each([
    ['tok_declined', 'card_declined'],
    ['tok_insufficient_funds', 'insufficient_funds'],
    ['tok_unknown', 'card_declined'],
  ])('declines %s with 402 %s and charges nothing', async (token, code) => {
    const answer = await post('/v1/charges', `k-${token}`, chargeBody(token));
    expect(answer).toEqual({ status: 402, body: { error: { type: 'card_error', code } } });
    expect(simulator.charges()).toHaveLength(0);
  });

  it('refunds a charge once per key, and refuses a second refund of it', async () => {
    const charge = await post('/v1/charges', 'k-2', chargeBody('tok_ok'));
    const refund = await post('/v1/refunds', 'r-1', { charge: charge.body['id'] });
    expect(refund).toMatchObject({ status: 200, body: { status: 'succeeded', id: expect.stringMatching(/^re_/) } });
    expect(await post('/v1/refunds', 'r-1', { charge: charge.body['id'] })).toEqual(refund);
    expect(await post('/v1/refunds', 'r-other', { charge: charge.body['id'] })).toMatchObject({ status: 400 });
    expect(simulator.refunds()).toHaveLength(1);
    expect(await post('/v1/refunds', 'r-2', { charge: 'ch_nope' })).toMatchObject({ status: 404 });
  });

  it('refuses a request without a key, a bad body, and a key reused for another request', async () => {
    expect((await post('/v1/charges', undefined, chargeBody('tok_ok'))).status).toBe(400);
    expect((await post('/v1/charges', 'k-3', { ...chargeBody('tok_ok'), amount: 1.5 })).status).toBe(400);
    await post('/v1/charges', 'k-4', chargeBody('tok_ok'));
    expect(await post('/v1/charges', 'k-4', { ...chargeBody('tok_ok'), amount: 99 })).toMatchObject({
      status: 400,
      body: { error: { code: 'idempotency_error' } },
    });
    expect(simulator.charges()).toHaveLength(1);
  });

  it('answers an outage with 503 and does nothing, so a retry with the same key charges', async () => {
    simulator.configure({ failureRate: 1 });
    expect((await post('/v1/charges', 'k-5', chargeBody('tok_ok'))).status).toBe(503);
    expect(simulator.charges()).toHaveLength(0);
    simulator.configure({ failureRate: 0 });
    expect((await post('/v1/charges', 'k-5', chargeBody('tok_ok'))).status).toBe(200);
    expect(simulator.charges()).toHaveLength(1);
  });

  it('carries out a request it then withholds the answer of: the retry with the key learns it', async () => {
    simulator.configure({ timeoutRate: 1, hangMs: 60_000 });
    await expect(post('/v1/charges', 'k-6', chargeBody('tok_ok'), AbortSignal.timeout(300))).rejects.toThrow();
    expect(simulator.charges()).toHaveLength(1);
    simulator.configure({ timeoutRate: 0 });
    const retry = await post('/v1/charges', 'k-6', chargeBody('tok_ok'));
    expect(retry).toMatchObject({ status: 200, body: { id: simulator.charges()[0]!.id } });
    expect(simulator.charges()).toHaveLength(1);
  });

  it('changes its latency while it runs (PUT /simulator/settings)', async () => {
    const res = await fetch(`${simulator.url}/simulator/settings`, {
      method: 'PUT',
      body: JSON.stringify({ latency: { p50Ms: 200, p99Ms: 200 } }),
    });
    expect(res.status).toBe(200);
    const started = Date.now();
    await post('/v1/charges', 'k-7', chargeBody('tok_ok'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});
