export { countMessages } from './count-messages';
export { queueInspector, type QueueInspector } from './queue-inspector';
export { outboxEmptied } from './outbox-emptied';
export { queueMarker, type QueueMarker } from './queue-marker';
export { eventually, type EventuallyOptions } from './eventually';
export { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from './test-database';
export { createTestVhost, type QueueStats, type TestVhost, type TestVhostOptions } from './test-vhost';
export { management, seg } from './rabbitmq-management';
export { uniqueName } from './unique-name';
export { startSmtpSink, type ReceivedMail, type SmtpSink, type SmtpSinkOptions } from './smtp-sink';
export { startOtlpSink, type OtlpSink, type ReceivedSpan } from './otlp-sink';
export { startTcpProxy, type TcpProxy } from './tcp-proxy';
export { freePort } from './free-port';
export { countSocketWrites } from './socket-writes';
export {
  parseExposition,
  sampleValue,
  scrapeMetrics,
  seriesNames,
  type Exposition,
  type Sample,
} from './prometheus-exposition';
export { checkInfrastructure, MissingInfrastructure } from './infrastructure-check';
export { runToExit, type RunToExitOptions } from './run-to-exit';
export { logTail, ProgramExited, ProgramProcess, type ProgramOptions } from './program-process';
