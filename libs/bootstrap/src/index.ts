export * from './load-config';
export * from './graceful-shutdown';
export * from './run-service';
export * from './start-event-driven-service';
export * from './periodic-job';
export * from './schema-check';
