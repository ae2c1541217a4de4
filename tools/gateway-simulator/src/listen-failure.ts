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

/** Whether `error` is listen()'s own: the port or the host, not anything else the start did. */
export function isListenFailure(error: NodeJS.ErrnoException): boolean {
  return error.syscall === 'listen' || error.syscall === 'getaddrinfo';
}

/** Why the server could not listen on `host`:`port`, and what to set instead, in one line. */
export function listenFailure(error: NodeJS.ErrnoException, host: string, port: number): string {
  const fix = FIXES[error.code ?? ''] ?? 'check HOST and PORT';
  return `cannot listen on ${host}:${port} (${error.code ?? error.message}): ${fix}`;
}
