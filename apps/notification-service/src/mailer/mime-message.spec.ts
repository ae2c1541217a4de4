import { createEvent, OrderCancelledV1, OrderConfirmedV1, OrderPlacedV1 } from '@shopflow/events';
import { Readable } from 'node:stream';
import { type SendMailOptions } from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer';
import { orderEmail } from '../domain/email-templates';
import { messageBytes } from './mime-message';

const orderId = '1b2c3d4e-0000-4000-8000-000000000001';
const customer = { orderId, customerId: 'cust-1', email: 'ada@example.com' };
const origin = { source: 'order-service' };
const euros = (amount: number) => ({ amount, currency: 'EUR' });

/** An order of `lines` items: a few make a short e-mail, hundreds one of tens of kilobytes. */
const placed = (lines: number) =>
  createEvent(
    OrderPlacedV1,
    {
      ...customer,
      items: Array.from({ length: lines }, (_, i) => ({
        sku: `SKU-${i}`,
        quantity: 1 + (i % 3),
        unitPrice: euros(199 + i),
      })),
      total: euros(12_345),
      paymentToken: 'tok_ok',
    },
    origin,
  );

const mailOf = (
  event: Parameters<typeof orderEmail>[0],
  from = 'shopflow <orders@shopflow.local>',
): SendMailOptions => {
  const { to, messageId, content } = orderEmail(event);
  return { from, to, messageId, subject: content.subject, text: content.text, html: content.html };
};

/** Both renderings of one compiled message: its boundaries and date are drawn once, at compile. */
async function bothWays(mail: SendMailOptions): Promise<{ ours: string; nodemailers: string }> {
  const message = new MailComposer(mail).compile();
  const ours = (await messageBytes(message)).toString('utf-8');
  const nodemailers = (await message.build()).toString('utf-8');
  return { ours, nodemailers };
}

describe('messageBytes', () => {
  it.each([
    ['order received, two items', mailOf(placed(2))],
    ['order received, 400 items (lines past 76 characters, tens of kilobytes)', mailOf(placed(400))],
    ['order confirmed', mailOf(createEvent(OrderConfirmedV1, { ...customer, total: euros(4_499) }, origin))],
    ['order cancelled', mailOf(createEvent(OrderCancelledV1, { ...customer, reason: 'out_of_stock' }, origin))],
    [
      'a sender and subject outside ASCII',
      { ...mailOf(placed(1), 'Boutique Élodie <orders@shopflow.local>'), subject: 'Votre commande est confirmée ✓' },
    ],
    [
      'text only, plain ASCII (7bit)',
      { from: 'a@shopflow.local', to: 'b@example.com', subject: 'Hi', text: 'Hello\n' },
    ],
    [
      'text mostly outside ASCII (base64)',
      { from: 'a@shopflow.local', to: 'b@example.com', subject: 'Ω', text: 'Ωμέγα αβγδ εζηθ\n'.repeat(20) },
    ],
    [
      'text without a final line break',
      { from: 'a@shopflow.local', to: 'b@example.com', subject: 'Hi', text: 'Hello' },
    ],
  ])('writes what nodemailer writes: %s', async (_case, mail) => {
    const { ours, nodemailers } = await bothWays(mail);
    expect(ours).toEqual(nodemailers);
  });

  it('leaves a part it cannot write at once (a stream) to nodemailer, which reads it', async () => {
    const mail = {
      from: 'a@shopflow.local',
      to: 'b@example.com',
      subject: 'Hi',
      text: Readable.from(['streamed ', 'text\n']),
    };
    const bytes = await messageBytes(new MailComposer(mail).compile());
    expect(bytes.toString('utf-8')).toContain('streamed text');
  });
});
