import { type Writable } from 'node:stream';

/** The part of amqplib's connection multiplexer (its `Mux`) that writes frames to the socket. */
interface Multiplexer {
  out: Writable;
  _readIncoming(): void;
}

/**
 * amqplib writes every frame (each publish, each ack) to the socket with a system call of its
 * own: its multiplexer loops over the channels' queued frames and writes them one by one. On a
 * busy machine a write to a local socket costs more than the frame's own work, so this corks the
 * socket for one pass of that loop: the frames queued in one turn of the event loop leave together.
 *
 * Takes amqplib's channel model (`connection` of amqp-connection-manager). Returns false, and
 * changes nothing, if amqplib's internals are not what this version expects.
 */
export function writeFramesTogether(channelModel: unknown): boolean {
  const muxer = (channelModel as { connection?: { muxer?: Partial<Multiplexer> } } | undefined)?.connection?.muxer;
  if (!isMultiplexer(muxer)) return false;
  const writeQueuedFrames = muxer._readIncoming;
  muxer._readIncoming = function corkedPass(this: Multiplexer) {
    this.out.cork();
    try {
      writeQueuedFrames.call(this);
    } finally {
      this.out.uncork();
    }
  };
  return true;
}

function isMultiplexer(muxer: Partial<Multiplexer> | undefined): muxer is Multiplexer {
  return typeof muxer?._readIncoming === 'function' && typeof muxer.out?.cork === 'function';
}
