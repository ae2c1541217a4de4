export * from './logger';
export * from './metrics';
export * from './tracing/trace-fields';
export * from './tracing/tracing-config';
