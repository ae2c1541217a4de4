import { countMessages, eventually, sampleValue, scrapeMetrics } from '@shopflow/testing';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Api, customerCaller, type Order } from './support/api';
import { startClusterInfrastructure } from './support/cluster-infrastructure';
import { cluster, NODES, type NodeNumber, type QuorumQueue } from './support/rabbitmq-cluster';
import { SERVICES, System, type ServiceName } from './support/system';

/** Orders per second offered to order-service (alternating between its two replicas). */
const RATE = 10;
/** A bound on the load, whatever happens: 3 minutes' worth. */
const MAX_ORDERS = RATE * 180;
/** Units of the scarce product: the orders that want one run out of it during the run. */
const SCARCE_STOCK = 60;
const PLENTY_STOCK = 10_000;
/** Attempts of one order, with the same Idempotency-Key, when the answer is an error or none. */
const ATTEMPTS = 5;
/** Orders placed after an event that must be final before the run moves on: progress. */
const PROGRESS = 20;
/** The same while a node is down: the system works on two nodes for a while, not only for a moment. */
const PROGRESS_WHILE_DOWN = 50;
/** How long the system may go without that progress: under the orders' own 60 s timeout. */
const PROGRESS_DEADLINE_MS = 45_000;

const queueOf = (service: ServiceName) => `${service}.events`;
const deadLetterQueueOf = (service: ServiceName) => `${service}.dead-letter`;

/** One order the load tried to place, and what the API answered. */
interface Attempt {
  n: number;
  sentAt: number;
  token: 'tok_ok' | 'tok_declined';
  scarce: boolean;
  email: string;
  outcome: 'accepted' | 'refused' | 'failed' | 'in flight';
  orderId?: string;
  /** Answers other than 201 and a first 503, and requests that got no answer; each was retried. */
  errors: { at: number; what: string }[];
}

/**
 * Issue 18: the four services, two replicas each, on a three-node RabbitMQ cluster (every queue a
 * quorum queue), with orders arriving at a steady rate. The node that leads most of the services'
 * queues is killed with SIGKILL and brought back; then another node is stopped and started again.
 * Nothing may be lost or done twice, and the system must keep finishing orders while a node is down.
 */
describe('the system on a three-node RabbitMQ cluster that loses nodes', () => {
  let system: System;
  let api: Api;
  /** While true the test's load and watch go on; afterAll ends them if the test failed midway. */
  let loadRunning = false;

  beforeAll(async () => {
    system = await System.startOn(await startClusterInfrastructure());
    for (const service of SERVICES) await system.startService(service);
    api = new Api(system);
  }, 300_000);

  afterAll(async () => {
    loadRunning = false;
    // Brings back any node a failed test left down, then removes the vhost and databases.
    await system?.close();
  }, 300_000);

  it('kill -9 of the queues’ leader node, then a restart of another: every order final, none charged twice, nothing oversold, no e-mail lost', async () => {
    const vhost = system.vhost.name;
    const plenty = await api.newProduct(PLENTY_STOCK, 900);
    const scarce = await api.newProduct(SCARCE_STOCK, 2500);
    const customerId = `cluster-${randomUUID().slice(0, 8)}`;
    const orderUrls = system.replicas('order-service').map((r) => r.url);
    expect(orderUrls).toHaveLength(2);

    // Every service's queue is a quorum queue on all three nodes.
    const queuesAtStart = await cluster.quorumQueues(vhost);
    for (const service of SERVICES) {
      expect(queuesAtStart.find((q) => q.name === queueOf(service))?.members.toSorted()).toEqual(
        NODES.map(cluster.nodeName),
      );
    }

    // The load: RATE orders a second, one in three wanting the scarce product, one in five declined.
    const attempts: Attempt[] = [];
    const answered: Promise<void>[] = [];
    loadRunning = true;
    const place = async (attempt: Attempt): Promise<void> => {
      const key = randomUUID();
      const body = JSON.stringify({
        customerId,
        email: attempt.email,
        items: [{ sku: plenty.sku, quantity: 1 }, ...(attempt.scarce ? [{ sku: scarce.sku, quantity: 1 }] : [])],
        paymentToken: attempt.token,
      });
      for (let i = 0; i < ATTEMPTS; i++) {
        // Alternate between the replicas; a retry goes to the other one, as behind a load balancer.
        const url = orderUrls[(attempt.n + i) % orderUrls.length]!;
        try {
          const res = await fetch(`${url}/orders`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'Idempotency-Key': key,
              ...(await api.authorization(customerCaller(customerId))),
            },
            body,
            signal: AbortSignal.timeout(10_000),
          });
          const text = await res.text();
          if (res.status === 201) {
            attempt.outcome = 'accepted';
            attempt.orderId = (JSON.parse(text) as Order).id;
            return;
          }
          // Refused by admission control: not accepted, nothing stored. (A 503 to a retry may follow
          // an attempt that was stored after all: retried like an error.)
          if (res.status === 503 && i === 0) {
            attempt.outcome = 'refused';
            return;
          }
          attempt.errors.push({ at: Date.now(), what: `${res.status} ${text.slice(0, 200)}` });
        } catch (error) {
          attempt.errors.push({ at: Date.now(), what: String(error) });
        }
        await delay(200 * (i + 1)); // the client's back-off before it retries
      }
      attempt.outcome = 'failed';
    };
    const loadDone = (async () => {
      const period = 1000 / RATE;
      const start = performance.now();
      for (let n = 0; loadRunning && n < MAX_ORDERS; n++) {
        const wait = start + n * period - performance.now();
        if (wait > 0) await delay(wait); // the load's pace
        const attempt: Attempt = {
          n,
          sentAt: Date.now(),
          token: n % 5 === 4 ? 'tok_declined' : 'tok_ok',
          scarce: n % 3 === 0,
          email: `buyer-${n}-${randomUUID().slice(0, 6)}@example.com`,
          outcome: 'in flight',
          errors: [],
        };
        attempts.push(attempt);
        answered.push(place(attempt));
      }
    })();

    // The scarce product, watched all along: never negative, never more reserved than in stock.
    const stockViolations: string[] = [];
    const watchDone = (async () => {
      for (let i = 0; loadRunning && i < 3000; i++) {
        try {
          const now = await api.product(scarce.sku);
          if (now.stock < 0 || now.reserved < 0 || now.reserved > now.stock)
            stockViolations.push(`stock ${now.stock}, reserved ${now.reserved}`);
        } catch {
          // A read that failed proves nothing either way; the next one counts.
        }
        await delay(200); // the watch's pace
      }
    })();

    /** Sagas finished (confirmed or cancelled), over both order-service replicas. */
    const finished = async () => {
      let total = 0;
      for (const url of orderUrls) {
        const metrics = await scrapeMetrics(url);
        for (const outcome of ['confirmed', 'cancelled'])
          total += sampleValue(metrics, 'shopflow_saga_duration_seconds_count', { outcome }) ?? 0;
      }
      return total;
    };
    /**
     * Waits until PROGRESS orders sent after `since` are final: the finished sagas outnumber every
     * order sent before it (accepted or not) by PROGRESS.
     */
    const progressSince = async (since: number, what: string, orders = PROGRESS) => {
      const before = attempts.filter((a) => a.sentAt < since).length;
      await eventually(async () => (await finished()) >= before + orders, {
        timeoutMs: PROGRESS_DEADLINE_MS,
        intervalMs: 250,
        message: `no ${orders} orders sent after ${what} were finished`,
      });
    };
    /** Every quorum queue of the vhost has all three members running again. */
    const allMembersOnline = (what: string) =>
      eventually(
        async () => {
          const queues = await cluster.quorumQueues(vhost);
          const short = queues.filter((q) => q.online.length < NODES.length).map((q) => q.name);
          if (short.length) throw new Error(`members offline in ${short.join(', ')}`);
        },
        { timeoutMs: 60_000, intervalMs: 500, message: `the queues' members did not all come back after ${what}` },
      );

    const runStart = Date.now();
    await progressSince(runStart, 'the start');

    // The node that leads most of the services' queues (order-service's decides a tie).
    const leaders = serviceQueueLeaders(await cluster.quorumQueues(vhost));
    const victim = mostLeading(leaders, NODES);
    const connectionsOnVictim = (await cluster.connectionsPerNode(vhost))[cluster.nodeName(victim)] ?? 0;
    const killedAt = Date.now();
    await cluster.killNode(victim);
    const survivors = NODES.filter((i) => i !== victim);
    // The system goes on on the two other nodes: orders placed after the kill finish while it is down.
    await progressSince(killedAt, `${cluster.nodeName(victim)} was killed`, PROGRESS_WHILE_DOWN);
    const leadersWhileDown = serviceQueueLeaders(await cluster.quorumQueues(vhost, survivors));
    await cluster.startNode(victim);
    const victimBackAt = Date.now();
    await allMembersOnline(`${cluster.nodeName(victim)} came back`);

    // Another node, the one that now leads most of the services' queues, stopped cleanly and restarted.
    const restarted = mostLeading(serviceQueueLeaders(await cluster.quorumQueues(vhost)), survivors);
    const stoppedAt = Date.now();
    await cluster.stopNode(restarted);
    await progressSince(stoppedAt, `${cluster.nodeName(restarted)} was stopped`, PROGRESS_WHILE_DOWN);
    await cluster.startNode(restarted);
    const restartedBackAt = Date.now();
    await allMembersOnline(`${cluster.nodeName(restarted)} came back`);
    await progressSince(restartedBackAt, `${cluster.nodeName(restarted)} came back`);

    loadRunning = false;
    await loadDone;
    await Promise.all(answered);
    await watchDone;
    const loadSeconds = (Date.now() - runStart) / 1000;

    // Every order got an answer. Errors (none expected: placing an order needs PostgreSQL only) are
    // tolerated only while a node is down or just back, and only if the client's retries with the same
    // key got an answer.
    expect(attempts.filter((a) => a.outcome === 'failed' || a.outcome === 'in flight')).toEqual([]);
    const disrupted = [
      [killedAt, victimBackAt + 5000],
      [stoppedAt, restartedBackAt + 5000],
    ] as const;
    const outsideDisruptions = attempts.flatMap((a) =>
      a.errors
        .filter((e) => !disrupted.some(([from, to]) => e.at >= from && e.at <= to))
        .map((e) => ({ n: a.n, ...e })),
    );
    expect(outsideDisruptions).toEqual([]);
    const accepted = attempts.filter((a) => a.outcome === 'accepted');
    const refused = attempts.filter((a) => a.outcome === 'refused');
    const retried = attempts.filter((a) => a.errors.length > 0);
    expect(accepted.length).toBeGreaterThan(0);

    // Every accepted order final, once each; no order the client was not told about.
    const orders = await eventually(
      async () => {
        const list = await ordersOf(orderUrls[0]!, customerId, await api.authorization(customerCaller(customerId)));
        const pending = list.filter((o) => o.status === 'PENDING');
        if (pending.length) throw new Error(`${pending.length} orders still PENDING, e.g. ${pending[0]!.id}`);
        return list;
      },
      { timeoutMs: 90_000, intervalMs: 1000, message: 'accepted orders reached no final state' },
    );
    expect(orders.map((o) => o.id).toSorted()).toEqual(accepted.map((a) => a.orderId!).toSorted());
    const byId = new Map(orders.map((o) => [o.id, o]));
    const confirmed = orders.filter((o) => o.status === 'CONFIRMED');
    const cancelled = orders.filter((o) => o.status === 'CANCELLED');
    const reasons = countBy(cancelled.map((o) => o.reason ?? 'none'));
    // Cancelled for what the customer did or the shop lacked, never for a saga that stalled (timeout).
    expect(Object.keys(reasons).filter((r) => r !== 'out_of_stock' && r !== 'payment_declined')).toEqual([]);
    for (const a of accepted) {
      const order = byId.get(a.orderId!)!;
      if (a.token === 'tok_declined') expect({ n: a.n, status: order.status }).toEqual({ n: a.n, status: 'CANCELLED' });
      if (a.token === 'tok_ok' && !a.scarce)
        expect({ n: a.n, status: order.status }).toEqual({ n: a.n, status: 'CONFIRMED' });
    }

    // No order charged twice; each confirmed order charged once and kept; every cancelled one's charge refunded.
    const gateway = system.gateway!;
    await eventually(
      async () => {
        const charges = await gatewayList<{ id: string; orderId?: string; refunded: boolean }>(
          `${gateway.url}/v1/charges`,
        );
        const perOrder = countBy(charges.map((c) => c.orderId ?? 'none'));
        const twice = Object.entries(perOrder).filter(([, n]) => n > 1);
        expect(twice).toEqual([]);
        for (const order of confirmed) {
          expect({
            order: order.id,
            kept: charges.filter((c) => c.orderId === order.id && !c.refunded).length,
          }).toEqual({
            order: order.id,
            kept: 1,
          });
        }
        const cancelledIds = new Set(cancelled.map((o) => o.id));
        const unrefunded = charges.filter((c) => c.orderId && cancelledIds.has(c.orderId) && !c.refunded);
        if (unrefunded.length) throw new Error(`${unrefunded.length} cancelled orders keep their charge`);
      },
      { timeoutMs: 30_000, intervalMs: 500, message: 'payments did not settle' },
    );

    // Nothing oversold: each product's stock is what it was less the units of the confirmed orders.
    const units = (sku: string) =>
      confirmed.flatMap((o) => o.items).reduce((sum, item) => sum + (item.sku === sku ? item.quantity : 0), 0);
    expect(units(scarce.sku)).toBeLessThanOrEqual(SCARCE_STOCK);
    await eventually(
      async () => {
        expect(await api.product(scarce.sku)).toMatchObject({ stock: SCARCE_STOCK - units(scarce.sku), reserved: 0 });
        expect(await api.product(plenty.sku)).toMatchObject({ stock: PLENTY_STOCK - units(plenty.sku), reserved: 0 });
      },
      { timeoutMs: 30_000, intervalMs: 500, message: 'stock did not settle' },
    );
    expect(stockViolations).toEqual([]);

    // No e-mail lost: each order's `order-received` and the one of its final state reached the relay.
    const expectedMails = orders.flatMap((o) => [
      `<${o.id}.order-received@shopflow>`,
      `<${o.id}.order-${o.status === 'CONFIRMED' ? 'confirmed' : 'cancelled'}@shopflow>`,
    ]);
    const mailsOf = () => countBy(system.smtp.messages.map((m) => m.messageId ?? 'none'));
    await eventually(
      () => {
        const got = mailsOf();
        const missing = expectedMails.filter((id) => !got[id]);
        if (missing.length) throw new Error(`${missing.length} e-mails missing, e.g. ${missing[0]}`);
      },
      { timeoutMs: 60_000, intervalMs: 500, message: 'e-mails were lost' },
    );
    const mails = mailsOf();
    const duplicateMails = expectedMails.reduce((sum, id) => sum + (mails[id] ?? 0) - 1, 0);

    // Nothing parked: every service's dead-letter queue is there and empty.
    for (const service of SERVICES) {
      const parked = await countMessages(system.vhost.url, deadLetterQueueOf(service));
      expect({ queue: deadLetterQueueOf(service), messages: parked?.messages }).toEqual({
        queue: deadLetterQueueOf(service),
        messages: 0,
      });
    }

    // Every replica ready: connected to the cluster again, its outbox drained.
    for (const service of SERVICES) {
      for (const replica of system.replicas(service)) {
        await eventually(async () => (await fetch(`${replica.url}/health/ready`)).status === 200, {
          timeoutMs: 30_000,
          message: `${service} replica on ${replica.url} is not ready`,
        });
      }
    }

    const completions = orders.map(finishedAt).toSorted((a, b) => a - b);
    const figures: [string, string][] = [
      ['orders offered', `${attempts.length} (${RATE}/s for ${loadSeconds.toFixed(0)} s)`],
      ['accepted', String(accepted.length)],
      ['refused (503, admission control)', String(refused.length)],
      ['retried by the client after an error', String(retried.length)],
      ['confirmed', String(confirmed.length)],
      [
        'cancelled',
        `${cancelled.length} (${Object.entries(reasons)
          .map(([r, n]) => `${r} ${n}`)
          .join(', ')})`,
      ],
      [
        `killed (kill -9)`,
        `${cluster.nodeName(victim)}: led ${describeLeaders(leaders, victim)}, held ${connectionsOnVictim} connections`,
      ],
      ['  leaders while it was down', describeAll(leadersWhileDown)],
      ['  s without progress after the kill', longestGap(completions, killedAt, victimBackAt).toFixed(1)],
      ['  s of the slowest order placed meanwhile', slowest(orders, killedAt, victimBackAt).toFixed(1)],
      ['  s until it was back', ((victimBackAt - killedAt) / 1000).toFixed(1)],
      ['restarted (stop, start)', cluster.nodeName(restarted)],
      ['  s without progress after the stop', longestGap(completions, stoppedAt, restartedBackAt).toFixed(1)],
      ['  s of the slowest order placed meanwhile', slowest(orders, stoppedAt, restartedBackAt).toFixed(1)],
      ['  s until it was back', ((restartedBackAt - stoppedAt) / 1000).toFixed(1)],
      ['e-mails', `${system.smtp.messages.length} (${duplicateMails} sent twice)`],
    ];
    process.stdout.write(
      `\ncluster suite figures\n${figures.map(([what, value]) => `  ${what.padEnd(44)} ${value}`).join('\n')}\n\n`,
    );
  }, 300_000);
});

/** The leader node of each service's queue. */
function serviceQueueLeaders(queues: QuorumQueue[]): Map<ServiceName, string | undefined> {
  return new Map(SERVICES.map((service) => [service, queues.find((q) => q.name === queueOf(service))?.leader]));
}

/** Of `candidates`, the node that leads most service queues; order-service's queue's leader on a tie. */
function mostLeading(leaders: Map<ServiceName, string | undefined>, candidates: readonly NodeNumber[]): NodeNumber {
  const led = (i: NodeNumber) => [...leaders.values()].filter((l) => l === cluster.nodeName(i)).length;
  const orderLeader = leaders.get('order-service');
  return candidates.toSorted(
    (a, b) =>
      led(b) - led(a) || Number(orderLeader === cluster.nodeName(b)) - Number(orderLeader === cluster.nodeName(a)),
  )[0]!;
}

function describeLeaders(leaders: Map<ServiceName, string | undefined>, node: NodeNumber): string {
  const led = [...leaders].filter(([, l]) => l === cluster.nodeName(node)).map(([service]) => queueOf(service));
  return `${led.length} of ${leaders.size} service queues${led.length ? ` (${led.join(', ')})` : ''}`;
}

function describeAll(leaders: Map<ServiceName, string | undefined>): string {
  return [...leaders].map(([service, leader]) => `${service.split('-')[0]} ${leader?.split('@')[0] ?? '?'}`).join(', ');
}

/** When the order reached its final state, by its own timeline. */
function finishedAt(order: Order): number {
  const step = order.timeline.findLast((t) => t.step === 'confirmed' || t.step === 'cancelled');
  if (!step) throw new Error(`order ${order.id} is ${order.status} without a final step in its timeline`);
  return Date.parse(step.at);
}

/** Seconds from placed to final of the slowest order placed in [from, to] (or just before). */
function slowest(orders: Order[], from: number, to: number): number {
  const placedAt = (order: Order) => Date.parse(order.timeline.find((t) => t.step === 'placed')?.at ?? '');
  const durations = orders
    .filter((o) => placedAt(o) >= from - 1000 && placedAt(o) <= to)
    .map((o) => finishedAt(o) - placedAt(o));
  return Math.max(0, ...durations) / 1000;
}

/**
 * Seconds without an order finishing in [from, to]: the longest time between `from`, the
 * completions in between and `to`.
 */
function longestGap(completions: number[], from: number, to: number): number {
  const points = [from, ...completions.filter((t) => t > from && t < to), to];
  let longest = 0;
  for (let i = 1; i < points.length; i++) longest = Math.max(longest, points[i]! - points[i - 1]!);
  return longest / 1000;
}

function countBy(keys: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const key of keys) counts[key] = (counts[key] ?? 0) + 1;
  return counts;
}

/** Every order of a customer, page by page. */
async function ordersOf(
  baseUrl: string,
  customerId: string,
  authorization: { authorization: string },
): Promise<Order[]> {
  const orders: Order[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ customerId, limit: '100', ...(cursor && { cursor }) });
    const res = await fetch(`${baseUrl}/orders?${query}`, { headers: authorization });
    if (res.status !== 200) throw new Error(`GET /orders: ${res.status} ${await res.text()}`);
    const page = (await res.json()) as { items: Order[]; nextCursor: string | null };
    orders.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return orders;
}

async function gatewayList<T>(url: string): Promise<T[]> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  return ((await res.json()) as { data: T[] }).data;
}
