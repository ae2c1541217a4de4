import * as events from '@shopflow/events';
import { ALL_EVENTS, type AnyEventDefinition, type EventDefinition } from '@shopflow/events';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const APPS_DIR = path.resolve(__dirname, '../../../apps');

/**
 * What one service declares on the broker, read from the service's own code: the events it
 * publishes (messaging/published-events.ts), the events it handles (messaging/handlers.ts) and
 * its consumer's purpose (`events` unless the service names another).
 *
 * The apps cannot be imported from a library (the module-boundary rules forbid runtime → app,
 * and it would make a dependency cycle), so their source is read as text and every event named
 * there is resolved against @shopflow/events. Anything unexpected fails loudly rather than
 * silently testing less.
 */
export interface ServiceTopology {
  service: string;
  purpose: string;
  publishes: AnyEventDefinition[];
  handles: AnyEventDefinition[];
}

export const SERVICE_NAMES = ['order-service', 'inventory-service', 'payment-service', 'notification-service'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

function source(service: string, file: string): string {
  return readFileSync(path.join(APPS_DIR, service, 'src', file), 'utf8');
}

function resolveEvents(names: string[], where: string): AnyEventDefinition[] {
  if (names.length === 0) throw new Error(`no event definitions found in ${where}`);
  return names.map((name) => {
    const definition = (events as Record<string, unknown>)[name];
    if (!ALL_EVENTS.includes(definition as AnyEventDefinition)) {
      throw new Error(`${where}: ${name} is not an event definition of @shopflow/events`);
    }
    return definition as AnyEventDefinition;
  });
}

/** Every hand-written source file of a service (not Prisma's generated client). */
function allSources(service: string): { text: string }[] {
  const root = path.join(APPS_DIR, service, 'src');
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts') && !file.startsWith('generated'))
    .map((file) => ({ text: readFileSync(path.join(root, file), 'utf8') }));
}

export function serviceTopology(service: ServiceName): ServiceTopology {
  const sources = allSources(service);
  const names = sources.flatMap(({ text }) => [...text.matchAll(/SERVICE_NAME = '([^']+)'/g)].map((m) => m[1]!));
  if (names.some((name) => name !== service)) {
    throw new Error(`apps/${service}: SERVICE_NAME is ${names.join(', ')}, expected ${service}`);
  }
  // An EventConsumer the service builds itself names its purpose; the shared host
  // (@shopflow/bootstrap) consumes `<name>.events`. The permissions cover any `<name>.<purpose>`.
  const purposes = [
    ...new Set(sources.flatMap(({ text }) => [...text.matchAll(/purpose: '([^']+)'/g)].map((m) => m[1]!))),
  ];
  if (purposes.length > 1) throw new Error(`apps/${service}: several consumer purposes (${purposes.join(', ')})`);
  const purpose = purposes[0] ?? 'events';

  const publishedFile = 'messaging/published-events.ts';
  const list = /export const \w+_EVENTS\s*=\s*\[([^\]]*)\]/.exec(source(service, publishedFile))?.[1] ?? '';
  const publishes = resolveEvents(list.match(/\w+/g) ?? [], `apps/${service}/src/${publishedFile}`);

  const handlersFile = 'messaging/handlers.ts';
  const handled = [...source(service, handlersFile).matchAll(/\bon\(\s*(\w+)\s*,/g)].map((m) => m[1]!);
  const handles = resolveEvents([...new Set(handled)], `apps/${service}/src/${handlersFile}`);

  return { service, purpose, publishes, handles };
}

export const exchangesOf = (definitions: readonly EventDefinition[]): string[] => [
  ...new Set(definitions.map((d) => d.exchange)),
];

const ORDER_ID = '0b6f3f5e-1f5c-4c43-9d8e-0f4f2d7c8a11';
const MONEY = { amount: 1200, currency: 'EUR' };
const CUSTOMER = { orderId: ORDER_ID, customerId: 'c-1', email: 'ada@example.com' };

/** A valid payload for every event (createEvent validates them), so any published event can be sent. */
export const SAMPLE_PAYLOADS: Record<AnyEventDefinition['type'], unknown> = {
  'order.placed': {
    ...CUSTOMER,
    items: [{ sku: 'MUG-CLASSIC', quantity: 1, unitPrice: MONEY }],
    total: MONEY,
    paymentToken: 'tok_ok',
  },
  'order.confirmed': { ...CUSTOMER, total: MONEY },
  'order.cancelled': { ...CUSTOMER, reason: 'timeout' },
  'inventory.reserved': { orderId: ORDER_ID, items: [{ sku: 'MUG-CLASSIC', quantity: 1 }] },
  'inventory.reservation-failed': {
    orderId: ORDER_ID,
    reason: 'out_of_stock',
    items: [{ sku: 'MUG-CLASSIC', requested: 1, available: 0 }],
  },
  'inventory.released': { orderId: ORDER_ID, items: [{ sku: 'MUG-CLASSIC', quantity: 1 }] },
  'inventory.product-updated': { sku: 'MUG-CLASSIC', name: 'Classic mug', price: 1200, currency: 'EUR', available: 5 },
  'payment.succeeded': { orderId: ORDER_ID, paymentId: crypto.randomUUID(), amount: MONEY },
  'payment.failed': { orderId: ORDER_ID, reason: 'declined', amount: MONEY },
  'payment.refunded': { orderId: ORDER_ID, paymentId: crypto.randomUUID(), amount: MONEY },
  'notification.sent': {
    orderId: ORDER_ID,
    template: 'order-received',
    recipient: 'ada@example.com',
    messageId: '<test@shopflow.local>',
  },
};
