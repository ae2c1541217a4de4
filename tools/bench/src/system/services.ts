/** The four services, in start order: consumers first, inventory last (the catalog it announces must find order-service's queue). */
export const SERVICES = ['order-service', 'payment-service', 'notification-service', 'inventory-service'] as const;
export type ServiceName = (typeof SERVICES)[number];
