import { AppError } from '@shopflow/errors';
import { createEvent, EXCHANGES, type AnyEventDefinition, type EventDefinition } from '@shopflow/events';
import { createTestVhost, eventually, type TestVhost } from '@shopflow/testing';
import { type ChannelModel, type GetMessage } from 'amqplib';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  BrokerConnection,
  consumerNames,
  consumerTopology,
  DEFAULT_RETRY_POLICY,
  declareTopology,
  EventConsumer,
  EventPublisher,
  FAILURE_HEADERS,
  on,
  retryDelays,
  type HandlerContext,
} from '../src';
import { testLogger } from './harness';
import {
  connect,
  createUser,
  deleteUser,
  importVhostDefinitions,
  publishConfirmed,
  accessRefused,
  refusalOf,
  setPermissions,
  urlFor,
} from './permissions-broker';
import {
  APP_VHOST,
  loadDefinitions,
  PASSWORD_VARIABLES,
  permissionsOf,
  renderDefinitions,
  type Definitions,
} from './permissions-definitions';
import {
  exchangesOf,
  SAMPLE_PAYLOADS,
  SERVICE_NAMES,
  serviceTopology,
  type ServiceName,
  type ServiceTopology,
} from './permissions-services';

/**
 * deploy/rabbitmq/definitions.json gives each service user only what its topology needs.
 * Proven on the local broker: the definitions' exchanges go into a scratch vhost, each service
 * gets a uniquely named user with the password hash rendered by render-definitions.sh and exactly
 * the definitions' permission regexes, and then runs its real publisher and consumer.
 */
const definitions = loadDefinitions();
const topologies = Object.fromEntries(SERVICE_NAMES.map((s) => [s, serviceTopology(s)])) as Record<
  ServiceName,
  ServiceTopology
>;
/** Random passwords for this run, in the variables the container gets; rendered once, on first use. */
const passwords = Object.fromEntries(
  Object.values(PASSWORD_VARIABLES).map((v) => [v, randomBytes(18).toString('base64url')]),
);
let rendered: Definitions | undefined;
const renderedDefinitions = () => (rendered ??= renderDefinitions(passwords).definitions!);
const others = (service: ServiceName) => SERVICE_NAMES.filter((s) => s !== service);
const consumersOf = (definition: EventDefinition) =>
  SERVICE_NAMES.filter((s) => topologies[s].handles.includes(definition as AnyEventDefinition));

/** Every queue and exchange name a service's consumer declares (delay queues of the policy it runs with). */
function ownNames({ service, purpose }: ServiceTopology): string[] {
  const names = consumerNames(service, purpose);
  return [
    names.queue,
    names.retryExchange,
    names.deadLetterExchange,
    names.deadLetterQueue,
    ...retryDelays(DEFAULT_RETRY_POLICY).map(names.delayQueue),
  ];
}

describe('deploy/rabbitmq/definitions.json', () => {
  it('declares the vhost and the four context exchanges (durable topic)', () => {
    expect(definitions.vhosts.map((v) => v.name)).toEqual([APP_VHOST]);
    expect(definitions.exchanges.map(({ name, vhost, type, durable }) => ({ name, vhost, type, durable }))).toEqual(
      expect.arrayContaining(
        Object.values(EXCHANGES).map((name) => ({ name, vhost: APP_VHOST, type: 'topic', durable: true })),
      ),
    );
  });

  it('holds no passwords: each user has a placeholder for its environment variable', () => {
    expect(Object.fromEntries(definitions.users.map((u) => [u.name, u.password_hash]))).toEqual(
      Object.fromEntries(Object.entries(PASSWORD_VARIABLES).map(([user, variable]) => [user, `{{${variable}}}`])),
    );
    expect(definitions.users.find((u) => u.name === 'admin')?.tags).toEqual(['administrator']);
    for (const service of SERVICE_NAMES) expect(definitions.users.find((u) => u.name === service)?.tags).toEqual([]);
  });

  it.each(SERVICE_NAMES)('grants %s exactly what its code declares, nothing of the other services', (service) => {
    const topology = topologies[service];
    const own = ownNames(topology);
    const ownExchanges = exchangesOf(topology.publishes);
    const sources = exchangesOf(topology.handles);
    const permission = permissionsOf(definitions, service);
    const granted = (regex: string, names: string[]) => names.filter((n) => new RegExp(regex).test(n)).sort();

    // Every name anyone declares, the default exchange and a few of the broker's own.
    const universe = [
      ...Object.values(EXCHANGES),
      ...SERVICE_NAMES.flatMap((s) => ownNames(topologies[s])),
      'amq.default',
      'amq.topic',
      'amq.direct',
      `${service}`,
    ];
    // configure: declare its own exchange (publisher), its own queues and exchanges. Not the
    // exchanges it binds to: the consumer only checks that those exist (ExchangeSpec.passive).
    expect(granted(permission.configure, universe)).toEqual([...ownExchanges, ...own].sort());
    // write: publish to its own exchange and its retry / dead-letter exchanges, bind its own queues.
    // Nothing on amq.default: delay queues dead-letter through the service's own retry exchange.
    expect(granted(permission.write, universe)).toEqual([...ownExchanges, ...own].sort());
    // read: bind from the exchanges it handles events of, consume its own queues (and bind them
    // to its own retry / dead-letter exchanges).
    expect(granted(permission.read, universe)).toEqual([...sources, ...own].sort());
  });

  it('render-definitions.sh needs every password and writes only hashes', () => {
    const rendered = renderedDefinitions();
    const text = JSON.stringify(rendered);
    for (const password of Object.values(passwords)) expect(text).not.toContain(password);
    expect(text).not.toContain('{{');
    for (const user of rendered.users) {
      expect(user.hashing_algorithm).toBe('rabbit_password_hashing_sha256');
      expect(Buffer.from(user.password_hash, 'base64')).toHaveLength(4 + 32); // salt + SHA-256
    }
    // Apart from the hashes, the rendered file is the committed one.
    const strip = (d: Definitions) => ({ ...d, users: d.users.map((u) => ({ ...u, password_hash: '' })) });
    expect(strip(rendered)).toEqual(strip(definitions));

    const { RABBITMQ_PAYMENT_PASSWORD: _omitted, ...incomplete } = passwords;
    const failed = renderDefinitions({ ...incomplete, RABBITMQ_ADMIN_PASSWORD: '' });
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toMatch(/RABBITMQ_ADMIN_PASSWORD RABBITMQ_PAYMENT_PASSWORD/);
  });
});

type Plan = 'fail-once' | 'fail-permanently';

interface Handled {
  service: ServiceName;
  eventId: string;
  attempt: number;
}

interface RunningService {
  broker: BrokerConnection;
  publisher: EventPublisher;
  consumer: EventConsumer;
}

/** A broker the definitions are proven on: its nodes' AMQP URLs (administrator) and management API. */
interface BrokerUnderTest {
  amqpUrls: string[];
  managementUrl: string;
  /** Makes sure it runs (the local cluster is started by its script if it is down). */
  prepare?: () => Promise<void>;
}

const CLUSTER_SCRIPT = path.resolve(__dirname, '../../../tools/dev/rabbitmq-cluster.sh');
const CLUSTER_BASE = Number(process.env['RABBITMQ_CLUSTER_PORT_BASE'] ?? 5700);
const BROKERS: [string, BrokerUnderTest][] = [
  [
    'the test broker',
    {
      amqpUrls: [process.env['TEST_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672'],
      managementUrl: process.env['RABBITMQ_MANAGEMENT_URL'] ?? 'http://guest:guest@127.0.0.1:15672',
    },
  ],
  [
    'the local three-node cluster (tools/dev/rabbitmq-cluster.sh), each service on another node',
    {
      amqpUrls: [1, 2, 3].map((i) => `amqp://guest:guest@127.0.0.1:${CLUSTER_BASE + i}`),
      managementUrl: `http://guest:guest@127.0.0.1:${10_000 + CLUSTER_BASE + 1}`,
      prepare: async () => void (await promisify(execFile)('bash', [CLUSTER_SCRIPT, 'start'], { timeout: 150_000 })),
    },
  ],
];

describe.each(BROKERS)('RabbitMQ definitions on %s: each service with its own user', (_label, broker) => {
  const runId = randomBytes(4).toString('hex');
  const handled: Handled[] = [];
  /** Event id → which service's handler fails it, and how; every other handler takes it. */
  const plans = new Map<string, { service: ServiceName; plan: Plan }>();
  const services = {} as Record<ServiceName, RunningService>;
  const connections = {} as Record<ServiceName, ChannelModel>;
  let vhost: TestVhost;

  const recorder =
    (service: ServiceName) =>
    async (event: { id: string }, { attempt }: HandlerContext) => {
      const plan = plans.get(event.id)?.service === service ? plans.get(event.id)?.plan : undefined;
      if (plan === 'fail-permanently') throw new AppError('invalid_input', `${service} rejects ${event.id} for good`);
      if (plan === 'fail-once' && attempt === 1)
        throw new AppError('unavailable', `${service} fails once on ${event.id}`);
      handled.push({ service, eventId: event.id, attempt });
    };

  async function publish(
    service: ServiceName,
    definition: AnyEventDefinition,
    failing?: { service: ServiceName; plan: Plan },
  ) {
    const event = createEvent(definition, SAMPLE_PAYLOADS[definition.type] as never, { source: service });
    if (failing) plans.set(event.id, failing);
    await services[service].publisher.publish({
      exchange: definition.exchange,
      routingKey: definition.routingKey,
      event,
    });
    return event;
  }

  beforeAll(async () => {
    await broker.prepare?.();
    const rendered = renderedDefinitions();
    vhost = await createTestVhost('permissions', { amqpUrl: broker.amqpUrls[0], managementUrl: broker.managementUrl });
    await importVhostDefinitions(vhost.name, definitions, broker.managementUrl);
    /**
     * The vhost on every node: the plain connection of each service goes to another node (its own
     * first), the runtime's to a random one and on to the next, as the services connect.
     */
    const nodeUrls = (index: number) =>
      broker.amqpUrls.map((_, i) => {
        const url = new URL(broker.amqpUrls[(index + i) % broker.amqpUrls.length]!);
        url.pathname = new URL(vhost.url).pathname;
        return url.toString();
      });

    for (const [index, service] of SERVICE_NAMES.entries()) {
      const user = `${service}-${runId}`;
      const password = passwords[PASSWORD_VARIABLES[service]!]!;
      await createUser(
        user,
        rendered.users.find((u) => u.name === service)!,
        broker.managementUrl,
      );
      await setPermissions(vhost.name, user, permissionsOf(definitions, service), broker.managementUrl);
      const urls = nodeUrls(index).map((nodeUrl) => urlFor(nodeUrl, user, password));
      const url = urls[0]!;
      connections[service] = await connect(url);
      const topology = topologies[service];

      // The whole topology on a plain channel first: a refusal fails here, naming what was refused,
      // instead of leaving the managed channel retrying its setup.
      const channel = await connections[service].createConfirmChannel();
      await declareTopology(channel, {
        exchanges: exchangesOf(topology.publishes).map((name) => ({ name, type: 'topic' })),
        queues: [],
        bindings: [],
      });
      await declareTopology(
        channel,
        consumerTopology(consumerNames(service, topology.purpose), topology.handles, DEFAULT_RETRY_POLICY),
        async (exchange) => {
          // The definitions created it: checking needs no configure permission, declaring would.
          const probe = await connections[service].createChannel();
          await probe.checkExchange(exchange);
          await probe.close();
          return true;
        },
      );
      await channel.close();

      // Then the real runtime, wired as the service wires it: a publisher declaring the exchange of
      // the events it publishes, a consumer of `<service>.events` with a handler per handled event.
      const connection = new BrokerConnection({ url: urls, connectionName: user, logger: testLogger() });
      const publisher = new EventPublisher(connection, topology.publishes);
      const consumer = new EventConsumer(connection, {
        service,
        purpose: topology.purpose,
        logger: testLogger(),
        handlers: topology.handles.map((definition) => on(definition, recorder(service))),
      });
      services[service] = { broker: connection, publisher, consumer };
      await publisher.waitForConnect();
      await consumer.start();
    }
    // Starting the local cluster from nothing takes up to a minute.
  }, 150_000);

  afterAll(async () => {
    for (const service of Object.values(services)) {
      await service.consumer.stop();
      await service.publisher.close();
      await service.broker.close();
    }
    for (const connection of Object.values(connections)) await connection.close().catch(() => undefined);
    for (const service of SERVICE_NAMES) await deleteUser(`${service}-${runId}`, broker.managementUrl);
    await vhost?.drop();
  });

  it('delivers every event each service publishes to every service that handles it', async () => {
    const expected: Handled[] = [];
    for (const service of SERVICE_NAMES) {
      for (const definition of topologies[service].publishes) {
        const event = await publish(service, definition);
        for (const consumer of consumersOf(definition))
          expected.push({ service: consumer, eventId: event.id, attempt: 1 });
      }
    }
    expect(expected.length).toBeGreaterThanOrEqual(SERVICE_NAMES.length);
    await eventually(
      () => expected.every((e) => handled.some((h) => h.service === e.service && h.eventId === e.eventId)),
      {
        message: 'every published event handled by its consumers',
      },
    );
    // Nobody else got them, and nobody needed a second attempt.
    const key = (h: Handled) => `${h.eventId} ${h.service} ${h.attempt}`;
    expect(
      handled
        .filter((h) => expected.some((e) => e.eventId === h.eventId))
        .map(key)
        .sort(),
    ).toEqual(expected.map(key).sort());
  });

  it("retries each service's failing handler through its delay queue and parks a permanent failure in its dead-letter queue", async () => {
    await Promise.all(
      SERVICE_NAMES.map(async (service) => {
        const definition = topologies[service].handles[0]!;
        const publisher = SERVICE_NAMES.find((s) => topologies[s].publishes.includes(definition))!;
        const retried = await publish(publisher, definition, { service, plan: 'fail-once' });
        const parked = await publish(publisher, definition, { service, plan: 'fail-permanently' });

        await eventually(
          () => handled.some((h) => h.service === service && h.eventId === retried.id && h.attempt === 2),
          { message: `${service} handles ${retried.id} on its second attempt` },
        );

        // The service reads its own dead-letter queue with its own user.
        const channel = await connections[service].createChannel();
        try {
          const dead: GetMessage = await eventually(
            async () => {
              const message = await channel.get(consumerNames(service, topologies[service].purpose).deadLetterQueue);
              if (!message) throw new Error('dead-letter queue still empty');
              channel.ack(message);
              return message;
            },
            { message: `${parked.id} in ${service}'s dead-letter queue` },
          );
          expect({ service, id: JSON.parse(dead.content.toString()).id }).toEqual({ service, id: parked.id });
          expect(dead.properties.headers).toMatchObject({
            [FAILURE_HEADERS.errorKind]: 'invalid_input',
            [FAILURE_HEADERS.originalExchange]: definition.exchange,
            [FAILURE_HEADERS.originalRoutingKey]: definition.routingKey,
          });
        } finally {
          await channel.close();
        }
        expect(handled.filter((h) => h.eventId === parked.id && h.service === service)).toEqual([]);
      }),
    );
  });

  const pairs = SERVICE_NAMES.flatMap((service) => others(service).map((other) => [service, other] as const));

  it.each(pairs)("refuses %s another service's queues and exchange (%s)", async (service, other) => {
    const connection = connections[service];
    const theirs = consumerNames(other, topologies[other].purpose);
    const theirExchange = exchangesOf(topologies[other].publishes)[0]!;
    const attempts: Record<string, Parameters<typeof refusalOf>[2]> = {
      [`consume ${theirs.queue}`]: (ch) => ch.consume(theirs.queue, () => undefined),
      [`get from ${theirs.deadLetterQueue}`]: (ch) => ch.get(theirs.deadLetterQueue),
      [`purge ${theirs.queue}`]: (ch) => ch.purgeQueue(theirs.queue),
      [`delete ${theirs.queue}`]: (ch) => ch.deleteQueue(theirs.queue),
      [`declare ${theirs.queue}`]: (ch) => ch.assertQueue(theirs.queue, { durable: true }),
      [`declare ${theirExchange}`]: (ch) => ch.assertExchange(theirExchange, 'topic', { durable: true }),
      [`bind ${theirs.queue} to its own exchange`]: (ch) =>
        ch.bindQueue(theirs.queue, exchangesOf(topologies[service].publishes)[0]!, '#'),
      [`publish to ${theirExchange}`]: (ch) =>
        publishConfirmed(ch, theirExchange, topologies[other].publishes[0]!.routingKey),
      [`publish to ${theirs.retryExchange}`]: (ch) =>
        publishConfirmed(ch, theirs.retryExchange, theirs.delayQueue(500)),
    };
    const refusals = await Promise.all(
      Object.entries(attempts).map(([what, attempt]) => refusalOf(connection, what, attempt)),
    );
    expect(refusals).toEqual(Object.keys(attempts).map(accessRefused));
    // Nothing of theirs was touched: their queue still has its consumer.
    const admin = await connect(vhost.url);
    try {
      const channel = await admin.createChannel();
      expect(await channel.checkQueue(theirs.queue)).toMatchObject({ consumerCount: 1 });
    } finally {
      await admin.close();
    }
  });

  it.each(SERVICE_NAMES)('refuses %s binding its queue to events it does not handle', async (service) => {
    const { queue } = consumerNames(service, topologies[service].purpose);
    const unread = Object.values(EXCHANGES).filter((e) => !exchangesOf(topologies[service].handles).includes(e));
    expect(unread.length).toBeGreaterThan(0);
    const refusals = await Promise.all(
      unread.map((exchange) =>
        refusalOf(connections[service], `bind ${queue} to ${exchange}`, (ch) => ch.bindQueue(queue, exchange, '#')),
      ),
    );
    expect(refusals).toEqual(unread.map((exchange) => accessRefused(`bind ${queue} to ${exchange}`)));
  });
});
