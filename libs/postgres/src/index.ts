export * from './sql';
export * from './sql-client';
export * from './database';
export * from './database-errors';
export * from './advisory-lock';
export { failedStatementNumber } from './pipeline-mode-transaction';
export { planEachTime } from './prepared-statements';
