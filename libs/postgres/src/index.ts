export { default as sql, join, raw, empty, Sql } from 'sql-template-tag';
export * from './sql-client';
export * from './database';
export * from './database-errors';
