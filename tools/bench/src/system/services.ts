/** The four services (the bench starts them all at once: see LocalSystem.scaleTo). */
export const SERVICES = ['order-service', 'payment-service', 'notification-service', 'inventory-service'] as const;
export type ServiceName = (typeof SERVICES)[number];
