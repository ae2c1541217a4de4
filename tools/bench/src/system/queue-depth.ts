import amqplib from 'amqplib';

/** Samples one queue's depth (ready messages) every `intervalMs` until stopped: its start, end and highest value. */
export async function watchQueueDepth(
  amqpUrl: string,
  queue: string,
  intervalMs = 500,
): Promise<{ stop(): Promise<{ start: number; end: number; max: number }> }> {
  const connection = await amqplib.connect(amqpUrl);
  // A lost connection (the vhost dropped by an interrupted run) fails the next sample, reported by stop().
  connection.on('error', () => undefined);
  const channel = await connection.createChannel();
  const depth = async () => (await channel.checkQueue(queue)).messageCount;
  const start = await depth();
  let max = start;
  let failure: { error: unknown } | undefined;
  let sampling = Promise.resolve();
  const timer = setInterval(() => {
    sampling = sampling
      .then(async () => void (max = Math.max(max, await depth())))
      .catch((error: unknown) => {
        failure ??= { error };
        clearInterval(timer);
      });
  }, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      if (failure) throw failure.error;
      const end = await depth();
      await connection.close();
      return { start, end, max: Math.max(max, end) };
    },
  };
}
