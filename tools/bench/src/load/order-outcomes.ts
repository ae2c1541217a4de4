import { OrderCancelledV1, OrderConfirmedV1 } from '@shopflow/events';
import amqplib, { type ChannelModel, type ConsumeMessage } from 'amqplib';

/**
 * Learns when orders become final from order-service's own order.confirmed and order.cancelled
 * events, on a queue of the bench's own, so that following an order costs one GET (for its
 * timeline) instead of polling: polls would load order-service more the slower it answers.
 */
export class OrderOutcomes {
  /** Orders being waited for, by id. */
  private readonly waiting = new Map<string, () => void>();
  /** Orders whose final event came before anyone waited for them (the saga beat the POST's answer). */
  private readonly early = new Set<string>();

  private constructor(private readonly connection: ChannelModel) {}

  static async listen(amqpUrl: string): Promise<OrderOutcomes> {
    const connection = await amqplib.connect(amqpUrl);
    const outcomes = new OrderOutcomes(connection);
    const channel = await connection.createChannel();
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true });
    for (const event of [OrderConfirmedV1, OrderCancelledV1]) {
      await channel.bindQueue(queue, event.exchange, event.routingKey);
    }
    await channel.consume(queue, (message) => message && outcomes.received(message), { noAck: true });
    return outcomes;
  }

  /** Resolves once the order's final event arrived, or after `timeoutMs`: the caller then reads the order. */
  final(orderId: string, timeoutMs: number): Promise<void> {
    if (this.early.delete(orderId)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const waiting = this.waiting;
      function done() {
        clearTimeout(timer);
        waiting.delete(orderId);
        resolve();
      }
      waiting.set(orderId, done);
    });
  }

  close(): Promise<void> {
    return this.connection.close();
  }

  private received(message: ConsumeMessage): void {
    const { payload } = JSON.parse(message.content.toString()) as { payload?: { orderId?: string } };
    const orderId = payload?.orderId;
    if (!orderId) return;
    const waiter = this.waiting.get(orderId);
    if (waiter) waiter();
    else this.early.add(orderId);
  }
}
