import { type Logger } from '@shopflow/observability';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs the real `prisma migrate deploy` for a service's schema: the same command a
 * release pipeline would run, with Prisma's own migration history and locking.
 */
export async function applyMigrations(options: { prismaConfig: string; databaseUrl: string; logger: Logger }) {
  const started = Date.now();
  const cli = require.resolve('prisma/build/index.js');
  try {
    const { stdout } = await run(process.execPath, [cli, 'migrate', 'deploy', '--config', options.prismaConfig], {
      env: { ...process.env, DATABASE_URL: options.databaseUrl },
      timeout: 120_000,
    });
    const applied = [...stdout.matchAll(/└─ (\d{14}_[\w-]+)\//g)].map((match) => match[1]);
    options.logger.info({ ms: Date.now() - started, applied }, 'database migrations up to date');
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`prisma migrate deploy failed:\n${stderr || stdout || String(error)}`, { cause: error });
  }
}
