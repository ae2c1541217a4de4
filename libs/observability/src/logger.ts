import { PERSONAL_DATA_PATHS } from '@shopflow/events';
import pino, { type Logger } from 'pino';
import { traceFields } from './tracing/trace-fields';

export type { Logger } from 'pino';

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Extra stream, e.g. to capture lines in a test; defaults to stdout. */
  destination?: pino.DestinationStream;
}

/**
 * Personal data is redacted wherever an event or payload is logged: at the top level,
 * one level down (`{ event }`), and any bare `email` field; so are a request's credentials.
 */
export const REDACTED_PATHS: readonly string[] = [
  ...PERSONAL_DATA_PATHS,
  ...PERSONAL_DATA_PATHS.map((path) => `*.${path}`),
  ...PERSONAL_DATA_PATHS.map((path) => path.replace(/^payload\./, '')),
  '*.email',
  // Credentials in a request's log line (pino-http logs its headers): a bearer token in a log is a
  // token anyone who reads the logs can use until it expires.
  'req.headers.authorization',
  'req.headers.cookie',
];

export function createLogger({ service, level = 'info', destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service },
      // Ties every line written inside a request or an event's handling to its trace.
      mixin: traceFields,
      redact: { paths: [...new Set(REDACTED_PATHS)], censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    // Asynchronous, buffered stdout: lines gather until 4 KiB or 100 ms, so a busy service makes a few
    // large writes rather than one per line (each a system call and a hop through libuv's thread pool).
    // A line waits at most 100 ms, and what is buffered is flushed on exit.
    destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 100 }),
  );
}

/** The fields every log line about an event carries. */
export function eventLogFields(event: { id: string; type: string; version: number; correlationId: string }) {
  return {
    eventId: event.id,
    eventType: event.type,
    eventVersion: event.version,
    correlationId: event.correlationId,
  };
}
