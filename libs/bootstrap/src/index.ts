export * from './load-config';
export * from './apply-migrations';
export * from './graceful-shutdown';
export * from './run-service';
