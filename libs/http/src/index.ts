export * from './problem-details';
export * from './parse-request';
export * from './health';
export * from './create-http-app';
export * from './start-http-server';
export * from './metrics';
