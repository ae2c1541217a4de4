/**
 * Each bounded context owns exactly one durable topic exchange and is the only
 * publisher to it. Consumers bind their own queues to the exchanges they need.
 */
export const EXCHANGES = {
  order: 'orders',
  inventory: 'inventory',
  payment: 'payments',
  notification: 'notifications',
} as const;

export type Context = keyof typeof EXCHANGES;
export type ExchangeName = (typeof EXCHANGES)[Context];
