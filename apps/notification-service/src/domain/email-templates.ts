import {
  type CancellationReason,
  type EventOf,
  type NOTIFICATION_TEMPLATES,
  type OrderCancelledV1,
  type OrderConfirmedV1,
  type OrderPlacedV1,
  type PayloadOf,
} from '@shopflow/events';
import { paragraph, renderEmail, table, type EmailContent } from './email-layout';
import { formatMoney, multiply } from './money';

export type NotificationTemplate = (typeof NOTIFICATION_TEMPLATES)[number];

/** The order events a customer is told about by e-mail. */
export type OrderEmailEvent = EventOf<typeof OrderPlacedV1 | typeof OrderConfirmedV1 | typeof OrderCancelledV1>;

export interface OrderEmail {
  orderId: string;
  template: NotificationTemplate;
  to: string;
  /** The same on every attempt at this e-mail, so a receiver can recognise a resend. */
  messageId: string;
  content: EmailContent;
}

const CANCELLATION_SENTENCES: Record<CancellationReason, string> = {
  out_of_stock: 'One or more of the items you ordered are out of stock.',
  unknown_item: 'One or more of the items you ordered are no longer in our catalogue.',
  payment_declined: 'Your payment was declined.',
  insufficient_funds: 'Your payment was declined because of insufficient funds.',
  timeout: 'We could not complete your order in time.',
};

const SIGNATURE = paragraph('The shopflow team');

/** Which e-mail an order event calls for, addressed to the customer. */
export function orderEmail(event: OrderEmailEvent): OrderEmail {
  const { orderId, email } = event.payload;
  const { template, content } = render(event);
  return { orderId, template, to: email, messageId: messageIdFor(orderId, template), content };
}

/** `<orderId.template@shopflow>`: one e-mail per order and template, one Message-ID. */
export function messageIdFor(orderId: string, template: NotificationTemplate): string {
  return `<${orderId}.${template}@shopflow>`;
}

function render(event: OrderEmailEvent): { template: NotificationTemplate; content: EmailContent } {
  switch (event.type) {
    case 'order.placed':
      return { template: 'order-received', content: orderReceived(event.payload) };
    case 'order.confirmed':
      return { template: 'order-confirmed', content: orderConfirmed(event.payload) };
    case 'order.cancelled':
      return { template: 'order-cancelled', content: orderCancelled(event.payload) };
  }
}

/** A short reference for subjects; the body gives the full order id. */
const shortReference = (orderId: string) => `#${orderId.slice(0, 8).toUpperCase()}`;

function orderReceived(order: PayloadOf<typeof OrderPlacedV1>): EmailContent {
  const lines = order.items.map((item) => [
    `${item.quantity} × ${item.sku}`,
    `${formatMoney(item.unitPrice)} each`,
    formatMoney(multiply(item.unitPrice, item.quantity)),
  ]);
  return renderEmail(`We received your order ${shortReference(order.orderId)}`, [
    paragraph('Hello,'),
    paragraph(
      'Thank you for your order. We are now reserving your items and taking the payment; we will e-mail you again once it is confirmed.',
    ),
    table(lines),
    paragraph(`Total: ${formatMoney(order.total)}`),
    paragraph(`Order reference: ${order.orderId}`),
    SIGNATURE,
  ]);
}

function orderConfirmed(order: PayloadOf<typeof OrderConfirmedV1>): EmailContent {
  return renderEmail(`Your order ${shortReference(order.orderId)} is confirmed`, [
    paragraph('Hello,'),
    paragraph(`Good news: your order is confirmed. Total: ${formatMoney(order.total)}.`),
    paragraph(`Order reference: ${order.orderId}`),
    SIGNATURE,
  ]);
}

function orderCancelled(order: PayloadOf<typeof OrderCancelledV1>): EmailContent {
  return renderEmail(`Your order ${shortReference(order.orderId)} was cancelled`, [
    paragraph('Hello,'),
    paragraph(`We are sorry: your order was cancelled. ${CANCELLATION_SENTENCES[order.reason]}`),
    paragraph('If a payment was taken for this order, it is refunded in full.'),
    paragraph(`Order reference: ${order.orderId}`),
    SIGNATURE,
  ]);
}
