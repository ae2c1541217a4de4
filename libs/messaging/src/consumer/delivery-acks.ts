import { type ConsumeMessage } from 'amqplib';

/** The part of a channel that settles deliveries (amqplib's channel, or amqp-connection-manager's wrapper). */
export interface AckChannel {
  ack(message: ConsumeMessage, allUpTo?: boolean): void;
  nack(message: ConsumeMessage, allUpTo?: boolean, requeue?: boolean): void;
}

/**
 * Acknowledges one channel's deliveries in groups. Handlers settle a whole group-commit batch in the
 * same turn of the event loop; instead of one `basic.ack` per delivery, that turn ends with one ack
 * with `multiple` set, for the longest run of acked deliveries from the oldest open one. RabbitMQ
 * then settles the run in one step, where an ack per delivery costs it work for each
 * (docs/performance-history.md).
 *
 * Safe because the broker numbers a channel's deliveries in order and `multiple` acks only those
 * still open: every delivery this channel received is tracked from `received` on, and the group ack
 * never reaches past the oldest one still being handled. Acks behind such a delivery go one by one,
 * at once, so a slow message never holds the others' acks (nor the prefetch window they free).
 * A nack is sent at once: the broker must see it before any group ack that would cover it.
 *
 * One instance per channel: tags restart on a new channel, so the consumer makes a new one then,
 * and an instance whose channel was replaced sends nothing.
 */
export class DeliveryAcks {
  /** Deliveries received and not yet settled, by tag, oldest first (a Map keeps insertion order). */
  private readonly open = new Map<number, ConsumeMessage>();
  private readonly acked = new Set<number>();
  private flushing?: NodeJS.Immediate;

  /** `isCurrent` tells whether the channel these tags came from is still the open one. */
  constructor(
    private readonly channel: AckChannel,
    private readonly isCurrent: () => boolean,
  ) {}

  received(message: ConsumeMessage): void {
    this.open.set(message.fields.deliveryTag, message);
  }

  /** Acks at the end of this turn, with whatever else was acked in it. */
  ack(message: ConsumeMessage): void {
    this.acked.add(message.fields.deliveryTag);
    this.flushing ??= setImmediate(() => this.flush());
  }

  nack(message: ConsumeMessage, requeue: boolean): void {
    if (this.isCurrent()) this.channel.nack(message, false, requeue);
    this.forget(message.fields.deliveryTag);
  }

  /** Sends the acks gathered so far (also done at the end of every turn that acked something). */
  flush(): void {
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = undefined;
    if (this.acked.size === 0) return;
    // A tag of a channel since replaced means nothing on the new one (it may even be taken there):
    // the broker redelivers those messages, which the inbox recognises.
    if (!this.isCurrent()) {
      this.open.clear();
      this.acked.clear();
      return;
    }
    let last: ConsumeMessage | undefined;
    let run = 0;
    for (const [tag, message] of this.open) {
      if (!this.acked.has(tag)) break;
      last = message;
      run += 1;
      this.forget(tag);
    }
    if (last) this.channel.ack(last, run > 1);
    for (const tag of this.acked) {
      this.channel.ack(this.open.get(tag) as ConsumeMessage);
      this.forget(tag);
    }
  }

  private forget(tag: number): void {
    this.open.delete(tag);
    this.acked.delete(tag);
  }
}
