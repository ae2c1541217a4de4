export * from './topology';
export * from './broker-connection';
export * from './publisher';

export * from './consumer/retry-policy';
export * from './consumer/consumer-topology';
export * from './consumer/failure-decision';
export * from './consumer/failure-headers';
export * from './consumer/event-handler';
export * from './consumer/consumer';
export * from './outbox/outbox';
export * from './outbox/outbox-relay';
export * from './inbox/inbox';
export * from './event-transactions';
export * from './message-tracing';
export * from './dead-letters/dead-letter';
export * from './dead-letters/dead-letter-error';
export * from './dead-letters/dead-letter-queue';
