import { countMessages, eventually } from '@shopflow/testing';
import { type RunningService } from '../src/service';
import {
  capturingLogger,
  emailsAbout,
  getJson,
  orderConfirmed,
  orderPlaced,
  receivedEmail,
  type TestEnvironment,
  startServiceUnderTest,
  type ServiceUnderTest,
} from './harness';
import { startSmtpSink, type SmtpSink } from '@shopflow/testing';

describe('SMTP server down', () => {
  let env: TestEnvironment;
  let service: RunningService;
  let orders: ServiceUnderTest['orders'];
  let sut: ServiceUnderTest;
  let restarted: SmtpSink | undefined;
  const { logger, lines } = capturingLogger();

  beforeAll(async () => {
    sut = await startServiceUnderTest('notif_outage', logger);
    ({ env, service, orders } = sut);
  }, 60_000);

  afterAll(async () => {
    await sut?.stop();
    await restarted?.close();
  });

  const readiness = async () =>
    (await getJson(env, service.port, '/health/ready')) as { status: number; body: { checks: unknown[] } };

  it('retries the e-mail until the server is back, then sends it once', async () => {
    // A first e-mail leaves a pooled connection open to the server that is about to go away.
    const orderId = crypto.randomUUID();
    await orders.publish(orderPlaced(orderId));
    await receivedEmail(env.sink, orderId, 'order-received');
    expect((await readiness()).status).toBe(200);

    await env.sink.close();
    expect(await readiness()).toMatchObject({
      status: 503,
      body: { checks: expect.arrayContaining([expect.objectContaining({ name: 'smtp', status: 'down' })]) },
    });

    const confirmed = orderConfirmed(orderId);
    await orders.publish(confirmed);
    await eventually(() => lines.some((line) => line['eventId'] === confirmed.id && line['action'] === 'retry'), {
      message: 'the failed send scheduled for a retry',
    });
    const failure = lines.find((line) => line['eventId'] === confirmed.id) as { err: { kind: string } };
    expect(failure.err.kind).toBe('unavailable');

    restarted = await startSmtpSink({ port: env.sink.port });
    await receivedEmail(restarted, orderId, 'order-confirmed', 20_000);

    expect(emailsAbout(restarted, orderId, 'order-confirmed')).toHaveLength(1);
    expect(emailsAbout(env.sink, orderId, 'order-confirmed')).toHaveLength(0);
    expect(await countMessages(env.vhost.url, 'notification-service.dead-letter')).toMatchObject({ messages: 0 });
    await eventually(async () => (await readiness()).status === 200, { message: 'ready again' });
    const { body } = await getJson(env, service.port, `/notifications?orderId=${orderId}`);
    expect(body).toHaveLength(2);
  }, 40_000);
});
