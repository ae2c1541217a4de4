export * from './card-tokens';
export * from './latency';
export * from './gateway-simulator';
export * from './simulator-process';
