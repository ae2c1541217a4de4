/** A server's listen() failure, as Node reports it: the code, and the address and port it tried. */
export type ListenError = NodeJS.ErrnoException & { address?: string; port?: number };

const NOT_HERE =
  'HOST is not an address of this machine: set it to one of its addresses, e.g. 127.0.0.1 (0.0.0.0: all of them)';

/** The fix for each way listen() fails that a person can do something about. */
const FIXES: Partial<Record<string, string>> = {
  EADDRINUSE: 'stop what uses it or set PORT',
  EACCES: 'a port below 1024 needs privileges: set PORT to 1024 or above',
  EADDRNOTAVAIL: NOT_HERE,
  // HOST is a name that does not resolve.
  ENOTFOUND: NOT_HERE,
  EAI_AGAIN: NOT_HERE,
};

/** Whether `error` is listen()'s own (the port or the host), not anything else a start-up did. */
export function isListenFailure(error: unknown): error is ListenError {
  const { syscall } = (error ?? {}) as NodeJS.ErrnoException;
  return syscall === 'listen' || syscall === 'getaddrinfo';
}

/** Why a server could not listen on `host`:`port`, and what to set instead, in one line. */
export function listenFailure(error: ListenError, host = error.address ?? 'localhost', port = error.port): string {
  const fix = FIXES[error.code ?? ''] ?? 'check HOST and PORT';
  // An IPv6 address in brackets, as in a URL: [::]:3001, not :::3001.
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return `cannot listen on ${shownHost}:${port ?? '?'} (${error.code ?? error.message}): ${fix}`;
}
