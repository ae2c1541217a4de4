import amqplib from 'amqplib';

export interface TappedMessage {
  routingKey: string;
  content: Buffer;
  json<T = { id: string; type: string; payload: Record<string, unknown> }>(): T;
}

/**
 * Listens to an exchange from outside the services, as another service would: what the
 * system published, and a way to publish into it by hand.
 */
export class EventTap {
  readonly messages: TappedMessage[] = [];

  private constructor(
    private readonly connection: amqplib.ChannelModel,
    private readonly channel: amqplib.ConfirmChannel,
  ) {}

  static async open(url: string, bindings: { exchange: string; pattern: string }[]): Promise<EventTap> {
    const connection = await amqplib.connect(url);
    const channel = await connection.createConfirmChannel();
    const tap = new EventTap(connection, channel);
    const { queue } = await channel.assertQueue('', { exclusive: true });
    for (const { exchange, pattern } of bindings) {
      await channel.assertExchange(exchange, 'topic', { durable: true });
      await channel.bindQueue(queue, exchange, pattern);
    }
    await channel.consume(
      queue,
      (m) => {
        if (!m) return;
        tap.messages.push({
          routingKey: m.fields.routingKey,
          content: m.content,
          json: () => JSON.parse(m.content.toString()),
        });
      },
      { noAck: true },
    );
    return tap;
  }

  /** Events seen with this routing key whose payload has this order id. */
  forOrder(routingKey: string, orderId: string): TappedMessage[] {
    return this.messages.filter((m) => m.routingKey === routingKey && m.json().payload['orderId'] === orderId);
  }

  async publish(
    exchange: string,
    routingKey: string,
    content: Buffer | string,
    headers: Record<string, string> = {},
  ): Promise<void> {
    this.channel.publish(exchange, routingKey, Buffer.from(content), {
      persistent: true,
      contentType: 'application/json',
      headers,
    });
    await this.channel.waitForConfirms();
  }

  async messageCount(queue: string): Promise<number> {
    return (await this.channel.checkQueue(queue)).messageCount;
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
