export { readMigrationTargets, type MigrationTarget } from './config';
export { migrateDeploy, MigrationError, type Migrated } from './migrate-deploy';
export { OFFLINE_SCHEMA_ENGINE, prismaCli, prismaEnvironment } from './offline-engine';
export { databaseUrlVariable, isService, prismaConfigOf, SERVICES, type ServiceName, WORKSPACE_ROOT } from './services';
