import { type Writable } from 'node:stream';

/**
 * Counts the writes that reach `socket` (each one system call) while `work` runs: how a test shows
 * that a client coalesces what it sends. The socket is left as it was afterwards.
 */
export async function countSocketWrites(socket: Writable, work: () => Promise<void>): Promise<number> {
  const original = { write: socket._write, writev: socket._writev };
  let writes = 0;
  socket._write = (...args) => {
    writes += 1;
    original.write.apply(socket, args);
  };
  socket._writev = (...args) => {
    writes += 1;
    original.writev?.apply(socket, args);
  };
  try {
    await work();
  } finally {
    socket._write = original.write;
    socket._writev = original.writev;
  }
  return writes;
}
