import { createEvent, InventoryReservationFailedV1, PaymentFailedV1, PaymentSucceededV1 } from '@shopflow/events';
import { type SagaOrder } from './order';
import {
  advanceSaga,
  applyFact,
  factOf,
  isFinal,
  newOrderState,
  type OrderState,
  type Outcome,
  type SagaFact,
} from './order-state';

const reserved: SagaFact = { kind: 'inventory-reserved' };
const outOfStock: SagaFact = { kind: 'inventory-reservation-failed', reason: 'out_of_stock' };
const unknownItem: SagaFact = { kind: 'inventory-reservation-failed', reason: 'unknown_item' };
const paid: SagaFact = { kind: 'payment-succeeded' };
const declined: SagaFact = { kind: 'payment-failed', reason: 'declined' };
const noFunds: SagaFact = { kind: 'payment-failed', reason: 'insufficient_funds' };
const deadline: SagaFact = { kind: 'deadline-passed' };
const ALL_FACTS = [reserved, outOfStock, unknownItem, paid, declined, noFunds, deadline];

/** Applies facts in turn; returns the final state and every outcome announced on the way. */
function run(facts: SagaFact[], from: OrderState = newOrderState()) {
  const outcomes: Outcome[] = [];
  let state = from;
  for (const fact of facts) {
    const transition = applyFact(state, fact);
    state = transition.state;
    if (transition.outcome.kind !== 'none') outcomes.push(transition.outcome);
  }
  return { state, outcomes };
}

function sequences(length: number): SagaFact[][] {
  if (length === 0) return [[]];
  return sequences(length - 1).flatMap((prefix) => ALL_FACTS.map((fact) => [...prefix, fact]));
}

describe('order state machine', () => {
  it('starts PENDING with both participants pending and no reason', () => {
    expect(newOrderState()).toEqual({ status: 'PENDING', inventory: 'pending', payment: 'pending', reason: null });
    expect(isFinal(newOrderState())).toBe(false);
  });

  it('stays PENDING on one success and announces nothing', () => {
    expect(applyFact(newOrderState(), reserved)).toEqual({
      state: { status: 'PENDING', inventory: 'reserved', payment: 'pending', reason: null },
      outcome: { kind: 'none' },
    });
    expect(applyFact(newOrderState(), paid)).toEqual({
      state: { status: 'PENDING', inventory: 'pending', payment: 'succeeded', reason: null },
      outcome: { kind: 'none' },
    });
  });

  it.each([
    ['reserved then paid', [reserved, paid]],
    ['paid then reserved', [paid, reserved]],
  ])('confirms once both succeeded, in either order (%s)', (_name, facts) => {
    expect(run(facts)).toEqual({
      state: { status: 'CONFIRMED', inventory: 'reserved', payment: 'succeeded', reason: null },
      outcomes: [{ kind: 'confirmed' }],
    });
  });

  it.each([
    [outOfStock, 'out_of_stock', { inventory: 'failed', payment: 'pending' }],
    [unknownItem, 'unknown_item', { inventory: 'failed', payment: 'pending' }],
    [declined, 'payment_declined', { inventory: 'pending', payment: 'failed' }],
    [noFunds, 'insufficient_funds', { inventory: 'pending', payment: 'failed' }],
    [deadline, 'timeout', { inventory: 'pending', payment: 'pending' }],
  ] as const)('cancels at once on %j with reason %s', (fact, reason, participants) => {
    expect(applyFact(newOrderState(), fact)).toEqual({
      state: { status: 'CANCELLED', reason, ...participants },
      outcome: { kind: 'cancelled', reason },
    });
  });

  it('cancels on a failure even after the other participant succeeded', () => {
    expect(run([paid, outOfStock])).toEqual({
      state: { status: 'CANCELLED', inventory: 'failed', payment: 'succeeded', reason: 'out_of_stock' },
      outcomes: [{ kind: 'cancelled', reason: 'out_of_stock' }],
    });
    expect(run([reserved, declined]).outcomes).toEqual([{ kind: 'cancelled', reason: 'payment_declined' }]);
  });

  it('records a late success after a cancellation but announces nothing (the participant undoes it itself)', () => {
    expect(run([outOfStock, paid])).toEqual({
      state: { status: 'CANCELLED', inventory: 'failed', payment: 'succeeded', reason: 'out_of_stock' },
      outcomes: [{ kind: 'cancelled', reason: 'out_of_stock' }],
    });
    expect(run([deadline, reserved, paid])).toEqual({
      state: { status: 'CANCELLED', inventory: 'reserved', payment: 'succeeded', reason: 'timeout' },
      outcomes: [{ kind: 'cancelled', reason: 'timeout' }],
    });
  });

  it('keeps the reason of the first failure when both participants fail', () => {
    expect(run([declined, unknownItem]).state).toMatchObject({ status: 'CANCELLED', reason: 'payment_declined' });
    expect(run([unknownItem, declined]).state).toMatchObject({ status: 'CANCELLED', reason: 'unknown_item' });
  });

  it('does not time out an order that is already final', () => {
    expect(run([reserved, paid, deadline]).state.status).toBe('CONFIRMED');
    expect(run([noFunds, deadline]).state.reason).toBe('insufficient_funds');
  });

  it('settles a participant with its first report: a contradicting later report changes nothing', () => {
    const afterReserved = run([reserved]).state;
    const contradicted = applyFact(afterReserved, outOfStock);
    expect(contradicted.state).toBe(afterReserved);
    expect(contradicted.outcome).toEqual({ kind: 'none' });
    expect(run([declined, paid]).state.payment).toBe('failed');
  });

  it('is unchanged, as the same object, by a repeated report', () => {
    const state = run([reserved]).state;
    expect(applyFact(state, reserved)).toEqual({ state, outcome: { kind: 'none' } });
    expect(applyFact(state, reserved).state).toBe(state);
  });

  describe('over every sequence of up to four facts', () => {
    const all = [1, 2, 3, 4].flatMap(sequences);

    it('announces at most one outcome, and only the one matching the final status', () => {
      for (const facts of all) {
        const { state, outcomes } = run(facts);
        expect(outcomes.length).toBeLessThanOrEqual(1);
        const [outcome] = outcomes;
        if (state.status === 'PENDING') expect(outcome).toBeUndefined();
        if (state.status === 'CONFIRMED') expect(outcome).toEqual({ kind: 'confirmed' });
        if (state.status === 'CANCELLED') expect(outcome).toEqual({ kind: 'cancelled', reason: state.reason });
      }
    });

    it('never leaves a final status', () => {
      for (const facts of all) {
        let state = newOrderState();
        for (const fact of facts) {
          const next = applyFact(state, fact).state;
          if (isFinal(state)) expect(next.status).toBe(state.status);
          if (isFinal(state)) expect(next.reason).toBe(state.reason);
          state = next;
        }
      }
    });

    it('confirms exactly when both first reports succeeded before any failure or deadline', () => {
      for (const facts of all) {
        const firstInventory = facts.find((f) => f.kind.startsWith('inventory'));
        const firstPayment = facts.find((f) => f.kind.startsWith('payment'));
        const deadlineAt = facts.indexOf(deadline);
        const decidedAt = Math.max(facts.indexOf(firstInventory!), facts.indexOf(firstPayment!));
        const confirms =
          firstInventory === reserved && firstPayment === paid && (deadlineAt === -1 || deadlineAt > decidedAt);
        expect(run(facts).state.status === 'CONFIRMED').toBe(confirms);
      }
    });

    it('reaches the same status whatever the order of one report from each participant', () => {
      for (const inventory of [reserved, outOfStock, unknownItem]) {
        for (const payment of [paid, declined, noFunds]) {
          expect(run([inventory, payment]).state.status).toBe(run([payment, inventory]).state.status);
        }
      }
    });
  });
});

const order: SagaOrder = {
  id: '0193a0a4-7b1e-7c3d-8e9f-0a1b2c3d4e5f',
  customerId: 'ada',
  email: 'ada@example.com',
  total: { amount: 2500, currency: 'EUR' },
  correlationId: 'corr-1',
  state: { ...newOrderState(), inventory: 'reserved' },
  placedAt: new Date('2026-12-07T10:00:00Z'),
};
const paymentSucceeded = createEvent(
  PaymentSucceededV1,
  { orderId: order.id, paymentId: '0193a0a4-7b1e-7c3d-8e9f-0a1b2c3d4e60', amount: order.total },
  { source: 'payment-service', correlationId: 'corr-1' },
);
const reportedAt = new Date('2026-12-07T10:00:01Z');

describe('advancing an order saga (advanceSaga)', () => {
  it('confirms the order on the deciding report: new state, both timeline entries, order.confirmed caused by the report, the finished saga', () => {
    const step = advanceSaga(
      order,
      factOf(paymentSucceeded),
      { source: 'order-service', causedBy: paymentSucceeded },
      reportedAt,
    );
    expect(step.state).toEqual({ status: 'CONFIRMED', inventory: 'reserved', payment: 'succeeded', reason: null });
    expect(step.entries.map((entry) => entry.step)).toEqual(['payment-succeeded', 'confirmed']);
    expect(step.entries[0]!.at).toEqual(reportedAt);
    expect(step.events).toHaveLength(1);
    expect(step.events[0]).toMatchObject({
      type: 'order.confirmed',
      causationId: paymentSucceeded.id,
      correlationId: 'corr-1',
      payload: { orderId: order.id, customerId: 'ada', total: order.total },
    });
    expect(step.finished).toEqual({ outcome: 'confirmed', placedAt: order.placedAt, finishedAt: step.entries[1]!.at });
  });

  it('saves only the report while the saga is undecided: no event, nothing finished', () => {
    const pending = { ...order, state: newOrderState() };
    const step = advanceSaga(
      pending,
      factOf(paymentSucceeded),
      { source: 'order-service', causedBy: paymentSucceeded },
      reportedAt,
    );
    expect(step).toEqual({
      state: { ...newOrderState(), payment: 'succeeded' },
      entries: [{ step: 'payment-succeeded', at: reportedAt, detail: null }],
      events: [],
    });
  });

  it('leaves the order row alone for a report from a participant already settled, but keeps it on the timeline', () => {
    const settled = {
      ...order,
      state: { ...order.state, status: 'CONFIRMED' as const, payment: 'succeeded' as const },
    };
    const step = advanceSaga(
      settled,
      factOf(paymentSucceeded),
      { source: 'order-service', causedBy: paymentSucceeded },
      reportedAt,
    );
    expect(step).toEqual({
      state: undefined,
      entries: [{ step: 'payment-succeeded', at: reportedAt, detail: null }],
      events: [],
    });
  });

  it("cancels a timed-out order with no report entry, correlated by the order's own flow", () => {
    const pending = { ...order, state: newOrderState() };
    const step = advanceSaga(
      pending,
      { kind: 'deadline-passed' },
      { source: 'order-service', correlationId: 'corr-1' },
      reportedAt,
    );
    expect(step.entries.map((entry) => [entry.step, entry.detail])).toEqual([['cancelled', 'timeout']]);
    expect(step.events[0]).toMatchObject({
      type: 'order.cancelled',
      correlationId: 'corr-1',
      payload: { reason: 'timeout' },
    });
    expect(step.finished?.outcome).toBe('cancelled');
  });
});

describe('the fact a report states (factOf)', () => {
  it('reads each participant report as its fact, with its reason', () => {
    const origin = { source: 'test', correlationId: 'c' };
    expect(factOf(paymentSucceeded)).toEqual({ kind: 'payment-succeeded' });
    expect(
      factOf(
        createEvent(PaymentFailedV1, { orderId: order.id, reason: 'insufficient_funds', amount: order.total }, origin),
      ),
    ).toEqual({ kind: 'payment-failed', reason: 'insufficient_funds' });
    expect(
      factOf(
        createEvent(
          InventoryReservationFailedV1,
          { orderId: order.id, reason: 'out_of_stock', items: [{ sku: 'SKU-1', requested: 2, available: 1 }] },
          origin,
        ),
      ),
    ).toEqual({ kind: 'inventory-reservation-failed', reason: 'out_of_stock' });
  });
});
