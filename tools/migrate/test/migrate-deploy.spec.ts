import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { migrateDeploy, MigrationError, prismaCli, prismaConfigOf, prismaEnvironment, SERVICES } from '../src';
import { createOwnedDatabase, type OwnedDatabase } from './databases';

/** The migration folders of a service's Prisma project, oldest first. */
const migrationsOf = (service: (typeof SERVICES)[number]) =>
  fs
    .readdirSync(path.join(path.dirname(prismaConfigOf(service)), 'prisma/migrations'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

describe('migrateDeploy: the real `prisma migrate deploy`, with the offline schema engine', () => {
  const databases: OwnedDatabase[] = [];
  const ownedDatabase = async (prefix: string) => {
    const database = await createOwnedDatabase(prefix);
    databases.push(database);
    return database;
  };
  afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  it.each(SERVICES)(
    "migrates %s's database as the role that owns it (no CREATEDB), which owns every table; a second run applies nothing",
    async (service) => {
      const database = await ownedDatabase('migrate_owned');
      const first = await migrateDeploy({ prismaConfig: prismaConfigOf(service), databaseUrl: database.url });
      expect(first.applied).toEqual(migrationsOf(service));
      expect(await database.appliedMigrations()).toEqual(migrationsOf(service));
      const tables = await database.tables();
      expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(['inbox_events', 'outbox_events']));
      expect([...new Set(tables.map((table) => table.owner))]).toEqual([database.role]);

      expect(
        (await migrateDeploy({ prismaConfig: prismaConfigOf(service), databaseUrl: database.url })).applied,
      ).toEqual([]);
    },
  );

  it('leaves a database Prisma reports up to date (`prisma migrate status`, through the same engine)', async () => {
    const database = await ownedDatabase('migrate_status');
    await migrateDeploy({ prismaConfig: prismaConfigOf('order-service'), databaseUrl: database.url });
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [prismaCli(), 'migrate', 'status', '--config', prismaConfigOf('order-service')],
      { env: { ...prismaEnvironment(process.env), DATABASE_URL: database.url } },
    );
    expect(stdout).toMatch(/Database schema is up to date/);
  });

  it('applies each migration once when two runs meet on one database (replicas of the step)', async () => {
    const database = await ownedDatabase('migrate_twice');
    const runs = await Promise.all(
      [1, 2].map(() => migrateDeploy({ prismaConfig: prismaConfigOf('payment-service'), databaseUrl: database.url })),
    );
    expect(runs.flatMap((run) => run.applied).sort()).toEqual(migrationsOf('payment-service'));
    expect(await database.appliedMigrations()).toEqual(migrationsOf('payment-service'));
  });

  it("fails with Prisma's own reason in one line, and everything Prisma said beside it", async () => {
    const database = await ownedDatabase('migrate_refused');
    const url = new URL(database.url);
    url.username = `${database.role}_nobody`;
    const failure = await migrateDeploy({
      prismaConfig: prismaConfigOf('order-service'),
      databaseUrl: url.toString(),
    }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MigrationError);
    const { message, output } = failure as MigrationError;
    expect(message).toMatch(/^prisma migrate deploy --config \S+order-service\/prisma\.config\.ts exited with 1: /);
    expect(message).toContain(`role "${database.role}_nobody" does not exist`);
    expect(message).not.toContain('\n');
    expect(output).toMatch(/Prisma schema loaded/);
  });
});
