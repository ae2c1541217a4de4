import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const canonical = fs.readFileSync(path.join(root, 'libs/messaging/prisma/messaging.prisma'), 'utf8');
const services = fs.readdirSync(path.join(root, 'apps')).filter((name) => name.endsWith('-service'));

describe('messaging tables in every service schema', () => {
  it('finds the four services', () => {
    expect(services.sort()).toEqual(['inventory-service', 'notification-service', 'order-service', 'payment-service']);
  });

  it.each(services)('%s has an exact copy of the outbox/inbox models', (service) => {
    const copy = fs.readFileSync(path.join(root, 'apps', service, 'prisma/schema/messaging.prisma'), 'utf8');
    expect(copy).toBe(canonical);
  });
});
