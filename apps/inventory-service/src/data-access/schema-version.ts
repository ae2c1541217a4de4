/**
 * The newest migration of this service's schema (`prisma/migrations`): the service refuses to start
 * on a database the migration step has not brought this far. A new migration updates it; the
 * migration step's tests fail until it does.
 */
export const SCHEMA_MIGRATION = '20261128014859_outbox_holds_only_unsent_events';
