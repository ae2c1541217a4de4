import {
  CANCELLATION_REASONS,
  createEvent,
  OrderCancelledV1,
  OrderConfirmedV1,
  OrderPlacedV1,
  type CancellationReason,
} from '@shopflow/events';
import { escapeHtml } from './email-layout';
import { messageIdFor, orderEmail } from './email-templates';

const orderId = '1b2c3d4e-0000-4000-8000-000000000001';
const customer = { orderId, customerId: 'cust-1', email: 'ada@example.com' };
const origin = { source: 'order-service' };

const placed = () =>
  createEvent(
    OrderPlacedV1,
    {
      ...customer,
      items: [
        { sku: 'MUG-01', quantity: 2, unitPrice: { amount: 1250, currency: 'EUR' } },
        { sku: 'TEE-XL', quantity: 1, unitPrice: { amount: 1999, currency: 'EUR' } },
      ],
      total: { amount: 4499, currency: 'EUR' },
      paymentToken: 'tok_visa',
    },
    origin,
  );

const cancelled = (reason: CancellationReason) => createEvent(OrderCancelledV1, { ...customer, reason }, origin);

describe('order e-mails', () => {
  it('answers order.placed with an "order received" e-mail listing items and total', () => {
    const email = orderEmail(placed());
    expect(email).toMatchObject({
      orderId,
      template: 'order-received',
      to: 'ada@example.com',
      messageId: `<${orderId}.order-received@shopflow>`,
    });
    expect(email.content.subject).toBe('We received your order #1B2C3D4E');
    expect(email.content.text).toContain('2 × MUG-01   €12.50 each   €25.00');
    expect(email.content.text).toContain('1 × TEE-XL   €19.99 each   €19.99');
    expect(email.content.text).toContain('Total: €44.99');
    expect(email.content.text).toContain(`Order reference: ${orderId}`);
    expect(email.content.html).toContain('<td>2 × MUG-01</td><td>€12.50 each</td><td>€25.00</td>');
  });

  it('answers order.confirmed with an "order confirmed" e-mail', () => {
    const email = orderEmail(
      createEvent(OrderConfirmedV1, { ...customer, total: { amount: 500, currency: 'JPY' } }, origin),
    );
    expect(email).toMatchObject({ template: 'order-confirmed', to: 'ada@example.com' });
    expect(email.content.subject).toBe('Your order #1B2C3D4E is confirmed');
    expect(email.content.text).toContain('your order is confirmed. Total: ¥500.');
  });

  it('answers order.cancelled with an "order cancelled" e-mail giving the reason in words', () => {
    const email = orderEmail(cancelled('out_of_stock'));
    expect(email).toMatchObject({ template: 'order-cancelled', messageId: `<${orderId}.order-cancelled@shopflow>` });
    expect(email.content.subject).toBe('Your order #1B2C3D4E was cancelled');
    expect(email.content.text).toContain(
      'your order was cancelled. One or more of the items you ordered are out of stock.',
    );
  });

  it('has its own sentence for every cancellation reason', () => {
    const sentences = CANCELLATION_REASONS.map((reason) => orderEmail(cancelled(reason)).content.text);
    expect(new Set(sentences).size).toBe(CANCELLATION_REASONS.length);
    for (const text of sentences) expect(text).not.toMatch(/_/);
  });

  it('gives the same Message-ID to every attempt at one e-mail, and different ones across templates', () => {
    expect(orderEmail(placed()).messageId).toBe(orderEmail(placed()).messageId);
    expect(messageIdFor(orderId, 'order-received')).not.toBe(messageIdFor(orderId, 'order-confirmed'));
  });

  it('never lets event text add markup to the HTML part', () => {
    expect(escapeHtml(`<script>alert("x") & 'y'</script>`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;',
    );
  });
});
