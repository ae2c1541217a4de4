import { randomUUID } from 'node:crypto';
import type { Channel, ConsumeMessage } from 'amqplib';

const MARKER_TYPE = 'shopflow.test-marker';

export interface QueueMarker {
  /** Call first in the queue's consume callback: true for a marker, which the callback then skips. */
  isMarker(message: ConsumeMessage): boolean;
  /**
   * Resolves once the consumer received everything the queue held when it was called: a marker
   * sent to the queue's tail has arrived, and a queue delivers in order.
   */
  settle(timeoutMs?: number): Promise<void>;
}

/**
 * Lets a test count what a consumer received without waiting an arbitrary time: once a service's
 * outbox is empty, all its events were confirmed, so they are in the queue; `settle()` then waits
 * until they are through.
 */
export function queueMarker(channel: Channel, queue: string): QueueMarker {
  const waiting = new Map<string, () => void>();
  return {
    isMarker(message) {
      if (message.properties.type !== MARKER_TYPE) return false;
      waiting.get(message.properties.messageId as string)?.();
      return true;
    },
    async settle(timeoutMs = 10_000) {
      const id = randomUUID();
      let timer: NodeJS.Timeout | undefined;
      const arrived = new Promise<void>((resolve, reject) => {
        waiting.set(id, resolve);
        timer = setTimeout(
          () => reject(new Error(`the marker sent to ${queue} did not arrive within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      channel.sendToQueue(queue, Buffer.alloc(0), { type: MARKER_TYPE, messageId: id });
      await arrived.finally(() => {
        clearTimeout(timer);
        waiting.delete(id);
      });
    },
  };
}
